using OptionsTracker.Store;

namespace OptionsTracker.Tests.Configuration;

/// <summary>Store:Redis is judged as StackExchange.Redis reads it: what it can use passes, what it would drop or refuse is named.</summary>
public class RedisConnectionStringTests
{
    [Theory]
    [InlineData("localhost")]
    [InlineData("redis:6379")]
    [InlineData("127.0.0.1:6380,defaultDatabase=2")]
    [InlineData("[::1]:6379,ssl=true,sslHost=cache.example.com")]
    [InlineData("node1:7000,node2:7001,node3:7002,connectTimeout=2000")]
    [InlineData("redis:6379,password=p@ss:word,abortConnect=false")]
    public void A_connection_string_the_multiplexer_can_use_passes(string connectionString)
    {
        Assert.Null(RedisConnectionStringValidator.Describe(connectionString));
    }

    [Theory]
    [InlineData("127.0.0.1:notaport", "127.0.0.1:notaport")]
    [InlineData("redis:6379,other:99999", "other:99999")]
    [InlineData(",,,", "no endpoint")]
    [InlineData("defaultDatabase=1", "no endpoint")]
    [InlineData("foo=bar", "'foo'")]
    [InlineData("redis:6379,connectTimeout=abc", "'abc'")]
    public void A_connection_string_it_would_drop_or_refuse_is_described(string connectionString, string named)
    {
        Assert.Contains(named, RedisConnectionStringValidator.Describe(connectionString), StringComparison.Ordinal);
    }
}
