namespace OptionsTracker.History;

// SEAM PLACEHOLDER (issue 16): replaced whole by the recorder's helper.
public sealed class HistoryRecorder : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.CompletedTask;
}
