using System.Diagnostics;
using System.Globalization;

namespace OptionsTracker.Tests.Fixtures;

/// <summary>
/// A history writer in a process of its own, killed (SIGKILL) at a random moment once it has committed a few snapshots:
/// most likely inside a write, as a tracker killed by the OOM killer or a power cut would be. The writer is an explicit
/// test method of the test assembly (run only when asked, by <see cref="RunUntilKilledAsync"/>) that writes snapshots
/// one after another (<see cref="WriteUntilKilledAsync"/>); it finds its store in environment variables.
/// </summary>
public static class KilledWriter
{
    private const string Committed = "committed ";

    /// <summary>
    /// The child's loop: snapshots of a 2,000-option, three-coin board from <paramref name="start"/>, a minute apart, written
    /// one after another into the open <paramref name="store"/>, "committed n" printed after each write returns, until killed.
    /// </summary>
    public static async Task WriteUntilKilledAsync(OptionsTracker.History.IHistoryStore store, DateTimeOffset start)
    {
        var board = new History.RealisticBoard(2000, start);
        for (var n = 1; n < 100_000; n++)
        {
            await store.WriteSnapshotAsync(board.Snapshot, TestContext.Current.CancellationToken);
            Console.Out.WriteLine(Committed + n.ToString(CultureInfo.InvariantCulture));
            Console.Out.Flush();
            board.Step(TimeSpan.FromMinutes(1));
        }
    }

    /// <summary>
    /// Runs <paramref name="childMethod"/> of <paramref name="testClass"/> in a new process with <paramref name="environment"/>,
    /// kills it after 5–14 commits and 0–40 ms more, and returns the number of the last write it saw return.
    /// </summary>
    public static async Task<int> RunUntilKilledAsync(Type testClass, string childMethod, IReadOnlyDictionary<string, string> environment)
    {
        var token = TestContext.Current.CancellationToken;
        var child = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        child.ArgumentList.Add("exec");
        child.ArgumentList.Add(testClass.Assembly.Location);
        child.ArgumentList.Add("-method");
        child.ArgumentList.Add($"{testClass.FullName}.{childMethod}");
        child.ArgumentList.Add("-explicit");
        child.ArgumentList.Add("only");
        foreach (var (name, value) in environment)
            child.Environment[name] = value;
        using var process = Process.Start(child)!;
        var committed = 0;
        // A "committed n" line moves the count on; the test runner's own lines leave it.
        void Read(string line)
        {
            if (line.StartsWith(Committed, StringComparison.Ordinal))
                committed = int.Parse(line[Committed.Length..], CultureInfo.InvariantCulture);
        }

        var output = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        try
        {
            var stopAfter = 5 + Random.Shared.Next(0, 10);
            var started = Stopwatch.GetTimestamp();
            while (committed < stopAfter)
            {
                var line = await process.StandardOutput.ReadLineAsync(token);
                Assert.True(line is not null, $"the child writer ended: {output}");
                Read(line);
                Assert.True(Stopwatch.GetElapsedTime(started) < Eventually.Timeout, "the child writer did not commit in time");
            }
            await Task.Delay(Random.Shared.Next(0, 40), token);
        }
        finally
        {
            process.Kill(entireProcessTree: true); // SIGKILL on Linux: no finaliser, no checkpoint, no flush beyond what committed.
            await process.WaitForExitAsync(CancellationToken.None);
        }
        // The lines still in the pipe: the last write the child saw return before it died.
        while (await process.StandardOutput.ReadLineAsync(token) is { } rest)
            Read(rest);
        return committed;
    }
}
