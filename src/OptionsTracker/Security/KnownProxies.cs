using System.Net;

namespace OptionsTracker.Security;

/// <summary>Reads <see cref="SecurityOptions.KnownProxies"/>: a comma list of IP addresses and CIDR networks.</summary>
internal static class KnownProxies
{
    public const string Expected = "a comma list of IP addresses and CIDR networks, e.g. 10.0.0.0/8,127.0.0.1";

    public static bool TryParse(string? list, out List<IPAddress> addresses, out List<IPNetwork> networks)
    {
        addresses = [];
        networks = [];
        foreach (var entry in (list ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            // IPAddress.TryParse also reads "10" as 0.0.0.10: a bare number is a typo here, not an address.
            if (!entry.Contains('.', StringComparison.Ordinal) && !entry.Contains(':', StringComparison.Ordinal))
                return false;
            if (entry.Contains('/', StringComparison.Ordinal))
            {
                if (!IPNetwork.TryParse(entry, out var network))
                    return false;
                networks.Add(network);
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                addresses.Add(address);
            }
            else
            {
                return false;
            }
        }
        return addresses.Count + networks.Count > 0;
    }
}
