using ArchUnitNET.Loader;
using ArchUnitNET.xUnitV3;
using Cloudbill.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using static ArchUnitNET.Fluent.ArchRuleDefinition;
using ArchitectureModel = ArchUnitNET.Domain.Architecture;

namespace Cloudbill.Core.Tests.Architecture;

/// <summary>
/// The feature namespaces of Cloudbill.Core depend one way, in the order of
/// docs/decisions/0020-dependency-order.md; each rule is also run on a deliberately wrong pair of
/// namespaces in this assembly (<see cref="Fixtures"/>) to show that it fails when it should.
/// </summary>
public class DependencyOrderTests
{
    private const string CorePrefix = "Cloudbill.Core";
    private const string FixturePrefix = "Cloudbill.Core.Tests.Architecture.Fixtures";

    /// <summary>Lowest first: a namespace may use the ones before it, never one after it (0020).</summary>
    public static readonly IReadOnlyList<string> Order =
    [
        "Problems", "Time", "Audit", "Accounts", "Ledger", "Customers", "Catalog", "Instances", "Coupons", "Notifications", "Webhooks",
        "Suggestions", "Provisioning", "Orders", "Purchase", "Renewals", "PayAsYouGo", "Payments", "TopUps", "Lifecycle", "ProviderApi", "Demo", "Operators",
    ];

    /// <summary>Every feature may use it and it may use the entities of every feature (0020), so it is outside the order.</summary>
    private static readonly HashSet<string> Shared = ["Persistence"];

    private static readonly ArchitectureModel Core = new ArchLoader().LoadAssemblies(typeof(CoreServices).Assembly).Build();
    private static readonly ArchitectureModel Tests = new ArchLoader().LoadAssemblies(typeof(DependencyOrderTests).Assembly).Build();

    [Fact]
    public void The_feature_namespaces_of_Core_have_no_cycle()
    {
        var cycles = new SliceGraph(Core, CorePrefix, Shared).Cycles();
        Assert.True(cycles.Count == 0, "Cycles between feature namespaces: " + string.Join(" | ", cycles.Select(c => string.Join("; ", c))));
    }

    [Fact]
    public void Every_feature_namespace_has_its_place_in_the_order_and_uses_only_lower_ones()
    {
        var graph = new SliceGraph(Core, CorePrefix, Shared);
        var unplaced = Core.Types.Select(t => SliceGraph.SliceOf(t, CorePrefix)).OfType<string>().Distinct()
            .Where(s => !Order.Contains(s) && !Shared.Contains(s)).ToList();
        Assert.True(unplaced.Count == 0, "Not in DependencyOrderTests.Order (and docs/decisions/0020): " + string.Join(", ", unplaced));
        var upward = graph.Upward(Order);
        Assert.True(upward.Count == 0, "Lower namespaces using higher ones: " + string.Join("; ", upward));
    }

    [Fact]
    public void Core_references_neither_the_server_nor_the_sandbox()
    {
        var referenced = typeof(CoreServices).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.DoesNotContain("Cloudbill.Server", referenced);
        Assert.DoesNotContain("Cloudbill.Sandbox", referenced);
        NoReference(CorePrefix, "Cloudbill.Server").Check(Core);
        NoReference(CorePrefix, "Cloudbill.Sandbox").Check(Core);
    }

    /// <summary>
    /// The root namespace is the composition (CoreServices, the `Cloudbill` section): features use
    /// only the values every one of them needs from it: Money, the client token (R5.4) and Paging
    /// (the page arithmetic of every list, which must not overflow on a crafted page number).
    /// </summary>
    [Fact]
    public void Features_use_only_Money_ClientToken_and_Paging_from_the_root_namespace()
    {
        var used = Core.Types.Where(t => SliceGraph.SliceOf(t, CorePrefix) is not null)
            .SelectMany(t => t.Dependencies.Select(d => (From: t, To: d.Target)))
            .Where(d => d.To.Namespace?.FullName == CorePrefix && d.To.Name is not (nameof(Money) or nameof(ClientToken) or nameof(Paging)))
            .Select(d => $"{d.From.FullName} -> {d.To.Name}").Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.True(used.Count == 0, "Root types used by features: " + string.Join("; ", used));
    }

