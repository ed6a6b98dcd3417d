using System.Data.Common;
using System.Globalization;
using DuckDB.NET.Data;
using OptionsTracker.Book;
using OptionsTracker.Tape;

namespace OptionsTracker.History;

// The tape's trades in the DuckDB file (docs/tape.md, "The tape in memory, in Redis, in the history"): one row per
// trade, every field of Trade, in the order written (the recorder writes the tape's order, so rows arrive by time and
// DuckDB's zone maps on time_ms skip the row groups of other days). No primary key: DuckDB keeps a key's index (ART) in
// memory, which for years of trades would cost hundreds of MB; idempotency by (venue, id) is kept by the writer instead
// (one writer, under _writeGate), which looks a batch's ids up among the coin's trades within a day of the batch (a
// trade's time is its match time at the venue, the same whichever source delivered it).
public sealed partial class DuckDbHistoryStore
{
    /// <summary>How far around a batch's times a duplicate is looked for (a trade's time never changes; this is slack).</summary>
    private const long TradeLookupSlackMs = 24 * 3600 * 1000;

    // Created by OpenDatabase after the main schema (its own statement, so the history's other tables stay untouched).
    private const string TradesSchema = """
        CREATE TABLE IF NOT EXISTS trades (
            time_ms BIGINT NOT NULL, coin VARCHAR NOT NULL, venue VARCHAR NOT NULL, trade_id VARCHAR NOT NULL, symbol VARCHAR NOT NULL,
            expiry_ms BIGINT NOT NULL, strike VARCHAR NOT NULL, type VARCHAR NOT NULL, side VARCHAR NOT NULL,
            size DOUBLE, price DOUBLE, iv DOUBLE, mark_iv DOUBLE, mark_price DOUBLE, index_price DOUBLE,
            delta DOUBLE, gamma DOUBLE, vega DOUBLE, is_block BOOLEAN NOT NULL, block_id VARCHAR,
            exchange_seq BIGINT NOT NULL, sequence BIGINT NOT NULL);
        """;

    private const string TradeColumns =
        "time_ms, coin, venue, trade_id, symbol, expiry_ms, strike, type, side, size, price, iv, mark_iv, mark_price, index_price, " +
        "delta, gamma, vega, is_block, block_id, exchange_seq, sequence";

    private static void CreateTradesTable(DuckDBConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = TradesSchema;
        command.ExecuteNonQuery();
    }

