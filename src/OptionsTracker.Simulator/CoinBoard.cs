namespace OptionsTracker.Simulator;

/// <summary>One coin's index and listed options. Written under <see cref="SimulatedMarket"/>'s lock; read from anywhere.</summary>
internal sealed class CoinBoard(CoinProfile profile)
{
    private BoardListing _listing = BoardListing.Empty;

    public CoinProfile Profile { get; } = profile;

    public string BaseCoin => Profile.BaseCoin;

    /// <summary>The index (spot) price; written under the market lock, read torn-free as a double.</summary>
    public double Index { get; set; } = profile.Spot;

    /// <summary>A slow mean-reverting shift of the whole vol surface, as a fraction of the base vol.</summary>
    public double VolShift { get; set; }

    /// <summary>
    /// The coin's options in instruments-info, replaced whole (under the market lock) on each change. A reader takes it once:
    /// an option moving from one list to another (delivered, launched) is then in exactly one of them, never in neither.
    /// </summary>
    public BoardListing Listing
    {
        get => Volatile.Read(ref _listing);
        set => Volatile.Write(ref _listing, value);
    }

    /// <summary>Trading options by ascending symbolId (new listings get higher ids).</summary>
    public InstrumentState[] Listed => Listing.Listed;

    /// <summary>Listed but not trading yet (status <c>PreLaunch</c>): in instruments-info only, no ticker.</summary>
    public InstrumentState[] PreLaunch => Listing.PreLaunch;

    /// <summary>Delivered, still listed as <c>Delivering</c> until 12:00 UTC of their delivery day, with a delivery price.</summary>
    public InstrumentState[] Delivering => Listing.Delivering;

    /// <summary>Settlement history for new-delivery-price: delivery time (ms) → price, newest last. Under the market lock.</summary>
    public SortedList<long, double> Settlements { get; } = [];
}

/// <summary>One coin's instruments-info at one moment: trading, PreLaunch and Delivering options, each by ascending symbolId.</summary>
internal sealed record BoardListing(InstrumentState[] Listed, InstrumentState[] PreLaunch, InstrumentState[] Delivering)
{
    public static BoardListing Empty { get; } = new([], [], []);

    /// <summary>All three lists in one, by ascending symbolId (the order instruments-info pages by).</summary>
    public InstrumentState[] All() => PreLaunch.Length == 0 && Delivering.Length == 0
        ? Listed // the usual case: no copy per page
        : [.. Listed.Concat(PreLaunch).Concat(Delivering).OrderBy(i => i.SymbolId)];
}
