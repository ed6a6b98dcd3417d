using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.History;

/// <summary>A bad value of a history switch stops the real executable with one line naming the switch, like a bad setting.</summary>
public class HistoryCommandLineHostTests
{
    private static readonly Dictionary<string, string> NoSettings = [];

    [Fact]
    public Task A_speed_that_is_not_a_positive_number_stops_naming_the_switch() =>
        HostProcess.AssertStopsNamingAsync("--speed", NoSettings, "--replay", "missing.duckdb", "--speed", "fast");

    [Fact]
    public Task A_number_of_days_out_of_range_stops_naming_the_switch() =>
        HostProcess.AssertStopsNamingAsync("--generate-history", NoSettings, "--generate-history", "0");

    [Fact]
    public Task A_switch_without_its_value_stops_naming_it() =>
        HostProcess.AssertStopsNamingAsync("--replay", NoSettings, "--replay");
}
