using System.Net;

namespace OptionsTracker.Security;

/// <summary>
/// Who a request counts as for rate limits and wrong-key lockouts: its IPv4 address, or the /64 network of its
/// IPv6 address, since one IPv6 subscriber is routinely given a whole /64 and could otherwise rotate addresses
/// to escape every limit. Read after the forwarded-headers middleware, so behind a trusted proxy it is the
/// proxy's client, and behind any other sender the connection's own address.
/// </summary>
internal static class ClientAddress
{
    public static IPAddress Of(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
            return IPAddress.None;
        if (address.IsIPv4MappedToIPv6)
            return address.MapToIPv4();
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            return address;
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }
}
