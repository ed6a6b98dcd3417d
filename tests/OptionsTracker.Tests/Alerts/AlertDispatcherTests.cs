using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Alerts;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Alerts;

public class AlertDispatcherTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private sealed class RecordingSink(TimeProvider time, Task? gate = null) : IAlertSink
    {
        public List<(Alert Alert, DateTimeOffset SentAt)> Received { get; } = [];

        public string Name => "recording";

        public async Task SendAsync(Alert alert, CancellationToken cancellationToken)
        {
            if (gate is not null)
                await gate.WaitAsync(cancellationToken);
            lock (Received)
                Received.Add((alert, time.GetUtcNow()));
        }
    }

    /// <summary>Fails its first <paramref name="failures"/> sends with <paramref name="error"/>, then succeeds.</summary>
    private sealed class FlakySink(int failures, Func<Exception> error) : IAlertSink
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public string Name => "flaky";

        public Task SendAsync(Alert alert, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _calls) <= failures ? Task.FromException(error()) : Task.CompletedTask;
    }

    private static AlertDispatcher Dispatcher(IAlertSink sink, int attempts) =>
        new([sink], Options.Create(new AlertsOptions { SendAttempts = attempts, SendRetryDelay = TimeSpan.FromMilliseconds(20) }),
            TimeProvider.System, NullLogger<AlertDispatcher>.Instance);

    private static Alert Alert(int i) => new("rule", $"rule {i}", $"alert {i}", T0);

    [Fact]
    public async Task A_stuck_sink_never_blocks_posting_and_overflow_drops_the_oldest_counted()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sink = new RecordingSink(TimeProvider.System, gate.Task);
        using var dispatcher = new AlertDispatcher([sink], Options.Create(new AlertsOptions { QueueCapacity = 2, MaxMessagesPerMinute = 600 }),
            TimeProvider.System, NullLogger<AlertDispatcher>.Instance);
        await dispatcher.StartAsync(TestContext.Current.CancellationToken);

        for (var i = 0; i < 10; i++)
            dispatcher.Post(Alert(i));

        Assert.Equal(10, dispatcher.Posted);
        Assert.InRange(dispatcher.Dropped, 7, 8);
        gate.SetResult();
        await Eventually.Until(() => dispatcher.Sent == 10 - dispatcher.Dropped, "the rest to be sent");
        // The newest survive.
        Assert.Equal("rule 9", sink.Received[^1].Alert.Name);
        await dispatcher.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Messages_beyond_the_rate_limit_wait_for_the_clock()
    {
        var time = new FakeTimeProvider(T0);
        var sink = new RecordingSink(time);
        using var dispatcher = new AlertDispatcher([sink], Options.Create(new AlertsOptions { MaxMessagesPerMinute = 2 }),
            time, NullLogger<AlertDispatcher>.Instance);
        await dispatcher.StartAsync(TestContext.Current.CancellationToken);

        for (var i = 0; i < 3; i++)
            dispatcher.Post(Alert(i));
        await Eventually.Until(() => dispatcher.Sent == 2, "a burst of two");
        await Eventually.Until(() =>
        {
            time.Advance(TimeSpan.FromSeconds(5));
            return dispatcher.Sent == 3;
        }, "the third once the clock allows");

        Assert.Equal(T0, sink.Received[1].SentAt);
        Assert.True(sink.Received[2].SentAt >= T0.AddSeconds(30), $"third sent at {sink.Received[2].SentAt}");
        await dispatcher.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_failing_sink_is_counted_and_the_other_still_receives()
    {
        var good = new RecordingSink(TimeProvider.System);
        var bad = new RecordingSink(TimeProvider.System, Task.FromException(new HttpRequestException("boom")));
        using var dispatcher = new AlertDispatcher([bad, good], Options.Create(new AlertsOptions { SendRetryDelay = TimeSpan.FromMilliseconds(20) }),
            TimeProvider.System, NullLogger<AlertDispatcher>.Instance);
        await dispatcher.StartAsync(TestContext.Current.CancellationToken);

        dispatcher.Post(Alert(1));
        dispatcher.Post(Alert(2));

        await Eventually.Until(() => dispatcher.Sent == 2 && dispatcher.Failed == 2, "both alerts to reach the good sink and fail at the bad one");
        await dispatcher.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_passing_failure_is_tried_again_until_the_send_succeeds()
    {
        var outcome = await SendOneAsync(new FlakySink(2, () => new HttpRequestException("connection refused")), attempts: 3);

        Assert.Equal((Sent: 1, Failed: 0, Retried: 2, Calls: 3), outcome);
    }

    [Fact]
    public async Task A_send_failing_every_try_counts_once_as_failed()
    {
        var outcome = await SendOneAsync(
            new FlakySink(int.MaxValue, () => new HttpRequestException("bad gateway", null, System.Net.HttpStatusCode.BadGateway)), attempts: 4);

        Assert.Equal((Sent: 0, Failed: 1, Retried: 3, Calls: 4), outcome);
    }

    public static TheoryData<string> RefusedForGood => ["webhook 404", "webhook 401", "telegram 400 chat not found", "telegram 403 bot blocked"];

    [Theory]
    [MemberData(nameof(RefusedForGood))]
    public async Task A_send_the_destination_refuses_for_good_is_not_tried_again(string refusal)
    {
        Func<Exception> error = refusal switch
        {
            "webhook 404" => () => new HttpRequestException("not found", null, System.Net.HttpStatusCode.NotFound),
            "webhook 401" => () => new HttpRequestException("unauthorized", null, System.Net.HttpStatusCode.Unauthorized),
            "telegram 400 chat not found" => () => new Telegram.Bot.Exceptions.ApiRequestException("Bad Request: chat not found", 400),
            _ => () => new Telegram.Bot.Exceptions.ApiRequestException("Forbidden: bot was blocked by the user", 403),
        };

        var outcome = await SendOneAsync(new FlakySink(int.MaxValue, error), attempts: 3);

        Assert.Equal((Sent: 0, Failed: 1, Retried: 0, Calls: 1), outcome);
    }

    /// <summary>Posts one alert to a dispatcher with this sink and retry budget; its counters once the alert is settled.</summary>
    private static async Task<(long Sent, long Failed, long Retried, int Calls)> SendOneAsync(FlakySink sink, int attempts)
    {
        using var dispatcher = Dispatcher(sink, attempts);
        await dispatcher.StartAsync(TestContext.Current.CancellationToken);
        dispatcher.Post(Alert(1));
        await Eventually.Until(() => dispatcher.Sent + dispatcher.Failed == 1, "the alert to be sent or to fail for good");
        await dispatcher.StopAsync(TestContext.Current.CancellationToken);
        return (dispatcher.Sent, dispatcher.Failed, dispatcher.Retried, sink.Calls);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(408)]
    [InlineData(500)]
    [InlineData(503)]
    public void Throttling_timeouts_and_server_errors_are_passing(int status)
    {
        Assert.True(AlertDispatcher.IsPassing(new HttpRequestException("x", null, (System.Net.HttpStatusCode)status)));
        Assert.True(AlertDispatcher.IsPassing(new Telegram.Bot.Exceptions.ApiRequestException("x", status)));
        Assert.True(AlertDispatcher.IsPassing(new TaskCanceledException("timed out", new TimeoutException())));
    }
}
