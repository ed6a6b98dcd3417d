using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Security;

/// <summary>A bad security setting stops the real process at start-up with one line naming it.</summary>
public class SecuritySettingsTests
{
    [Theory]
    [InlineData("Security__KnownProxies", "10.0.0.0/40", "Security:KnownProxies")]
    [InlineData("Security__KnownProxies", "proxy.example", "Security:KnownProxies")]
    [InlineData("Security__FailedKeyAttempts", "0", "Security:FailedKeyAttempts")]
    [InlineData("Security__FailedKeyLockout", "02:00:00", "Security:MaxFailedKeyLockout")]
    [InlineData("Security__DashboardRateLimitPerMinute", "0", "Security:DashboardRateLimitPerMinute")]
    public Task A_bad_security_setting_stops_start_up_naming_it(string variable, string value, string named) =>
        HostProcess.AssertStopsNamingAsync(named, new Dictionary<string, string> { [variable] = value });
}
