namespace OptionsTracker.Tests.Fixtures;

/// <summary>Measures what a piece of code allocates on the calling thread.</summary>
public static class Allocations
{
    /// <summary>
    /// The fewest bytes one run of <paramref name="action"/> allocated over a few runs. A loaded machine can make
    /// the runtime allocate on the test's thread now and then (tiering a method up mid-loop, for one), so a single
    /// run may show a few KB the code never asked for; an allocation the code makes itself shows in every run.
    /// </summary>
    public static long Fewest(Action action, int runs = 5)
    {
        long fewest = long.MaxValue;
        for (int run = 0; run < runs && fewest > 0; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            action();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return fewest;
    }
}