    public async Task WriteTradesAsync(IReadOnlyList<Trade> trades, CancellationToken cancellationToken)
    {
        if (trades.Count == 0)
            return;
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var written = await RunAsync(connection => WriteTrades(connection, trades), cancellationToken);
            Log.TradesWritten(_logger, Name, written, trades.Count);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// The Appender fills a temporary table of this connection (one INSERT a row costs milliseconds in DuckDB); one
    /// statement then moves the rows not recorded yet, the first of each (venue, id) in the batch, in one transaction.
    /// </summary>
    private static long WriteTrades(DuckDBConnection connection, IReadOnlyList<Trade> trades)
    {
        using (var create = connection.CreateCommand())
        {
            create.CommandText = $"""
                CREATE TEMP TABLE IF NOT EXISTS trades_staging AS SELECT 0::INTEGER AS ordinal, {TradeColumns} FROM trades LIMIT 0;
                DELETE FROM trades_staging;
                """;
            create.ExecuteNonQuery();
        }
        long from = long.MaxValue, to = long.MinValue;
        using (var appender = connection.CreateAppender("temp", "main", "trades_staging"))
        {
            for (var i = 0; i < trades.Count; i++)
            {
                var trade = trades[i];
                from = Math.Min(from, trade.TimeMs);
                to = Math.Max(to, trade.TimeMs);
                var row = appender.CreateRow()
                    .AppendValue(i).AppendValue(trade.TimeMs).AppendValue(trade.BaseCoin).AppendValue(trade.Venue.Id).AppendValue(trade.Id)
                    .AppendValue(trade.Symbol).AppendValue(trade.ExpiryUtc.ToUnixTimeMilliseconds())
                    .AppendValue(trade.Strike.ToString(CultureInfo.InvariantCulture)).AppendValue(TypeCode(trade.Type)).AppendValue(SideCode(trade.Side));
                foreach (var value in (ReadOnlySpan<double>)[trade.Size, trade.Price, trade.Iv, trade.MarkIv, trade.MarkPrice, trade.IndexPrice,
                    trade.Delta, trade.Gamma, trade.Vega])
                {
                    row = AppendValue(row, value);
                }
                row = row.AppendValue(trade.IsBlock);
                row = trade.BlockId is null ? row.AppendNullValue() : row.AppendValue(trade.BlockId);
                row.AppendValue(trade.ExchangeSequence).AppendValue(trade.Sequence).EndRow();
            }
        }
        long written;
        using (var transaction = connection.BeginTransaction())
        {
            using var insert = connection.CreateCommand();
            insert.CommandText = $"""
                INSERT INTO trades
                SELECT {TradeColumns} FROM trades_staging s
                WHERE NOT EXISTS (
                    SELECT 1 FROM trades t
                    WHERE t.time_ms BETWEEN $from AND $to AND t.coin = s.coin AND t.venue = s.venue AND t.trade_id = s.trade_id)
                QUALIFY row_number() OVER (PARTITION BY venue, trade_id ORDER BY ordinal) = 1
                ORDER BY ordinal
                """;
            insert.Parameters.Add(new DuckDBParameter("from", from - TradeLookupSlackMs));
            insert.Parameters.Add(new DuckDBParameter("to", to + TradeLookupSlackMs));
            written = insert.ExecuteNonQuery();
            transaction.Commit();
        }
        using (var clear = connection.CreateCommand())
        {
            clear.CommandText = "DELETE FROM trades_staging";
            clear.ExecuteNonQuery();
        }
        return written;
    }

    public Task<IReadOnlyList<Trade>> TradesAsync(string coin, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
        RunAsync(connection =>
        {
            using var command = connection.CreateCommand();
            // Exchange order (Trade.CompareByExchangeOrder): VARCHAR compares byte by byte in DuckDB, ordinal as in .NET.
            command.CommandText = $"""
                SELECT {TradeColumns} FROM trades
                WHERE coin = $coin AND time_ms BETWEEN $from AND $to
                ORDER BY time_ms, exchange_seq, trade_id
                LIMIT $limit
                """;
            command.Parameters.Add(new DuckDBParameter("coin", coin));
            command.Parameters.Add(new DuckDBParameter("from", from.ToUnixTimeMilliseconds()));
            command.Parameters.Add(new DuckDBParameter("to", to.ToUnixTimeMilliseconds()));
            command.Parameters.Add(new DuckDBParameter("limit", (long)Math.Max(0, limit)));
            using var reader = command.ExecuteReader();
            var trades = new List<Trade>();
            while (reader.Read())
                trades.Add(ReadTrade(reader));
            return (IReadOnlyList<Trade>)trades;
        }, cancellationToken);

    /// <summary>Removes trades older than <paramref name="cutoffMs"/> (KeepHourly), inside retention's transaction.</summary>
    private static long DeleteTradesBefore(DuckDBConnection connection, long cutoffMs)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM trades WHERE time_ms < $cutoff";
        command.Parameters.Add(new DuckDBParameter("cutoff", cutoffMs));
        return command.ExecuteNonQuery();
    }

    private static Trade ReadTrade(DbDataReader reader) => new()
    {
        TimeMs = reader.GetInt64(0),
        BaseCoin = reader.GetString(1),
        Venue = Venue.Parse(reader.GetString(2)),
        Id = reader.GetString(3),
        Symbol = reader.GetString(4),
        ExpiryUtc = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
        Strike = decimal.Parse(reader.GetString(6), NumberStyles.Number, CultureInfo.InvariantCulture),
        Type = reader.GetString(7) == "P" ? OptionType.Put : OptionType.Call,
        Side = reader.GetString(8) == "sell" ? TradeSide.Sell : TradeSide.Buy,
        Size = ReadValue(reader, 9),
        Price = ReadValue(reader, 10),
        Iv = ReadValue(reader, 11),
        MarkIv = ReadValue(reader, 12),
        MarkPrice = ReadValue(reader, 13),
        IndexPrice = ReadValue(reader, 14),
        Delta = ReadValue(reader, 15),
        Gamma = ReadValue(reader, 16),
        Vega = ReadValue(reader, 17),
        IsBlock = reader.GetBoolean(18),
        BlockId = reader.IsDBNull(19) ? null : reader.GetString(19),
        ExchangeSequence = reader.GetInt64(20),
        Sequence = reader.GetInt64(21),
    };

    private static string TypeCode(OptionType type) => type == OptionType.Put ? "P" : "C";

    private static string SideCode(TradeSide side) => side == TradeSide.Sell ? "sell" : "buy";
}
