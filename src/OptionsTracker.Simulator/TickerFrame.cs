using System.Buffers.Text;

namespace OptionsTracker.Simulator;

/// <summary>
/// Writes one <c>tickers.{symbol}</c> push straight into a byte buffer, in Bybit's option WebSocket shape: a snapshot
/// whose <c>data</c> is an object with the WebSocket field names (<c>bidPrice</c>, <c>markPriceIv</c>, ...), every number
/// a string. This is the push hot path: no strings, no allocation.
/// </summary>
internal static class TickerFrame
{
    /// <summary>A buffer this large always holds a frame (symbols are short; numbers are capped by PlainNumber).</summary>
    public const int Capacity = 4096;

    public static int Write(Span<byte> buffer, ReadOnlySpan<byte> symbol, in SimulatedTicker t, long sequence, long timestampMs)
    {
        var w = new Writer(buffer);
        w.Raw("{\"id\":\"tickers."u8);
        w.Raw(symbol);
        w.Raw("-"u8);
        w.Long(sequence);
        w.Raw("-"u8);
        w.Long(timestampMs);
        w.Raw("\",\"topic\":\"tickers."u8);
        w.Raw(symbol);
        w.Raw("\",\"ts\":"u8);
        w.Long(timestampMs);
        w.Raw(",\"data\":{\"symbol\":\""u8);
        w.Raw(symbol);
        w.Number("\",\"bidPrice\":\""u8, t.BidPrice);
        w.Number("\",\"bidSize\":\""u8, t.BidSize);
        w.Number("\",\"bidIv\":\""u8, t.BidIv);
        w.Number("\",\"askPrice\":\""u8, t.AskPrice);
        w.Number("\",\"askSize\":\""u8, t.AskSize);
        w.Number("\",\"askIv\":\""u8, t.AskIv);
        w.Number("\",\"lastPrice\":\""u8, t.LastPrice);
        w.Number("\",\"highPrice24h\":\""u8, t.HighPrice24h);
        w.Number("\",\"lowPrice24h\":\""u8, t.LowPrice24h);
        w.Number("\",\"markPrice\":\""u8, t.MarkPrice);
        w.Number("\",\"indexPrice\":\""u8, t.IndexPrice);
        w.Number("\",\"markPriceIv\":\""u8, t.MarkIv);
        w.Number("\",\"underlyingPrice\":\""u8, t.UnderlyingPrice);
        w.Number("\",\"openInterest\":\""u8, t.OpenInterest);
        w.Number("\",\"turnover24h\":\""u8, t.Turnover24h);
        w.Number("\",\"volume24h\":\""u8, t.Volume24h);
        w.Number("\",\"totalVolume\":\""u8, t.TotalVolume);
        w.Number("\",\"totalTurnover\":\""u8, t.TotalTurnover);
        w.Number("\",\"delta\":\""u8, t.Delta);
        w.Number("\",\"gamma\":\""u8, t.Gamma);
        w.Number("\",\"vega\":\""u8, t.Vega);
        w.Number("\",\"theta\":\""u8, t.Theta);
        w.Number("\",\"predictedDeliveryPrice\":\""u8, t.PredictedDeliveryPrice);
        w.Number("\",\"change24h\":\""u8, t.Change24h);
        w.Raw("\"},\"type\":\"snapshot\"}"u8);
        return w.Position;
    }

    private ref struct Writer(Span<byte> buffer)
    {
        private readonly Span<byte> _buffer = buffer;

        public int Position { get; private set; }

        public void Raw(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(_buffer[Position..]);
            Position += bytes.Length;
        }

        public void Long(long value)
        {
            Utf8Formatter.TryFormat(value, _buffer[Position..], out int written);
            Position += written;
        }

        public void Number(ReadOnlySpan<byte> prefix, double value)
        {
            Raw(prefix);
            var target = _buffer.Slice(Position, Math.Min(PlainNumber.MaxLength, _buffer.Length - Position));
            if (PlainNumber.TryFormat(value, target, out int written))
            {
                Position += written;
            }
            else
            {
                _buffer[Position++] = (byte)'0';
            }
        }
    }
}
