// With Lower.cs: the other half of the deliberate cycle (DependencyOrderTests), and a write of
// Lower's entity from here (TableOwnershipTests).
namespace Cloudbill.Core.Tests.Architecture.Fixtures.Higher;

internal sealed class Ledger
{
    public List<Lower.Entry> Entries { get; } = [];

    /// <summary>Writes another namespace's entity: the table-ownership rule must find it (TableOwnershipTests).</summary>
    public void Adopt(Lower.Entry entry)
    {
        entry.Owner = this;
        Entries.Add(entry);
    }
}
