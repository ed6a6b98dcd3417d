namespace OptionsTracker.Dashboard;

/// <summary>
/// One bar series of a <c>StrikeChart</c>: a value per strike (NaN = no bar). <see cref="Down"/> draws it below the axis
/// (puts under calls) while its data table keeps the value; <see cref="Colors"/>, when given, colours bar by bar.
/// </summary>
public sealed record StrikeBars(string Name, IReadOnlyList<double> Y, string Color, bool Down = false, IReadOnlyList<string>? Colors = null);
