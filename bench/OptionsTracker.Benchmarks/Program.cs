using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// dotnet run -c Release --project bench/OptionsTracker.Benchmarks [-- --quick] [-- BenchmarkDotNet switches, e.g. --filter *Ceiling*]
// --quick: BenchmarkDotNet's short run (3 iterations), for a figure in a minute instead of a statistically solid one.
// In-process toolchain: the benchmarks need the host's internals (InternalsVisibleTo) and a running simulator for their
// frames, and no generated project has to build under our warnings-as-errors settings.
// --history-figures [duckdb|postgres]: recording's CPU cost, bytes per snapshot and the reads, on the cached datasets.
if (args is ["--history-figures", ..])
{
    await OptionsTracker.Benchmarks.HistoryFigures.RunAsync(args.Length > 1 ? args[1] : "duckdb", CancellationToken.None);
    return;
}
var quick = args.Contains("--quick", StringComparer.Ordinal);
args = [.. args.Where(a => a != "--quick")];
var config = DefaultConfig.Instance
    .AddJob((quick ? Job.ShortRun : Job.Default).WithToolchain(InProcessEmitToolchain.Instance))
    .AddDiagnoser(MemoryDiagnoser.Default)
    .AddColumn(StatisticColumn.OperationsPerSecond)
    .WithOptions(ConfigOptions.DisableOptimizationsValidator);
BenchmarkSwitcher.FromAssembly(typeof(OptionsTracker.Benchmarks.TickerFrameBenchmarks).Assembly)
    .Run(args.Length == 0 ? ["--filter", "*"] : args, config);
