using Microsoft.Extensions.Hosting;

namespace OptionsTracker.Simulator;

/// <summary>
/// The simulator's server lives inside someone else's process (a test, the tracker's <c>--demo</c>, the standalone host):
/// it must not take the process's SIGINT/SIGTERM for itself, as the default console lifetime does. That lifetime stopped
/// only the inner server on a signal and swallowed it, so the standalone host never ended. Whoever owns the process
/// handles the signals and disposes the simulator.
/// </summary>
internal sealed class EmbeddedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
