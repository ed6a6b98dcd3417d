using ArchUnitNET.Domain;
using ArchUnitNET.Fluent;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnitV3;
using static ArchUnitNET.Fluent.ArchRuleDefinition;
using ArchitectureModel = ArchUnitNET.Domain.Architecture;

namespace OptionsTracker.Tests.Architecture;

/// <summary>
/// The arrows between the tracker's folders (docs/architecture.md draws them), checked on the compiled assembly so a
/// new <c>using</c> that breaks one fails here instead of in the next review. A folder is a namespace: the first
/// segment after <c>OptionsTracker.</c>. Venues (exchanges) are the folders in <see cref="VenueFolders"/>.
/// </summary>
public sealed class DependencyRulesTests
{
    private static readonly ArchitectureModel Tracker =
        new ArchLoader().LoadAssemblies(typeof(OptionsTracker.Book.OptionBook).Assembly).Build();

    /// <summary>Every exchange's folder; only the composition root (Program.cs) may name one outside its own folder.</summary>
    private static readonly string[] VenueFolders = ["Bybit", "Deribit"];

    private static string AnyOf(params string[] folders) => $@"^OptionsTracker\.({string.Join("|", folders)})(\..*)?$";

    private static readonly string Venues = AnyOf(VenueFolders);

    // ArchUnitNET skips a rule whose subject set is empty unless told otherwise; a renamed folder must fail here, not
    // pass silently, so each subject set is checked to exist first.
    private static string Folder(params string[] folders)
    {
        var pattern = AnyOf(folders);
        Assert.True(Tracker.Types.Any(t => System.Text.RegularExpressions.Regex.IsMatch(t.Namespace.FullName, pattern)),
            $"no types in {string.Join(", ", folders)}: was a folder renamed? Update this test and docs/architecture.md.");
        return pattern;
    }

    [Fact]
    public void The_book_knows_no_venue_reader_store_or_feed()
    {
        Types().That().ResideInNamespaceMatching(Folder("Book")).Should()
            .NotDependOnAny(Types().That().ResideInNamespaceMatching(@"^OptionsTracker\.(?!Book(\.|$)|Configuration(\.|$)).*"))
            .Because("every reader, store and venue builds on the book; an arrow back makes a cycle")
            .Check(Tracker);
    }

    [Fact]
    public void Only_the_composition_root_names_a_venue()
    {
        Types().That().ResideInNamespaceMatching(@"^OptionsTracker\.").And()
            .DoNotResideInNamespaceMatching(Venues).Should()
            .NotDependOnAny(Types().That().ResideInNamespaceMatching(Venues))
            .Because("readers (Api, Dashboard, Alerts), the store, health and the feed reach an exchange only through "
                + "Feed's IVenue; Program.cs registers the venues")
            .Check(Tracker);
    }

    [Fact]
    public void Venues_never_reference_each_other()
    {
        // Each exchange is its own implementation of IVenue: sharing a type between two would couple their protocols,
        // limits and release cycles (a Bybit fix must not change Deribit's behaviour).
        foreach (var venue in VenueFolders)
        {
            var others = VenueFolders.Where(v => v != venue).ToArray();
            Types().That().ResideInNamespaceMatching(Folder(venue)).Should()
                .NotDependOnAny(Types().That().ResideInNamespaceMatching(AnyOf(others)))
                .Because("venues share only the seam (Feed's IVenue, the book, the tape)")
                .Check(Tracker);
        }
    }

    [Fact]
    public void Readers_never_reference_an_exchange()
    {
        // Implied by the rule above; kept as its own rule because it is the one the issue names, and a failure here
        // says which reader is at fault.
        Types().That().ResideInNamespaceMatching(Folder("Api", "Dashboard", "Alerts")).Should()
            .NotDependOnAny(Types().That().ResideInNamespaceMatching(Venues))
            .Check(Tracker);
    }

    [Fact]
    public void The_store_references_no_exchange_and_the_feed_no_store()
    {
        Types().That().ResideInNamespaceMatching(Folder("Store")).Should()
            .NotDependOnAny(Types().That().ResideInNamespaceMatching(Venues))
            .Check(Tracker);
        Types().That().ResideInNamespaceMatching(Folder("Feed")).Should()
            .NotDependOnAny(Types().That().ResideInNamespaceMatching(AnyOf("Store")))
            .Because("the store implements the feed's collector lease, not the other way round")
            .Check(Tracker);
    }

    [Fact]
    public void Market_measures_build_on_the_book_alone()
    {
        Types().That().ResideInNamespaceMatching(Folder("Measures")).Should()
            .NotDependOnAny(Types().That().ResideInNamespaceMatching(@"^OptionsTracker\.(?!Measures(\.|$)|Book(\.|$)|Configuration(\.|$)).*"))
            .Check(Tracker);
    }

    [Fact]
    public void No_cycles_between_folders()
    {
        // Folder = first namespace segment after OptionsTracker (Dashboard.Components is the dashboard's). ArchUnitNET's
        // slices split sub-namespaces into slices of their own, so the folder graph is built here from its types.
        static string? FolderOf(IType type)
        {
            var name = type.Namespace?.FullName;
            if (name is null)
                return null;
            if (!name.StartsWith("OptionsTracker.", StringComparison.Ordinal))
                return null;
            return name["OptionsTracker.".Length..].Split('.')[0];
        }

        var edges = new Dictionary<string, Dictionary<string, SortedSet<string>>>(StringComparer.Ordinal);
        foreach (var type in Tracker.Types)
        {
            if (FolderOf(type) is not { } from)
                continue;
            foreach (var dependency in type.Dependencies)
            {
                if (FolderOf(dependency.Target) is not { } to || to == from)
                    continue;
                if (!edges.TryGetValue(from, out var targets))
                    edges[from] = targets = new(StringComparer.Ordinal);
                if (!targets.TryGetValue(to, out var examples))
                    targets[to] = examples = new(StringComparer.Ordinal);
                examples.Add($"{type.Name} -> {dependency.Target.Name}");
            }
        }

        // The graph is really there (a reader builds on the book), so an empty graph cannot pass for an acyclic one.
        Assert.Contains("Book", edges["Api"].Keys);

        // A cycle exists when a folder reaches itself; report each folder on one, with the arrows that close it.
        var cycles = new List<string>();
        foreach (var start in edges.Keys.Order(StringComparer.Ordinal))
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var path = new Stack<string>();
            if (Reaches(start, start, seen, path))
            {
                var folders = path.Reverse().Prepend(start).ToList();
                var arrows = folders.Zip(folders.Skip(1), (a, b) => $"{a} -> {b} ({string.Join(", ", edges[a][b].Take(3))})");
                cycles.Add(string.Join("\n  ", arrows));
            }
        }
        Assert.True(cycles.Count == 0, "cycles between folders:\n  " + string.Join("\n\n  ", cycles));

        bool Reaches(string from, string goal, HashSet<string> seen, Stack<string> path)
        {
            if (!edges.TryGetValue(from, out var targets))
                return false;
            foreach (var to in targets.Keys)
            {
                path.Push(to);
                if (to == goal || (seen.Add(to) && Reaches(to, goal, seen, path)))
                    return true;
                path.Pop();
            }
            return false;
        }
    }
}
