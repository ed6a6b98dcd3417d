namespace OptionsTracker.Simulator;

/// <summary>One coin's index and listed options. Written under <see cref="SimulatedMarket"/>'s lock; read from anywhere.</summary>
internal sealed class CoinBoard(CoinProfile profile)
{
    private InstrumentState[] _listed = [];
    private InstrumentState[] _preLaunch = [];
    private InstrumentState[] _delivering = [];

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

    /// <summary>Listed but not trading yet (status <c>PreLaunch</c>): in instruments-info only, no ticker.</summary>
    public InstrumentState[] PreLaunch
    {
        get => Volatile.Read(ref _preLaunch);
        set => Volatile.Write(ref _preLaunch, value);
    }

    /// <summary>Delivered, still listed as <c>Delivering</c> until 12:00 UTC of their delivery day, with a delivery price.</summary>
    public InstrumentState[] Delivering
    {
        get => Volatile.Read(ref _delivering);
        set => Volatile.Write(ref _delivering, value);
    }

    /// <summary>Settlement history for new-delivery-price: delivery time (ms) → price, newest last. Under the market lock.</summary>
    public SortedList<long, double> Settlements { get; } = [];
}
