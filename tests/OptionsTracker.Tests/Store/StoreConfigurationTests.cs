using Microsoft.Extensions.Configuration;
using OptionsTracker.Feed;
using OptionsTracker.Configuration;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace OptionsTracker.Tests.Store;

public class StoreConfigurationTests
{
    [Fact]
    public void Original_redis_variables_become_one_connection_string()
    {
        var env = new Dictionary<string, string>
        {
            ["REDIS_HOST"] = "cache.local",
            ["REDIS_PORT"] = "6380",
            ["REDIS_DB"] = "3",
            ["REDIS_PASSWORD"] = "s3cret,with=comma",
        };

        var settings = LegacyEnvironment.Map(name => env.GetValueOrDefault(name));
        var options = ConfigurationOptions.Parse(settings["Store:Redis"]!);

        Assert.EndsWith("cache.local:6380", options.EndPoints.Single().ToString(), StringComparison.Ordinal);
        Assert.Equal(3, options.DefaultDatabase);
        Assert.Equal("s3cret,with=comma", settings["Store:Password"]);
    }

    [Fact]
    public void Redis_host_alone_uses_the_default_port()
    {
        var settings = LegacyEnvironment.Map(name => name == "REDIS_HOST" ? "redis" : null);

        Assert.EndsWith("redis:6379", ConfigurationOptions.Parse(settings["Store:Redis"]!).EndPoints.Single().ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Password_setting_reaches_a_redis_that_requires_one()
    {
        await using var redis = await RedisServer.StartAsync("--requirepass", "p,w=1");
        await using var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = ["BTC"] }, TestContext.Current.CancellationToken);
        var settings = RedisTestSettings.For(redis.Endpoint, "all");
        settings["Store:Password"] = "p,w=1";
        await using var app = await TrackerApp.StartAsync(simulator, settings);

        await Eventually.Until(() => app.Services.GetRequiredService<OptionsTracker.Store.CollectorLease>().IsHeld, "the lease, taken on the password-protected Redis");
    }

    [Theory]
    [InlineData(null, TrackerRole.All)]
    [InlineData("web", TrackerRole.Web)]
    [InlineData("Collector", TrackerRole.Collector)]
    public void Role_is_read_case_insensitively_and_defaults_to_all(string? value, TrackerRole expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Tracker:Role"] = value }).Build();

        Assert.Equal(expected, TrackerOptions.ReadRole(configuration));
    }

    // Roles that cannot run (unknown, or web/collector without Redis) are tested on the real process in
    // Configuration/StartupValidationTests: start-up stops with one line naming the setting.
}
