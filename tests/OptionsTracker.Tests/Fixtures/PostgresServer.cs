using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace OptionsTracker.Tests.Fixtures;

/// <summary>
/// A real PostgreSQL (Debian's <c>postgresql</c> package: <c>initdb</c> and <c>pg_ctl</c> from
/// <c>/usr/lib/postgresql/&lt;version&gt;/bin</c>, the newest installed) on a free loopback port, its data directory
/// and unix socket in a temp directory, started by the test that owns it and deleted on dispose, as
/// <see cref="Store.RedisServer"/> does for Redis. Run as the <c>postgres</c> user when the tests run as root
/// (PostgreSQL refuses root). <c>fsync</c> is off: a test server's data need not survive a power cut of the machine, and
/// commits are then cheap on the shared CI machine. A killed server still keeps every commit it acknowledged (the WAL
/// is written to the OS at commit; <c>synchronous_commit</c> stays on), which the fault tests rely on.
/// <see cref="StopAsync"/> and <see cref="StartAgainAsync"/> stop and restart it on the same port with the same data,
/// for fault tests. <see cref="CreateDatabaseAsync"/> gives each test a database of its own, so tests sharing a
/// server share no state.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string ServiceUser = "postgres";
    private readonly string _bin;
    private int _databases;

    private PostgresServer(string bin, string directory, int port)
    {
        _bin = bin;
        Directory = directory;
        Port = port;
    }

    public string Directory { get; }
    public int Port { get; }
    public bool IsRunning { get; private set; }
    private string DataDirectory => Path.Combine(Directory, "data");
    private string LogFile => Path.Combine(Directory, "server.log");

    /// <summary>A connection string to <paramref name="database"/> as the superuser (trust authentication on loopback).</summary>
    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username={ServiceUser};Database={database};Timeout=5;Command Timeout=30;Include Error Detail=true";

    /// <summary>Initialises a cluster in a new temp directory and starts it.</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        var bin = FindBin();
        var directory = Path.Combine(Path.GetTempPath(), "ot-pg-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(directory);
        var server = new PostgresServer(bin, directory, FreePort());
        try
        {
            await server.RunAsync(["chown", ServiceUser, directory], asServiceUser: false, RunsAsRoot);
            await server.RunAsync([Path.Combine(bin, "initdb"), "-D", server.DataDirectory, "-U", ServiceUser, "--auth=trust",
                "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions"], asServiceUser: true);
            await server.StartAgainAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the server (again) on its port, with the data it had; returns once it accepts connections.</summary>
    public async Task StartAgainAsync()
    {
        // Loopback only, the socket in our directory (not /var/run/postgresql, which may not exist or be another's).
        var options = $"-p {Port} -k {Directory} -c listen_addresses=127.0.0.1 -c fsync=off " +
            "-c full_page_writes=off -c max_connections=100 -c shared_buffers=32MB";
        await RunAsync([Path.Combine(_bin, "pg_ctl"), "-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "-o", options, "start"], asServiceUser: true);
        IsRunning = true;
    }

    /// <summary>
    /// Stops the server. <paramref name="immediate"/>: as a crash looks to clients (every backend killed, no checkpoint;
    /// the next start recovers from the WAL); else a fast shutdown (sessions ended, a checkpoint written).
    /// </summary>
    public async Task StopAsync(bool immediate = true)
    {
        if (!IsRunning)
            return;
        await RunAsync([Path.Combine(_bin, "pg_ctl"), "-D", DataDirectory, "-m", immediate ? "immediate" : "fast", "-w", "-t", "60", "stop"], asServiceUser: true);
        IsRunning = false;
    }

    /// <summary>
    /// A new empty database for one test (or one test class), and a connection string to it. With
    /// <paramref name="tablespaceLocation"/> (an empty directory the postgres user owns), the database and everything in
    /// it live there, in a tablespace of its own; the server's WAL stays in its data directory.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(string? tablespaceLocation = null)
    {
        var name = $"t{Interlocked.Increment(ref _databases)}_{Guid.NewGuid().ToString("N")[..8]}";
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        var sql = $"CREATE DATABASE {name}";
        if (tablespaceLocation is not null)
        {
            // CREATE TABLESPACE cannot run in a transaction block: its own command.
            await using var tablespace = new NpgsqlCommand($"CREATE TABLESPACE ts_{name} LOCATION '{tablespaceLocation.Replace("'", "''", StringComparison.Ordinal)}'", connection);
            await tablespace.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
            sql += $" TABLESPACE ts_{name}";
        }
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        return ConnectionString(name);
    }

    /// <summary>The server's log, for a failing test's message.</summary>
    public string ReadLog() => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "";

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(immediate: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone: nothing to stop.
        }
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
        catch (UnauthorizedAccessException)
        {
            // Best effort.
        }
    }

    private static bool RunsAsRoot => Environment.UserName == "root";

    /// <summary>The newest installed version's bin directory (Debian: /usr/lib/postgresql/15/bin, …/17/bin).</summary>
    private static string FindBin()
    {
        const string root = "/usr/lib/postgresql";
        var bin = System.IO.Directory.Exists(root)
            ? System.IO.Directory.GetDirectories(root)
                .Select(d => (Directory: d, Version: int.TryParse(Path.GetFileName(d), out var v) ? v : -1))
                .Where(d => d.Version > 0 && File.Exists(Path.Combine(d.Directory, "bin", "initdb")))
                .OrderByDescending(d => d.Version)
                .Select(d => Path.Combine(d.Directory, "bin"))
                .FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException(
            $"No PostgreSQL under {root}/<version>/bin: install Debian's 'postgresql' package (scripts/test.sh does when it is missing).");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private async Task RunAsync(string[] command, bool asServiceUser, bool when = true)
    {
        if (!when)
            return;
        // initdb and the server refuse to run as root: as root, run them as the postgres user (runuser, util-linux).
        string[] full = asServiceUser && RunsAsRoot ? ["runuser", "-u", ServiceUser, "--", .. command] : command;
        var info = new ProcessStartInfo(full[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in full[1..])
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Eventually.Timeout * 2);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'{string.Join(' ', full)}' exited with {process.ExitCode}: {await output}{await error}\n{ReadLog()}");
        }
    }
}

/// <summary>One PostgreSQL server for a test class (xunit class fixture); each test takes a database of its own.</summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("Not started.");

    public async ValueTask InitializeAsync() => _server = await PostgresServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }
}
