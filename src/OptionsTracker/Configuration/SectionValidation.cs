using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace OptionsTracker.Configuration;

/// <summary>
/// Data-annotation validation whose failures name the setting as a user writes it (<c>Bybit:PingInterval</c>,
/// i.e. <c>Bybit__PingInterval</c>), so a bad value stops start-up with one line that says what to fix.
/// </summary>
public static class SectionValidation
{
    public static OptionsBuilder<T> ValidateSection<T>(this OptionsBuilder<T> builder, string section) where T : class
    {
        builder.Services.AddSingleton<IValidateOptions<T>>(new DataAnnotationsSectionValidator<T>(section));
        return builder;
    }

    private sealed class DataAnnotationsSectionValidator<T>(string section) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var results = new List<ValidationResult>();
            if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
                return ValidateOptionsResult.Success;
            return ValidateOptionsResult.Fail(results.Select(r =>
                $"{section}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
        }
    }

    /// <summary>
    /// Turns a start-up configuration failure into one line for the console, or null when the exception is
    /// not about configuration.
    /// </summary>
    public static string? DescribeStartupFailure(Exception exception) => exception switch
    {
        OptionsValidationException validation => "Configuration error: " + string.Join("; ", validation.Failures),
        // The binder's message names the key and the type: "Failed to convert configuration value 'x' at 'Bybit:PingInterval' to type 'System.TimeSpan'."
        InvalidOperationException binding when binding.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal)
            => "Configuration error: " + binding.Message,
        AggregateException aggregate when aggregate.InnerExceptions.Count > 0 => DescribeStartupFailure(aggregate.InnerExceptions[0]),
        _ when exception.InnerException is not null => DescribeStartupFailure(exception.InnerException),
        _ => null,
    };
}
