using System.Reflection;
using Microsoft.Extensions.Logging;
using OptionsTracker.Bybit;
using OptionsTracker.Simulator;

namespace OptionsTracker.Tests.Logging;

/// <summary>
/// Operators filter logs on event ids and names, so each <c>[LoggerMessage]</c> pins both, an id is used once per
/// program, and each feature (the namespace's last segment) keeps to its own block of ids. The tracker's blocks are
/// listed in one comment at the top of each src/OptionsTracker/*/Log.cs; this table is the same list.
/// </summary>
public class EventIdTests
{
    // Feature → first id of its block of 1000. A new feature gets the next free thousand here and in the Log.cs comment.
    private static readonly Dictionary<string, int> TrackerBlocks = new(StringComparer.Ordinal)
    {
        ["Bybit"] = 1000,
        ["Feed"] = 2000,
        ["Api"] = 3000,
        ["Store"] = 4000,
        ["Alerts"] = 5000,
        ["Security"] = 6000,
        ["Health"] = 7000,
        ["Dashboard"] = 8000,
        ["Measures"] = 9000,
        ["History"] = 10000,
        ["Tape"] = 11000,
        ["Deribit"] = 12000,
        ["Strategies"] = 13000,
    };

    // The simulator is its own program (its own log), so its ids need only be unique within it: 1–999.
    private static readonly Dictionary<string, int> SimulatorBlocks = new(StringComparer.Ordinal)
    {
        ["Simulator"] = 0,
        // The Deribit simulator (OptionsTracker.Simulator.Deribit), written apart from the Bybit one.
        ["Deribit"] = 1000,
    };

    public static TheoryData<string> Programs => new() { "OptionsTracker", "OptionsTracker.Simulator" };

    [Theory]
    [MemberData(nameof(Programs))]
    public void Every_log_message_pins_its_event_id_and_names_the_event_after_its_method(string program)
    {
        var messages = LogMessagesOf(program);

        Assert.NotEmpty(messages);
        var unpinned = messages
            .Where(m => m.Attribute.EventId <= 0 || m.Attribute.EventName != m.Method.Name)
            .Select(m => $"{m.Where}: EventId = {m.Attribute.EventId}, EventName = {m.Attribute.EventName ?? "(none)"}")
            .ToList();
        Assert.True(unpinned.Count == 0,
            $"these [LoggerMessage]s need an explicit EventId and EventName = the method name:\n{string.Join("\n", unpinned)}");
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public void No_event_id_is_used_twice_in_a_program(string program)
    {
        var messages = LogMessagesOf(program);

        var repeated = messages
            .GroupBy(m => m.Attribute.EventId)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Where))}")
            .ToList();
        Assert.True(repeated.Count == 0, $"event ids used more than once in {program}:\n{string.Join("\n", repeated)}");
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public void Every_event_id_lies_in_its_features_block(string program)
    {
        var blocks = program == "OptionsTracker" ? TrackerBlocks : SimulatorBlocks;
        var messages = LogMessagesOf(program);

        var misplaced = new List<string>();
        foreach (var message in messages)
        {
            var feature = message.Method.DeclaringType!.Namespace!.Split('.')[^1];
            if (!blocks.TryGetValue(feature, out var first))
                misplaced.Add($"{message.Where}: feature {feature} has no block; give it the next free one in {nameof(EventIdTests)} and in the comment at the top of each Log.cs");
            else if (message.Attribute.EventId < Math.Max(first, 1) || message.Attribute.EventId > first + 999)
                misplaced.Add($"{message.Where}: id {message.Attribute.EventId} is outside {feature}'s block {Math.Max(first, 1)}–{first + 999}");
        }
        Assert.True(misplaced.Count == 0, string.Join("\n", misplaced));
        // Show what was checked, so a run that found nothing to check would be visible in the output.
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", messages
            .GroupBy(m => m.Method.DeclaringType!.Namespace!.Split('.')[^1])
            .Select(g => $"{g.Key} {g.Count()} ({g.Min(m => m.Attribute.EventId)}–{g.Max(m => m.Attribute.EventId)})")));
    }

    private sealed record LogMessage(MethodInfo Method, LoggerMessageAttribute Attribute)
    {
        public string Where => $"{Method.DeclaringType!.FullName}.{Method.Name}";
    }

    private static List<LogMessage> LogMessagesOf(string program)
    {
        var assembly = program switch
        {
            "OptionsTracker" => typeof(BybitApiException).Assembly,
            "OptionsTracker.Simulator" => typeof(BybitSimulator).Assembly,
            _ => throw new ArgumentOutOfRangeException(nameof(program), program, "not one of the programs"),
        };
        Assert.Equal(program, assembly.GetName().Name);
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        return assembly.GetTypes()
            .SelectMany(t => t.GetMethods(all))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null)
            .Select(x => new LogMessage(x.Method, x.Attribute!))
            .ToList();
    }
}
