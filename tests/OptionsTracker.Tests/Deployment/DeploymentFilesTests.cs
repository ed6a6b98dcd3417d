using System.Reflection;
using System.Text.RegularExpressions;
using OptionsTracker.Configuration;
using OptionsTracker.Tests.Fixtures;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace OptionsTracker.Tests.Deployment;

/// <summary>
/// No Docker engine runs here, so the Dockerfile and compose file are checked against the application
/// itself: every environment name they set is a setting the app reads, every variable they use is in
/// .env.example, and every path they copy exists.
/// </summary>
public partial class DeploymentFilesTests
{
    private static readonly string Root = RepositoryPaths.Root;

    [Fact]
    public void Compose_sets_only_environment_names_the_app_reads()
    {
        var settings = KnownSettings();
        foreach (var (service, environment) in TrackerServices())
        {
            Assert.NotEmpty(environment);
            foreach (var name in environment.Keys)
            {
                Assert.True(LegacyEnvironment.Names.Contains(name) || settings.Contains(name.Replace("__", ":", StringComparison.Ordinal)),
                    $"compose service '{service}' sets {name}, which the app does not read");
            }
        }
    }

    [Fact]
    public void Compose_runs_collectors_and_web_instances_on_one_redis()
    {
        var services = TrackerServices().ToDictionary(s => s.Service, s => s.Environment);
        Assert.Contains("collector", services.Keys);
        Assert.Contains("web", services.Keys);
        Assert.All(services.Values, env => Assert.Contains("redis:6379", env["Store__Redis"]));
        var compose = Load();
        Assert.Equal(["--role", "collector"], Sequence(compose, "collector", "command"));
        Assert.Equal(["--role", "web"], Sequence(compose, "web", "command"));
        var redisCommand = string.Join(' ', Sequence(compose, "redis", "command"));
        Assert.Contains("--appendonly yes", redisCommand);
        Assert.Contains("--maxmemory 256mb", redisCommand);
    }

