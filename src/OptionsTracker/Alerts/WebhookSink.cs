using System.Net.Http.Json;
using Microsoft.Extensions.Options;

namespace OptionsTracker.Alerts;

/// <summary>POSTs each alert as JSON (<see cref="Alert"/>, snake_case) to the configured URL; any 2xx is success.</summary>
internal sealed class WebhookSink(IHttpClientFactory httpClients, IOptions<AlertsOptions> options) : IAlertSink
{
    public const string HttpClientName = "OptionsTracker.Alerts.Webhook";

    private readonly Uri _url = options.Value.WebhookUrl!;

    public string Name => "webhook";

    public async Task SendAsync(Alert alert, CancellationToken cancellationToken)
    {
        using var http = httpClients.CreateClient(HttpClientName);
        using var response = await http.PostAsJsonAsync(_url, alert, AlertsJsonContext.Default.Alert, cancellationToken);
        response.EnsureSuccessStatusCode();
    }
}
