using Npgsql;
using NpgsqlTypes;
using OptionsTracker.Book;
using OptionsTracker.Tape;

namespace OptionsTracker.History;

// The tape's trades in PostgreSQL (docs/tape.md, "The tape in memory, in Redis, in the history"): one table, not
// partitioned. A partitioned table's unique key must contain the partition key, so (venue, trade_id) could not be the
// key that makes a write idempotent; and trades are few next to quotes (Bybit's options trade tens of thousands a day
// against millions of quote rows), so retention's DELETE of the days past KeepHourly is small and autovacuum reuses the
// space. Read by (coin, time), the index below.
public sealed partial class PostgresHistoryStore
{
    // Run by OpenAsync after the main schema, inside its transaction and advisory lock.
    private const string TradesSchema = """
        CREATE TABLE IF NOT EXISTS trades (
            time timestamptz NOT NULL,
            expiry timestamptz NOT NULL,
            exchange_seq bigint NOT NULL,
            sequence bigint NOT NULL,
            size float8, price float8, iv float8, mark_iv float8, mark_price float8, index_price float8,
            delta float8, gamma float8, vega float8,
            strike numeric NOT NULL,
            option_type smallint NOT NULL,
            side smallint NOT NULL,
            is_block boolean NOT NULL,
            venue text COLLATE "C" NOT NULL,
            trade_id text COLLATE "C" NOT NULL,
            coin text COLLATE "C" NOT NULL,
            symbol text COLLATE "C" NOT NULL,
            block_id text COLLATE "C",
            PRIMARY KEY (venue, trade_id));
        CREATE INDEX IF NOT EXISTS trades_coin_time ON trades (coin, time, exchange_seq, trade_id);
        """;

    private const string TradeColumns =
        "time, expiry, exchange_seq, sequence, size, price, iv, mark_iv, mark_price, index_price, delta, gamma, vega, strike, option_type, " +
        "side, is_block, venue, trade_id, coin, symbol, block_id";

