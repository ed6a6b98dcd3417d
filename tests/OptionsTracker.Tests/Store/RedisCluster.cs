using System.Diagnostics;

namespace OptionsTracker.Tests.Store;

/// <summary>A three-master Redis Cluster of real <c>redis-server</c>s on free ports, created with <c>redis-cli --cluster create</c>.</summary>
public sealed class RedisCluster : IAsyncDisposable
{
    private RedisCluster(RedisServer[] nodes) => Nodes = nodes;

    public RedisServer[] Nodes { get; }

    public string ConnectionString => string.Join(",", Nodes.Select(n => n.Endpoint));

    public static async Task<RedisCluster> StartAsync()
    {
        var nodes = new List<RedisServer>();
        try
        {
            for (var i = 0; i < 3; i++)
                nodes.Add(await RedisServer.StartAsync("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000"));
            var create = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in (string[])["--cluster", "create", .. nodes.Select(n => n.Endpoint), "--cluster-replicas", "0", "--cluster-yes"])
                create.ArgumentList.Add(argument);
            using (var process = Process.Start(create)!)
            {
                var output = process.StandardOutput.ReadToEndAsync();
                var error = process.StandardError.ReadToEndAsync();
                await process.WaitForExitAsync(TestContext.Current.CancellationToken);
                Assert.True(process.ExitCode == 0, $"redis-cli --cluster create failed: {await output} {await error}");
            }
            var cluster = new RedisCluster([.. nodes]);
            foreach (var node in nodes)
            {
                await Fixtures.Eventually.Until(async () =>
                {
                    var database = await node.DatabaseAsync();
                    var info = (string)(await database.ExecuteAsync("CLUSTER", "INFO"))!;
                    return info.Contains("cluster_state:ok", StringComparison.Ordinal);
                }, $"cluster node {node.Endpoint} to report cluster_state:ok");
            }
            return cluster;
        }
        catch
        {
            foreach (var node in nodes)
                await node.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
            await node.DisposeAsync();
    }
}
