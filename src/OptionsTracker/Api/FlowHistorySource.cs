using OptionsTracker.History;
using OptionsTracker.Tape;

namespace OptionsTracker.Api;

/// <summary>
/// The history's recorded trades for <see cref="FlowReader"/> (<see cref="IHistoryStore.TradesAsync"/> through the
/// process's <see cref="HistoryViews"/>, which opens the store first). Here, not in the tape's folder: the history builds
/// on the tape, so the tape may not name the history.
/// </summary>
internal sealed class FlowHistorySource(IServiceProvider services) : IFlowHistory
{
    private readonly HistoryViews? _views = services.GetService<HistoryViews>();

    public bool IsAvailable => _views is not null;

    public async Task<IReadOnlyList<Trade>> TradesAsync(string coin, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        var views = _views ?? throw new InvalidOperationException("The tracker records no history (History:Enabled=false).");
        var store = await views.OpenAsync(cancellationToken);
        return await store.TradesAsync(coin, from, to, limit, cancellationToken);
    }
}
