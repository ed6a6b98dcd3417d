namespace OptionsTracker.Tests.Dashboard;

/// <summary>
/// Browser tests run one at a time and apart from the rest: each starts a simulator, a host and Chromium, and two
/// cores do not stretch to several at once without timing out.
/// </summary>
[CollectionDefinition(nameof(DashboardCollection), DisableParallelization = true)]
public sealed class DashboardCollection;