    /// <summary>Persistence holds the DbContext of every feature but uses nothing of theirs except their entities and the types of their columns.</summary>
    [Fact]
    public void Persistence_uses_only_the_entities_of_the_features()
    {
        using var db = new CloudbillDbContext(new DbContextOptionsBuilder<CloudbillDbContext>().UseSqlite("Data Source=:memory:").Options);
        var entityTypes = db.Model.GetEntityTypes().ToList();
        var allowed = entityTypes.Select(e => e.ClrType)
            .Concat(entityTypes.SelectMany(e => e.GetProperties()).Select(p => Nullable.GetUnderlyingType(p.ClrType) ?? p.ClrType))
            .Select(t => t.FullName).ToHashSet();
        var persistence = Core.Types.Where(t => SliceGraph.SliceOf(t, CorePrefix) == "Persistence");
        var other = persistence.SelectMany(t => t.Dependencies.Select(d => (From: t, To: d.Target)))
            .Where(d => SliceGraph.SliceOf(d.To, CorePrefix) is { } slice && slice != "Persistence" && !allowed.Contains(d.To.FullName))
            .Select(d => $"{d.From.Name} -> {d.To.FullName}").Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(allowed);
        Assert.True(other.Count == 0, "Persistence uses more than entities: " + string.Join("; ", other));
    }

    /// <summary>Engine actions are written by the engine alone (R4.7: its keys make each action happen once); the DbContext holds their table.</summary>
    [Fact]
    public void Only_the_engine_uses_engine_actions()
    {
        var users = UsersOf(Core, CorePrefix, typeof(Lifecycle.EngineAction).FullName!, [CorePrefix + ".Lifecycle", CorePrefix + ".Persistence"]);
        Assert.True(users.Count == 0, "EngineAction used outside Lifecycle: " + string.Join(", ", users));
    }

    [Fact]
    public void The_engine_action_rule_finds_a_type_used_outside_its_namespace()
    {
        var users = UsersOf(Tests, FixturePrefix, typeof(Fixtures.Lower.Entry).FullName!, [FixturePrefix + ".Lower"]);
        Assert.Equal([typeof(Fixtures.Higher.Ledger).FullName!], users);
    }

    [Fact]
    public void The_cycle_rule_finds_a_cycle_between_two_namespaces()
    {
        var cycles = new SliceGraph(Tests, FixturePrefix, new HashSet<string>()).Cycles();
        var cycle = Assert.Single(cycles);
        Assert.Equal(["Higher -> Lower (Ledger -> Entry)", "Lower -> Higher (Entry -> Ledger)"], cycle.Select(d => d.ToString()));
        // The same pair with one side shared, as Persistence is, is no cycle.
        Assert.Empty(new SliceGraph(Tests, FixturePrefix, new HashSet<string> { "Lower" }).Cycles());
    }

    [Fact]
    public void The_order_rule_finds_a_lower_namespace_using_a_higher_one()
    {
        var upward = new SliceGraph(Tests, FixturePrefix, new HashSet<string>()).Upward(["Lower", "Higher"]);
        Assert.Equal("Lower -> Higher (Entry -> Ledger)", Assert.Single(upward).ToString());
    }

    [Fact]
    public void The_reference_rule_fails_on_a_reference_it_forbids()
    {
        var failure = Assert.ThrowsAny<Exception>(() => NoReference(FixturePrefix + ".Lower", FixturePrefix + ".Higher").Check(Tests));
        Assert.Contains("Entry", failure.Message, StringComparison.Ordinal);
        NoReference(FixturePrefix + ".Lower", "Cloudbill.Server").Check(Tests);
    }

    private static List<string> UsersOf(ArchitectureModel architecture, string scope, string typeName, string[] allowedNamespaces) =>
        architecture.Types
            .Where(t => SliceGraph.SliceOf(t, scope) is not null)
            .Where(t => t.Namespace?.FullName is { } ns && !allowedNamespaces.Any(a => ns == a || ns.StartsWith(a + ".", StringComparison.Ordinal)))
            .Where(t => t.Dependencies.Any(d => d.Target.FullName == typeName))
            .Select(t => t.FullName).Distinct().Order(StringComparer.Ordinal).ToList();

    private static ArchUnitNET.Fluent.IArchRule NoReference(string from, string forbidden) =>
        Types().That().ResideInNamespaceOrBelow(from).Should().NotDependOnAnyTypesThat().ResideInNamespaceOrBelow(forbidden);
}
