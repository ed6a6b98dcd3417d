namespace OptionsTracker.History;

/// <summary>
/// The history store cannot be used now (the file is locked by another process, the disk is full, the file could not be
/// opened): the message names the file and the cause. The recorder reports it in <c>/health</c> and tries again.
/// </summary>
public sealed class HistoryStoreUnavailableException(string message, Exception? inner = null) : IOException(message, inner);