    public async Task WriteTradesAsync(IReadOnlyList<Trade> trades, CancellationToken cancellationToken)
    {
        EnsureOpened();
        if (trades.Count == 0)
            return;
        // The first of each (venue, id) in the batch, as the key keeps the first one written.
        var batch = trades.DistinctBy(t => (t.Venue, t.Id)).ToList();
        var written = await WithRetryAsync("trade write", async () =>
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using var insert = new NpgsqlCommand($"""
                INSERT INTO trades ({TradeColumns})
                SELECT * FROM unnest(@time, @expiry, @exchange_seq, @sequence, @size, @price, @iv, @mark_iv, @mark_price, @index_price,
                    @delta, @gamma, @vega, @strike, @option_type, @side, @is_block, @venue, @trade_id, @coin, @symbol, @block_id)
                ON CONFLICT (venue, trade_id) DO NOTHING
                """, connection);
            insert.Parameters.AddWithValue("time", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz,
                batch.Select(t => DateTimeOffset.FromUnixTimeMilliseconds(t.TimeMs).UtcDateTime).ToArray());
            insert.Parameters.AddWithValue("expiry", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz,
                batch.Select(t => ToMilliseconds(t.ExpiryUtc).UtcDateTime).ToArray());
            insert.Parameters.AddWithValue("exchange_seq", batch.Select(t => t.ExchangeSequence).ToArray());
            insert.Parameters.AddWithValue("sequence", batch.Select(t => t.Sequence).ToArray());
            AddValues(insert, "size", batch, t => t.Size);
            AddValues(insert, "price", batch, t => t.Price);
            AddValues(insert, "iv", batch, t => t.Iv);
            AddValues(insert, "mark_iv", batch, t => t.MarkIv);
            AddValues(insert, "mark_price", batch, t => t.MarkPrice);
            AddValues(insert, "index_price", batch, t => t.IndexPrice);
            AddValues(insert, "delta", batch, t => t.Delta);
            AddValues(insert, "gamma", batch, t => t.Gamma);
            AddValues(insert, "vega", batch, t => t.Vega);
            insert.Parameters.AddWithValue("strike", batch.Select(t => t.Strike).ToArray());
            insert.Parameters.AddWithValue("option_type", batch.Select(t => (short)t.Type).ToArray());
            insert.Parameters.AddWithValue("side", batch.Select(t => (short)t.Side).ToArray());
            insert.Parameters.AddWithValue("is_block", batch.Select(t => t.IsBlock).ToArray());
            insert.Parameters.AddWithValue("venue", batch.Select(t => t.Venue.Id).ToArray());
            insert.Parameters.AddWithValue("trade_id", batch.Select(t => t.Id).ToArray());
            insert.Parameters.AddWithValue("coin", batch.Select(t => t.BaseCoin).ToArray());
            insert.Parameters.AddWithValue("symbol", batch.Select(t => t.Symbol).ToArray());
            insert.Parameters.AddWithValue("block_id", NpgsqlDbType.Array | NpgsqlDbType.Text, batch.Select(t => t.BlockId).ToArray());
            return await insert.ExecuteNonQueryAsync(cancellationToken);
        });
        Log.TradesWritten(_logger, Name, written, trades.Count);
    }

    // A value not sent (NaN) is SQL NULL, as in every table of this store; NULL reads back as NaN.
    private static void AddValues(NpgsqlCommand command, string name, List<Trade> trades, Func<Trade, double> value) =>
        command.Parameters.AddWithValue(name, NpgsqlDbType.Array | NpgsqlDbType.Double, trades.Select(t => NullIfNaN(value(t))).ToArray());

    public async Task<IReadOnlyList<Trade>> TradesAsync(string coin, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        EnsureOpened();
        return await WithRetryAsync("trade read", async () =>
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using var select = new NpgsqlCommand($"""
                SELECT {TradeColumns} FROM trades
                WHERE coin = @coin AND time >= @from AND time <= @to
                ORDER BY time, exchange_seq, trade_id
                LIMIT @limit
                """, connection);
            select.Parameters.AddWithValue("coin", coin);
            select.Parameters.AddWithValue("from", NpgsqlDbType.TimestampTz, ToMilliseconds(from).UtcDateTime);
            select.Parameters.AddWithValue("to", NpgsqlDbType.TimestampTz, ToMilliseconds(to).UtcDateTime);
            select.Parameters.AddWithValue("limit", (long)Math.Max(0, limit));
            var trades = new List<Trade>();
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                trades.Add(new Trade
                {
                    TimeMs = new DateTimeOffset(reader.GetDateTime(0), TimeSpan.Zero).ToUnixTimeMilliseconds(),
                    ExpiryUtc = new DateTimeOffset(reader.GetDateTime(1), TimeSpan.Zero),
                    ExchangeSequence = reader.GetInt64(2),
                    Sequence = reader.GetInt64(3),
                    Size = ReadDouble(reader, 4),
                    Price = ReadDouble(reader, 5),
                    Iv = ReadDouble(reader, 6),
                    MarkIv = ReadDouble(reader, 7),
                    MarkPrice = ReadDouble(reader, 8),
                    IndexPrice = ReadDouble(reader, 9),
                    Delta = ReadDouble(reader, 10),
                    Gamma = ReadDouble(reader, 11),
                    Vega = ReadDouble(reader, 12),
                    Strike = reader.GetDecimal(13),
                    Type = (OptionType)reader.GetInt16(14),
                    Side = (TradeSide)reader.GetInt16(15),
                    IsBlock = reader.GetBoolean(16),
                    Venue = Venue.Parse(reader.GetString(17)),
                    Id = reader.GetString(18),
                    BaseCoin = reader.GetString(19),
                    Symbol = reader.GetString(20),
                    BlockId = reader.IsDBNull(21) ? null : reader.GetString(21),
                });
            }
            return (IReadOnlyList<Trade>)trades;
        });
    }

    private static double ReadDouble(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? double.NaN : reader.GetDouble(ordinal);

    /// <summary>Trades older than the hourly cutoff, in retention's transaction (see the comment at the top: a small DELETE).</summary>
    private static NpgsqlBatchCommand DeleteTradesBefore(DateTimeOffset cutoff) =>
        WithTimeRange(new NpgsqlBatchCommand("DELETE FROM trades WHERE time < @cutoff"), ("cutoff", cutoff));
}
