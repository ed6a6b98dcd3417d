using BenchmarkDotNet.Attributes;

namespace OptionsTracker.Benchmarks;

/// <summary>What one read of the wall clock costs, as the feed does it per message (TimeProvider, Unix milliseconds).</summary>
[MemoryDiagnoser]
public class ClockBenchmarks
{
    private const int Reads = 1000;

    // Injected like the feed's, so the call is the same virtual call.
    private readonly TimeProvider _time = TimeProvider.System;

    [Benchmark(OperationsPerInvoke = Reads)]
    public long UnixMillisecondsFromTimeProvider()
    {
        long sum = 0;
        for (var i = 0; i < Reads; i++)
            sum += _time.GetUtcNow().ToUnixTimeMilliseconds();
        return sum;
    }
}
