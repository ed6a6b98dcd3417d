using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Simulator;

/// <summary>The simulator run alone (<c>src/OptionsTracker.Simulator.Host</c>) as an operator runs it: a real process.</summary>
public class StandaloneHostTests
{
    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task The_host_serves_the_faults_over_http_and_stops_on_a_signal(string signal)
    {
        var port = FreePort();
        using var process = Start(port);
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
            await Eventually.Until(async () =>
            {
                Assert.False(process.HasExited, "the simulator host exited");
                try
                {
                    using var usage = await http.GetAsync("/_sim", TestContext.Current.CancellationToken);
                    return usage.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, "the simulator host to answer", 60);

            await using (var ws = await WsTestClient.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/v5/public/option")))
            {
                using var drop = await http.PostAsync("/_sim/drop", null, TestContext.Current.CancellationToken);
                Assert.Equal(HttpStatusCode.OK, drop.StatusCode);
                await Assert.ThrowsAnyAsync<Exception>(() => ws.Closed.WaitAsync(TestSimulator.Timeout, TestContext.Current.CancellationToken));
            }

            // A process started with SIGINT ignored (a background job of a non-interactive shell) passes that on to its
            // children, and .NET then rightly leaves SIGINT alone: nothing to test in that case.
            Assert.SkipWhen(signal == "INT" && IgnoresSigint(process.Id), "this test process was started with SIGINT ignored, so the host inherits that");

            var stopwatch = Stopwatch.StartNew();
            using (var kill = Process.Start("kill", ["-s", signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(deadline.Token);
            var figure = $"SIG{signal}: the simulator host exited {stopwatch.Elapsed.TotalSeconds:0.00} s after the signal";
            TestContext.Current.TestOutputHelper?.WriteLine(figure);
            TestContext.Current.SendDiagnosticMessage(figure);

            Assert.Equal(0, process.ExitCode);
            lock (output)
                Assert.Contains("Stopping", output.ToString());
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
    }

    private static Process Start(int port)
    {
        // The host's build output next to this one's: same configuration, same target framework.
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var hostDll = Path.Combine(RepositoryPaths.Root, "src", "OptionsTracker.Simulator.Host", "bin", testOutput.Parent!.Name, testOutput.Name,
            "OptionsTracker.Simulator.Host.dll");
        Assert.True(File.Exists(hostDll), $"{hostDll} is not built");
        var start = new ProcessStartInfo("dotnet", ["exec", hostDll, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--coins", "BTC", "--instruments", "200"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        return Process.Start(start)!;
    }

    /// <summary>Whether the process ignores SIGINT (Linux: bit 2 of SigIgn in /proc/PID/status).</summary>
    private static bool IgnoresSigint(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & 0x2) != 0;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
