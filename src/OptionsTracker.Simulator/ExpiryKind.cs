namespace OptionsTracker.Simulator;

/// <summary>Why an expiry is listed; coarser kinds get wider, coarser strike grids.</summary>
internal enum ExpiryKind
{
    Daily,
    Weekly,
    Monthly,
    Quarterly,
}
