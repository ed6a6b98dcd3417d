namespace OptionsTracker.Book;

/// <summary>
/// Wakes readers waiting for the book to change. The writer side costs one volatile read when nobody waits;
/// a task is allocated per wake-up, on the reader's side, never per message.
/// </summary>
public sealed class ChangeSignal
{
    private TaskCompletionSource? _waiters;

    /// <summary>A task completed by the next <see cref="Notify"/>.</summary>
    public Task NextAsync()
    {
        var current = Volatile.Read(ref _waiters);
        if (current is not null)
            return current.Task;
        var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return (Interlocked.CompareExchange(ref _waiters, created, null) ?? created).Task;
    }

    public void Notify()
    {
        if (Volatile.Read(ref _waiters) is null)
            return;
        Interlocked.Exchange(ref _waiters, null)?.TrySetResult();
    }
}
