namespace OptionsTracker.Tests.Fixtures;

/// <summary>Where the repository is, found from the test binaries upwards.</summary>
public static class RepositoryPaths
{
    public static readonly string Root = FindRoot();

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "OptionsTracker.slnx")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
