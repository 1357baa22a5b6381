using ArchUnitNET.Domain;

namespace Cloudbill.Core.Tests.Architecture;

/// <summary>One namespace depending on another, with the types that make it so (for the failure message).</summary>
internal sealed record SliceDependency(string From, string To, IReadOnlyList<string> Because)
{
    public override string ToString() => $"{From} -> {To} ({string.Join(", ", Because.Take(3))}{(Because.Count > 3 ? ", …" : "")})";
}

/// <summary>
/// The dependencies between the feature namespaces under a prefix ("Cloudbill.Core" gives Orders,
/// Ledger, …; a type in a nested namespace belongs to its first segment, Payments.Alipay to Payments),
/// as ArchUnitNET reads them from the compiled assembly: fields, signatures, method bodies, attributes.
/// </summary>
internal sealed class SliceGraph
{
    private readonly Dictionary<(string From, string To), SortedSet<string>> edges = [];

    public SliceGraph(ArchUnitNET.Domain.Architecture architecture, string prefix, IReadOnlySet<string> excluded)
    {
        foreach (var type in architecture.Types)
        {
            if (SliceOf(type, prefix) is not { } from || excluded.Contains(from))
                continue;
            foreach (var dependency in type.Dependencies)
            {
                if (SliceOf(dependency.Target, prefix) is not { } to || to == from || excluded.Contains(to))
                    continue;
                if (!edges.TryGetValue((from, to), out var because))
                    edges[(from, to)] = because = new SortedSet<string>(StringComparer.Ordinal);
                because.Add($"{type.Name} -> {dependency.Target.Name}");
            }
        }
    }

    public IEnumerable<SliceDependency> Dependencies =>
        edges.OrderBy(e => e.Key.From, StringComparer.Ordinal).ThenBy(e => e.Key.To, StringComparer.Ordinal)
            .Select(e => new SliceDependency(e.Key.From, e.Key.To, e.Value.ToList()));

    /// <summary>Each set of namespaces that reach each other (a strongly connected component of more than one), with the dependencies inside it.</summary>
    public IReadOnlyList<IReadOnlyList<SliceDependency>> Cycles()
    {
        var nodes = edges.Keys.SelectMany(e => new[] { e.From, e.To }).Distinct().Order(StringComparer.Ordinal).ToList();
        var next = nodes.ToDictionary(n => n, n => edges.Keys.Where(e => e.From == n).Select(e => e.To).Order(StringComparer.Ordinal).ToList());
        // Tarjan's algorithm: a component is a cycle when it has more than one namespace.
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var components = new List<IReadOnlyList<SliceDependency>>();
        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var to in next[node])
            {
                if (!index.ContainsKey(to))
                {
                    Visit(to);
                    low[node] = Math.Min(low[node], low[to]);
                }
                else if (onStack.Contains(to))
                    low[node] = Math.Min(low[node], index[to]);
            }
            if (low[node] != index[node])
                return;
            var members = new HashSet<string>();
            string member;
            do
            {
                member = stack.Pop();
                onStack.Remove(member);
                members.Add(member);
            } while (member != node);
            if (members.Count > 1)
                components.Add(Dependencies.Where(d => members.Contains(d.From) && members.Contains(d.To)).ToList());
        }
        foreach (var node in nodes.Where(n => !index.ContainsKey(n)))
            Visit(node);
        return components;
    }

    /// <summary>Dependencies that go from a namespace to one later in <paramref name="order"/> (lowest first).</summary>
    public IReadOnlyList<SliceDependency> Upward(IReadOnlyList<string> order) =>
        Dependencies.Where(d => order.Contains(d.From) && order.Contains(d.To) && order.IndexOf(d.From) < order.IndexOf(d.To)).ToList();

    public static string? SliceOf(IType type, string prefix)
    {
        var ns = type.Namespace?.FullName;
        if (ns is null || !ns.StartsWith(prefix + ".", StringComparison.Ordinal))
            return null;
        return ns[(prefix.Length + 1)..].Split('.')[0];
    }
}

internal static class ListExtensions
{
    public static int IndexOf(this IReadOnlyList<string> list, string item)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == item)
                return i;
        }
        return -1;
    }
}
