using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;

namespace OptionsTracker.Tests.Store;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, in a temp directory, without persistence: started by
/// the test that owns it, killed on dispose. <see cref="StopAsync"/> and <see cref="StartAgainAsync"/> make it
/// blink on the same port (empty after the restart, as a Redis without persistence comes back).
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string[] _arguments;
    private Process? _process;
    private ConnectionMultiplexer? _admin;

    private RedisServer(int port, string directory, string[] arguments)
    {
        Port = port;
        Directory = directory;
        _arguments = arguments;
    }

    public int Port { get; }
    public string Directory { get; }
    public string Endpoint => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync(params string[] arguments)
    {
        var server = NotStarted(arguments);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>A server with its port chosen but not running yet (<see cref="StartAgainAsync"/> starts it).</summary>
    public static RedisServer NotStarted(params string[] arguments)
    {
        var directory = Path.Combine(Path.GetTempPath(), "ot-redis-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(directory);
        return new RedisServer(FreePort(), directory, arguments);
    }

    /// <summary>A free port whose cluster bus port (+10000) is free too.</summary>
    public static int FreePort()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (port + 10000 > 65535)
                continue;
            try
            {
                using var bus = new TcpListener(IPAddress.Loopback, port + 10000);
                bus.Start();
                bus.Stop();
                return port;
            }
            catch (SocketException)
            {
                // Taken: try another.
            }
        }
    }

    public async Task StartAgainAsync()
    {
        var info = new ProcessStartInfo("redis-server")
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", Directory, .. _arguments])
            info.ArgumentList.Add(argument);
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await Fixtures.Eventually.Until(async () => await PingsAsync(), $"redis-server on port {Port} to answer PING");
    }

    /// <summary>Kills the server at once (SIGKILL): what a crash looks like to its clients.</summary>
    public async Task StopAsync()
    {
        if (_process is null)
            return;
        _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    /// <summary>Sends a signal to the server (<c>STOP</c> freezes it with its sockets open, <c>CONT</c> thaws it).</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process!.Id.ToString()]);
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>A separate connection for the test to look at what the tracker wrote (admin commands allowed).</summary>
    public async Task<IDatabase> DatabaseAsync()
    {
        if (_admin is null)
        {
            var options = ConfigurationOptions.Parse($"{Endpoint},allowAdmin=true,abortConnect=false");
            var password = Array.IndexOf(_arguments, "--requirepass");
            if (password >= 0)
                options.Password = _arguments[password + 1];
            _admin = await ConnectionMultiplexer.ConnectAsync(options);
        }
        return _admin.GetDatabase();
    }

    public async Task<string> InfoAsync(string section)
    {
        var database = await DatabaseAsync();
        return (string)(await database.ExecuteAsync("INFO", section))!;
    }

    private async Task<bool> PingsAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer);
            var reply = Encoding.ASCII.GetString(buffer, 0, read);
            // "-NOAUTH" answers too: the server is up, it just wants a password.
            return reply.StartsWith("+PONG", StringComparison.Ordinal) || reply.StartsWith("-NOAUTH", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_admin is not null)
            await _admin.DisposeAsync();
        await StopAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
