using System.Diagnostics;

namespace OptionsTracker.Tests.Fixtures;

/// <summary>
/// A tmpfs of a few megabytes mounted for one test, so a store's disk can really fill up (ENOSPC from the kernel, not a
/// simulated error). Mounting needs root on Linux (<see cref="CanMount"/>); CI runs as root. Unmounted (lazily, so an
/// open file cannot keep it) and its mount point removed when disposed.
/// </summary>
public sealed class TinyFilesystem : IAsyncDisposable
{
    private TinyFilesystem(string path) => Path = path;

    public static bool CanMount => OperatingSystem.IsLinux() && Environment.UserName == "root";

    /// <summary>The mount point: a directory of /tmp that other users (PostgreSQL's) can reach.</summary>
    public string Path { get; }

    public long FreeBytes => new DriveInfo(Path).AvailableFreeSpace;

    public static async Task<TinyFilesystem> MountAsync(int megabytes)
    {
        // Not CreateTempSubdirectory: its 0700 would keep the postgres user out of a tablespace inside.
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ot-tiny-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        Assert.Equal(0, await RunAsync("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", path));
        return new TinyFilesystem(path);
    }

    /// <summary>Writes <paramref name="file"/> until at most <paramref name="leaveFree"/> bytes are free (0: until the disk refuses).</summary>
    public async Task FillAsync(string file, long leaveFree = 0)
    {
        var token = TestContext.Current.CancellationToken;
        await using var stream = new FileStream(System.IO.Path.Combine(Path, file), FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        // Megabytes first, then pages, so nothing but less than a page is left when the disk refuses.
        foreach (var size in new[] { 1 << 20, 4096 })
        {
            var chunk = new byte[size];
            while (FreeBytes - size >= leaveFree)
            {
                try
                {
                    await stream.WriteAsync(chunk, token);
                }
                catch (IOException)
                {
                    break;
                }
            }
        }
    }

    public void Free(string file) => File.Delete(System.IO.Path.Combine(Path, file));

    public async ValueTask DisposeAsync()
    {
        await RunAsync("umount", "-l", Path);
        try
        {
            Directory.Delete(Path);
        }
        catch (IOException)
        {
            // Best effort: a mount point still busy stays empty in /tmp.
        }
    }

    /// <summary>Runs a program and returns its exit code (chown, mount, umount).</summary>
    public static async Task<int> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        await process.WaitForExitAsync(CancellationToken.None);
        return process.ExitCode;
    }
}
