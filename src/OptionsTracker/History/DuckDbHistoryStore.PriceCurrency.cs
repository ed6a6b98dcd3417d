using System.Globalization;
using DuckDB.NET.Data;

namespace OptionsTracker.History;

public sealed partial class DuckDbHistoryStore
{
    /// <summary>
    /// Schema 3: the instruments' <c>price_currency</c> (<see cref="Book.OptionInstrument.PriceCurrency"/>: the coin a venue
    /// quotes an option in, <c>BTC</c> for Deribit's inverse options; NULL for dollar-priced ones), so a recorded board
    /// serves <c>price_currency</c> and the native prices as the live one does. A file of schema 2 or older gets the column
    /// when opened (NULL for its instruments: recorded before the column, they were read as dollar-priced; a Deribit
    /// option quoted again gets its currency at the next write, which sees the listing changed); a new file has it from
    /// <see cref="Schema"/>. Idempotent: a file that has it is left alone. Kept apart from the other migrations so it stays one small step.
    /// </summary>
    private void AddPriceCurrency(DuckDBConnection connection)
    {
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT count(*) FROM duckdb_columns() WHERE table_name = 'instruments' AND column_name = 'price_currency' AND schema_name = 'main'";
            if (Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0)
                return;
        }
        using (var transaction = connection.BeginTransaction())
        {
            using (var command = connection.CreateCommand())
            {
                // Appended last, where CREATE TABLE puts it on a new file: the appender writes columns by position.
                command.CommandText = """
                    ALTER TABLE instruments ADD COLUMN price_currency VARCHAR;
                    UPDATE meta SET value = '3' WHERE key = 'schema_version' AND CAST(value AS INTEGER) < 3;
                    """;
                command.ExecuteNonQuery();
            }
            transaction.Commit();
        }
        Log.HistorySchemaColumnAdded(_logger, Path, "instruments.price_currency", SchemaVersion);
    }

    /// <summary>
    /// Schema 4: closed hours as blocks. The tables come from <see cref="Schema"/>; a schema-3 file keeps its closed hours
    /// as sorted rows in quotes (every read takes both), so only the version changes: a tracker of schema 3 refuses the
    /// file from then on rather than miss the hours it cannot read.
    /// </summary>
    private static void MarkBlocksSchema(DuckDBConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE meta SET value = '4' WHERE key = 'schema_version' AND CAST(value AS INTEGER) < 4";
        command.ExecuteNonQuery();
    }
}
