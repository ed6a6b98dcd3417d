namespace OptionsTracker.Dashboard;

/// <summary>A level marked on a <c>StrikeChart</c> by a vertical line and a label: max pain, the gamma flip, the index.</summary>
public sealed record StrikeMarker(string Name, double Strike, string Label, string Color);
