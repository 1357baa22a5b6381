// With Higher.cs: two namespaces that use each other on purpose, so that DependencyOrderTests can
// show each architecture rule failing on them. Nothing else uses these types.
namespace Cloudbill.Core.Tests.Architecture.Fixtures.Lower;

internal sealed class Entry
{
    public Higher.Ledger? Owner { get; set; }
}
