namespace OptionsTracker.Dashboard;

/// <summary>One line or set of points on a chart: x as numbers or ISO dates, y as numbers (NaN = gap).</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<object> X, IReadOnlyList<double> Y, string Color, bool Lines);
