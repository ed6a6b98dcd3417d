namespace OptionsTracker.Simulator;

/// <summary>One coin's index and listed options. Written under <see cref="SimulatedMarket"/>'s lock; read from anywhere.</summary>
internal sealed class CoinBoard(CoinProfile profile)
{
    private InstrumentState[] _listed = [];

    public CoinProfile Profile { get; } = profile;

    public string BaseCoin => Profile.BaseCoin;

    /// <summary>The index (spot) price; written under the market lock, read torn-free as a double.</summary>
    public double Index { get; set; } = profile.Spot;

    /// <summary>A slow mean-reverting shift of the whole vol surface, as a fraction of the base vol.</summary>
    public double VolShift { get; set; }

    /// <summary>Listed options by ascending symbolId (new listings get higher ids), replaced whole on each change.</summary>
    public InstrumentState[] Listed
    {
        get => Volatile.Read(ref _listed);
        set => Volatile.Write(ref _listed, value);
    }
}
