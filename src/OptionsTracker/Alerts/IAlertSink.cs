namespace OptionsTracker.Alerts;

/// <summary>Somewhere alerts go: Telegram or a webhook. Called only from the dispatcher's single reader.</summary>
internal interface IAlertSink
{
    string Name { get; }

    Task SendAsync(Alert alert, CancellationToken cancellationToken);
}
