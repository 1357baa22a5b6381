// With Lower.cs: the other half of the deliberate cycle (DependencyOrderTests).
namespace Cloudbill.Core.Tests.Architecture.Fixtures.Higher;

internal sealed class Ledger
{
    public List<Lower.Entry> Entries { get; } = [];
}
