using Npgsql;

namespace OptionsTracker.History;

public sealed partial class PostgresHistoryStore
{
    /// <summary>
    /// Schema 3: the instruments' <c>price_currency</c> (<see cref="Book.OptionInstrument.PriceCurrency"/>: <c>BTC</c> for
    /// Deribit's inverse options, NULL for dollar-priced ones), so a recorded board serves <c>price_currency</c> and the
    /// native prices as the live one does. A new database has it from <see cref="Schema"/>; this step, run in the open's
    /// transaction under its advisory lock after the schema, gives it to a database of schema 2 (NULL for the instruments
    /// recorded before it: read as dollar-priced, as they were, until a process writes the option again, which fills the
    /// currency in: <see cref="EnsureInstrumentIdsAsync"/>); one that has it is left alone. <c>ADD COLUMN</c> of a nullable column without a default rewrites no row.
    /// Kept apart from <see cref="Schema"/> so it stays one small step.
    /// </summary>
    private async Task AddPriceCurrencyAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using (var check = new NpgsqlCommand(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'instruments' AND column_name = 'price_currency'",
            connection))
        {
            if ((long)(await check.ExecuteScalarAsync(cancellationToken))! > 0)
                return;
        }
        await ExecuteAsync(connection, "ALTER TABLE instruments ADD COLUMN price_currency text", cancellationToken);
        Log.HistorySchemaColumnAdded(_logger, "postgresql", "instruments.price_currency", SchemaVersion);
    }
}
