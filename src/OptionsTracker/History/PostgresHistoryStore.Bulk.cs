using Npgsql;
using NpgsqlTypes;
using OptionsTracker.Book;

namespace OptionsTracker.History;

// The bulk path (IHistoryBulkWriter): many snapshots in one transaction, claimed together and copied by one binary
// COPY per table. Rows go in the order the recorder would write them (snapshot by snapshot), so the tables have the
// layout a recorded history has and the figures measured on a generated one hold for a recorded one.
public sealed partial class PostgresHistoryStore : IHistoryBulkWriter
{
    public async Task WriteSnapshotsAsync(IReadOnlyList<BoardSnapshot> snapshots, CancellationToken cancellationToken)
    {
        EnsureOpened();
        if (snapshots.Count == 0)
            return;
        await WithRetryAsync("bulk snapshot write", async () =>
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            foreach (var snapshot in snapshots)
            {
                var time = ToMilliseconds(snapshot.Time);
                if (snapshot.Quotes.Count > 0)
                {
                    await EnsureInstrumentIdsAsync(connection, snapshot.Quotes, cancellationToken);
                    await EnsureQuotePartitionAsync(connection, DateOnly.FromDateTime(time.UtcDateTime), cancellationToken);
                }
                if (snapshot.Measures.Count > 0)
                {
                    await EnsureMeasureIdsAsync(connection, snapshot.Measures, cancellationToken);
                    await EnsureMeasurePartitionAsync(connection, MonthOf(time), cancellationToken);
                }
            }

            // A batch of one UTC hour (the generator's) goes straight into blocks, as compaction would leave them; any
            // other batch as rows, compacted later.
            var hourMs = (long)TimeSpan.FromHours(1).TotalMilliseconds;
            var firstHour = ToMilliseconds(snapshots[0].Time).ToUnixTimeMilliseconds() / hourMs;
            DateTimeOffset? hour = snapshots.All(s => ToMilliseconds(s.Time).ToUnixTimeMilliseconds() / hourMs == firstHour) && snapshots.Any(s => s.Quotes.Count > 0)
                ? DateTimeOffset.FromUnixTimeMilliseconds(firstHour * hourMs) : null;
            if (hour is { } partitionHour)
                await EnsureBlockPartitionAsync(connection, DateOnly.FromDateTime(partitionHour.UtcDateTime), cancellationToken);
            // A batch within one UTC day (the measures' generator writes a day a batch) has its measures written straight as
            // day rows, as retention's fold would leave them; any other batch as rows, folded later.
            var dayMs = (long)TimeSpan.FromDays(1).TotalMilliseconds;
            var firstDay = ToMilliseconds(snapshots[0].Time).ToUnixTimeMilliseconds() / dayMs;
            DateTimeOffset? measureDay = snapshots.All(s => ToMilliseconds(s.Time).ToUnixTimeMilliseconds() / dayMs == firstDay) && snapshots.Any(s => s.Measures.Count > 0)
                ? DateTimeOffset.FromUnixTimeMilliseconds(firstDay * dayMs) : null;
            if (measureDay is { } partitionDay)
                await EnsureMeasureDayPartitionAsync(connection, MonthOf(partitionDay), cancellationToken);

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var pairs = new List<(string Coin, DateTime Time)>();
            foreach (var snapshot in snapshots)
            {
                var at = ToMilliseconds(snapshot.Time).UtcDateTime;
                var coins = new HashSet<string>(snapshot.Coins, StringComparer.Ordinal);
                foreach (var quote in snapshot.Quotes)
                    coins.Add(quote.Instrument.BaseCoin);
                foreach (var measure in snapshot.Measures)
                    coins.Add(measure.Coin);
                pairs.AddRange(coins.Select(c => (c, at)));
            }
            await using (var claim = new NpgsqlCommand("INSERT INTO snapshots (time) SELECT DISTINCT unnest(@times) ON CONFLICT (time) DO NOTHING", connection, transaction))
            {
                claim.Parameters.AddWithValue("times", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, snapshots.Select(s => ToMilliseconds(s.Time).UtcDateTime).ToArray());
                await claim.ExecuteNonQueryAsync(cancellationToken);
            }
            var claimed = new HashSet<(string, DateTime)>();
            await using (var claim = new NpgsqlCommand(
                "INSERT INTO snapshot_coins (coin, time) SELECT * FROM unnest(@coins, @times) ON CONFLICT (coin, time) DO NOTHING RETURNING coin, time",
                connection, transaction))
            {
                claim.Parameters.AddWithValue("coins", pairs.Select(p => p.Coin).ToArray());
                claim.Parameters.AddWithValue("times", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, pairs.Select(p => p.Time).ToArray());
                await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                    claimed.Add((reader.GetString(0), DateTime.SpecifyKind(reader.GetFieldValue<DateTime>(1), DateTimeKind.Utc)));
            }
            if (claimed.Count == 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                return;
            }
            if (hour is not null)
                await CopyHourAsync(connection, snapshots, claimed, cancellationToken);
            else
                CopyRows(connection, snapshots, claimed);
            if (measureDay is { } wholeDay)
                CopyMeasureDay(connection, snapshots, wholeDay, claimed);
            else
            {
                using var importer = connection.BeginBinaryImport("COPY measures (time, value, measure_id) FROM STDIN (FORMAT BINARY)");
                foreach (var snapshot in snapshots)
                {
                    var at = ToMilliseconds(snapshot.Time).UtcDateTime;
                    foreach (var measure in snapshot.Measures)
                    {
                        if (!claimed.Contains((measure.Coin, at)))
                            continue;
                        importer.StartRow();
                        importer.Write(at, NpgsqlDbType.TimestampTz);
                        WriteValue(importer, measure.Value);
                        importer.Write(_measureIds[(measure.Coin, measure.Name)], NpgsqlDbType.Integer);
                    }
                }
                importer.Complete();
            }
            await transaction.CommitAsync(cancellationToken);
        });
    }

    // Synchronous writes into the COPY stream: this runs on the caller's (the generator's writing) thread, and an await
    // per value costs more than the value.
    private void CopyRows(NpgsqlConnection connection, IReadOnlyList<BoardSnapshot> snapshots, HashSet<(string, DateTime)> claimed)
    {
        using var importer = connection.BeginBinaryImport($"COPY quotes ({QuoteColumns}) FROM STDIN (FORMAT BINARY)");
        foreach (var snapshot in snapshots)
        {
            var at = ToMilliseconds(snapshot.Time).UtcDateTime;
            foreach (var recorded in snapshot.Quotes)
            {
                if (!claimed.Contains((recorded.Instrument.BaseCoin, at)))
                    continue;
                var quote = recorded.Quote;
                importer.StartRow();
                importer.Write(at, NpgsqlDbType.TimestampTz);
                importer.Write(quote.ExchangeTimeMs, NpgsqlDbType.Bigint);
                importer.Write(quote.ReceivedAtMs, NpgsqlDbType.Bigint);
                WriteValue(importer, quote.DeliveryPrice);
                for (var field = 0; field < QuoteFields.Count; field++)
                    WriteValue(importer, quote.Values[field]);
                importer.Write(_instrumentIds[recorded.Instrument.Key], NpgsqlDbType.Integer);
                importer.Write((short)quote.Status, NpgsqlDbType.Smallint);
            }
        }
        importer.Complete();
    }

    private static void WriteValue(NpgsqlBinaryImporter importer, double value)
    {
        if (double.IsNaN(value))
            importer.WriteNull();
        else
            importer.Write(value, NpgsqlDbType.Double);
    }
}
