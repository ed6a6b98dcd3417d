using System.ComponentModel.DataAnnotations;

namespace OptionsTracker.Api;

/// <summary>Settings of the data API's streams.</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>Shortest time between two sends to one stream client; changes in between are coalesced.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan StreamInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>An idle stream sends a keep-alive this often, so proxies keep it open.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan StreamKeepAlive { get; set; } = TimeSpan.FromSeconds(15);
}
