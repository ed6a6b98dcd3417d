namespace OptionsTracker.Tests.Alerts;

/// <summary>
/// Tests that start the tracker host run alone. WebApplicationFactory finds the host it starts by listening for
/// hosts being built in the process; a fake server or simulator built at the same moment in a parallel test can
/// be taken for it, and the real Program then runs on its default port.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AlertHostsCollection
{
    public const string Name = "Alert hosts";
}