    [Fact]
    public void Compose_keeps_one_history_in_postgresql_for_collectors_and_web_instances()
    {
        // The collector records and every web instance serves the same history, so all of them name one database,
        // and none starts before PostgreSQL answers.
        var compose = Load();
        foreach (var (service, environment) in TrackerServices())
        {
            var history = new Npgsql.NpgsqlConnectionStringBuilder(environment["History__Postgres"]);
            Assert.Equal("postgres", history.Host);
            Assert.Equal("optionstracker", history.Database);
            Assert.Equal("optionstracker", history.Username);
            var dependsOn = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)compose["services"])[service])["depends_on"];
            Assert.Equal("service_healthy", ((YamlScalarNode)((YamlMappingNode)dependsOn["postgres"])["condition"]).Value);
        }
        var postgres = (YamlMappingNode)((YamlMappingNode)compose["services"])["postgres"];
        Assert.StartsWith("postgres:", ((YamlScalarNode)postgres["image"]).Value);
        var environmentOfDb = (YamlMappingNode)postgres["environment"];
        Assert.Equal("optionstracker", ((YamlScalarNode)environmentOfDb["POSTGRES_DB"]).Value);
        Assert.Equal("optionstracker", ((YamlScalarNode)environmentOfDb["POSTGRES_USER"]).Value);
        Assert.Contains("pg_isready", string.Join(' ', Sequence(compose, "postgres", "healthcheck", "test")));
        // A named volume at the image's declared volume (/var/lib/postgresql from PostgreSQL 18): the history outlives the container.
        Assert.Contains("postgres-data:/var/lib/postgresql", Sequence(compose, "postgres", "volumes"));
        Assert.Contains("postgres-data", ((YamlMappingNode)compose["volumes"]).Children.Keys.Select(k => ((YamlScalarNode)k).Value));
    }

    [Fact]
    public void Compose_publishes_ports_on_the_hosts_loopback_only_unless_told_otherwise()
    {
        // What must sit behind the reverse proxy is not reachable from the network by default: otherwise clients
        // could skip the proxy, and with BehindReverseProxy forge the address their rate limits count under.
        var services = (YamlMappingNode)Load()["services"];
        var published = 0;
        foreach (var (name, node) in services.Children)
        {
            if (!((YamlMappingNode)node).Children.TryGetValue("ports", out var ports))
                continue;
            foreach (var port in ((YamlSequenceNode)ports).Children.Select(p => ((YamlScalarNode)p).Value!))
            {
                published++;
                // "${WEB_BIND:-127.0.0.1}:${WEB_PORTS:-8080-8081}:8080" with every variable at its default.
                var resolved = VariableReference().Replace(port, m => m.Value.Split(":-", 2) is [_, var fallback] ? fallback.TrimEnd('}') : "");
                var last = resolved.LastIndexOf(':');
                var beforeLast = last > 0 ? resolved.LastIndexOf(':', last - 1) : -1;
                var hostAddress = beforeLast > 0 ? resolved[..beforeLast] : "(every address)";
                Assert.True(System.Net.IPAddress.TryParse(hostAddress.Trim('[', ']'), out var address) && System.Net.IPAddress.IsLoopback(address),
                    $"service '{((YamlScalarNode)name).Value}' publishes {port} on {hostAddress}, not on loopback");
            }
        }
        Assert.NotEqual(0, published);
        var web = TrackerServices().Single(s => s.Service == "web").Environment;
        Assert.Contains("Security__KnownProxies", web.Keys);
    }

    [Fact]
    public void Every_variable_compose_uses_is_listed_in_env_example()
    {
        var compose = File.ReadAllText(Path.Combine(Root, "compose.yaml"));
        var example = File.ReadAllText(Path.Combine(Root, ".env.example"));
        var used = VariableReference().Matches(compose).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.NotEmpty(used);
        foreach (var variable in used)
            Assert.Matches(new Regex($"^#? ?{variable}=", RegexOptions.Multiline), example);
    }

    [Fact]
    public void Env_example_lists_every_setting()
    {
        var example = File.ReadAllText(Path.Combine(Root, ".env.example"));
        foreach (var setting in KnownSettings())
        {
            var name = setting.Replace(":", "__", StringComparison.Ordinal);
            // Arrays (alert rules) are listed by their first element: Alerts__Rules__0__Kind.
            Assert.True(Regex.IsMatch(example, $"^#? ?{Regex.Escape(name)}(=|__)", RegexOptions.Multiline), $".env.example does not list {name}");
        }
    }

    [Fact]
    public void Dockerfile_copies_paths_that_exist_and_probes_a_real_endpoint()
    {
        var dockerfile = File.ReadAllLines(Path.Combine(Root, "Dockerfile"));
        foreach (var line in dockerfile.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from", StringComparison.Ordinal)))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var source in parts[1..^1])
                Assert.True(File.Exists(Path.Combine(Root, source)) || Directory.Exists(Path.Combine(Root, source)), $"Dockerfile copies {source}, which does not exist");
        }
        Assert.Contains(dockerfile, l => l.StartsWith("USER $APP_UID", StringComparison.Ordinal));
        Assert.Contains(dockerfile, l => l.Contains("/health/live", StringComparison.Ordinal));
        Assert.Contains(dockerfile, l => l.StartsWith("EXPOSE 8080", StringComparison.Ordinal));
    }

    /// <summary>Every "Section:Key" the app binds: options classes declare their section in a constant named Section.</summary>
    private static HashSet<string> KnownSettings()
    {
        var settings = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var type in typeof(Program).Assembly.GetTypes())
        {
            if (type.GetField("Section", BindingFlags.Public | BindingFlags.Static) is not { IsLiteral: true } field)
                continue;
            var section = (string)field.GetRawConstantValue()!;
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
                settings.Add($"{section}:{property.Name}");
        }
        settings.Add("Logging:LogLevel:Default");
        return settings;
    }

    private static YamlMappingNode Load()
    {
        using var reader = new StringReader(File.ReadAllText(Path.Combine(Root, "compose.yaml")));
        var stream = new YamlStream();
        // Merge keys (<<: *anchor) are resolved by the merging parser, as docker compose does.
        stream.Load(new MergingParser(new Parser(reader)));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static IEnumerable<(string Service, Dictionary<string, string> Environment)> TrackerServices()
    {
        var services = (YamlMappingNode)Load()["services"];
        foreach (var (name, node) in services.Children)
        {
            var service = (YamlMappingNode)node;
            if (!service.Children.ContainsKey("image") || ((YamlScalarNode)service["image"]).Value?.StartsWith("optionstracker", StringComparison.Ordinal) != true)
                continue;
            var environment = ((YamlMappingNode)service["environment"]).Children
                .ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => ((YamlScalarNode)e.Value).Value ?? "");
            yield return (((YamlScalarNode)name).Value!, environment);
        }
    }

    private static string[] Sequence(YamlMappingNode compose, string service, string key) =>
        [.. ((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)compose["services"])[service])[key]).Children.Select(n => ((YamlScalarNode)n).Value!)];

    private static string[] Sequence(YamlMappingNode compose, string service, string key, string inner) =>
        [.. ((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)compose["services"])[service])[key])[inner]).Children.Select(n => ((YamlScalarNode)n).Value!)];

    [GeneratedRegex(@"\$\{([A-Z_][A-Z0-9_]*)(?::?[-?][^}]*)?\}")]
    private static partial Regex VariableReference();
}
