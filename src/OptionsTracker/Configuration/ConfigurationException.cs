namespace OptionsTracker.Configuration;

/// <summary>A setting that makes start-up impossible, found while wiring services; the message names the setting.</summary>
public sealed class ConfigurationException(string message) : Exception(message);
