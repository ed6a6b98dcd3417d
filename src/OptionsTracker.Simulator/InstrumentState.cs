using System.Text;

namespace OptionsTracker.Simulator;

/// <summary>
/// One listed option: its fixed description, the market model's state for it, and its current ticker.
/// The model fields are written only under <see cref="SimulatedMarket"/>'s lock. The ticker has that single writer
/// and many readers (push loops, REST): readers get a consistent copy through a seqlock (odd version = being written),
/// so neither side locks or allocates.
/// </summary>
internal sealed class InstrumentState
{
    private int _version;
    private SimulatedTicker _ticker;
    private volatile bool _isListed = true;
    private SimulatedInstrument _info;

    public InstrumentState(SimulatedInstrument info, int symbolId, ExpiryKind expiryKind, decimal strikeStep, long launchTimeMs)
    {
        _info = info;
        SymbolId = symbolId;
        ExpiryKind = expiryKind;
        StrikeStep = strikeStep;
        LaunchTimeMs = launchTimeMs;
        Topic = "tickers." + info.Symbol;
        SymbolUtf8 = Encoding.ASCII.GetBytes(info.Symbol);
        IsCall = info.OptionsType == "Call";
        Strike = (double)info.Strike;
        DeliveryTimeMs = info.DeliveryTime.ToUnixTimeMilliseconds();
        DisplayName = OptionSymbol.DisplayName(info.BaseCoin, info.DeliveryTime, info.Strike, IsCall);
        _ticker = new SimulatedTicker { Symbol = info.Symbol };
    }

    /// <summary>The description as instruments-info serves it; replaced whole (status) under SimulatedMarket's lock.</summary>
    public SimulatedInstrument Info
    {
        get => Volatile.Read(ref _info);
        private set => Volatile.Write(ref _info, value);
    }

    /// <summary>The settlement price once delivered (the index at delivery); NaN before.</summary>
    public double DeliveryPrice { get; private set; } = double.NaN;

    /// <summary>Launch time in the future while <c>PreLaunch</c>; the market launches it when the clock passes it.</summary>
    public long LaunchTimeMs { get; private set; }
    public string Symbol => Info.Symbol;
    public string Topic { get; }
    public byte[] SymbolUtf8 { get; }
    public string DisplayName { get; }
    public int SymbolId { get; }
    public ExpiryKind ExpiryKind { get; }
    public decimal StrikeStep { get; }
    public long DeliveryTimeMs { get; }
    public bool IsCall { get; }
    public double Strike { get; }

    /// <summary>False once delivered: it leaves REST answers and its topic stops pushing.</summary>
    public bool IsListed
    {
        get => _isListed;
        set => _isListed = value;
    }

    /// <summary>Starts trading (from <c>PreLaunch</c>) at <paramref name="nowMs"/>; under SimulatedMarket's lock.</summary>
    public void Launch(long nowMs)
    {
        LaunchTimeMs = nowMs;
        Info = Info with { Status = "Trading" };
    }

    /// <summary>Delivered at <paramref name="price"/>: <c>Delivering</c> until 12:00 UTC; under SimulatedMarket's lock.</summary>
    public void Deliver(double price)
    {
        IsListed = false;
        DeliveryPrice = price;
        Info = Info with { Status = "Delivering" };
    }

    // Market model state, under SimulatedMarket's lock.
    public double OpenInterestBase;
    public double VolumeFraction;
    public double LifetimeMultiple;
    public double BookSizeBase;
    public bool HasTraded;
    public bool HasBidQuote = true;
    public double LastPrice = double.NaN;
    public double Open24h = double.NaN;
    public double High24h = double.NaN;
    public double Low24h = double.NaN;
    public double TradedVolume;

    /// <summary>The notional of the trades since the simulator started (each trade's size times the index then).</summary>
    public double TradedTurnover;

    /// <summary>The index when the option was listed: the notional of the volume it was listed with.</summary>
    public double ListingIndex;
    public double PinnedMark = double.NaN;

    /// <summary>A consistent copy of the current ticker; any thread.</summary>
    public SimulatedTicker ReadTicker()
    {
        var spinner = default(SpinWait);
        while (true)
        {
            int before = Volatile.Read(ref _version);
            if ((before & 1) == 0)
            {
                var copy = _ticker;
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref _version) == before)
                    return copy;
            }

            spinner.SpinOnce();
        }
    }

    /// <summary>Replaces the ticker; only under SimulatedMarket's lock (one writer at a time).</summary>
    public void PublishTicker(in SimulatedTicker ticker)
    {
        Interlocked.Increment(ref _version);
        _ticker = ticker;
        Volatile.Write(ref _version, _version + 1);
    }
}
