namespace Cloudbill.Core.Catalog;

/// <summary>`Cloudbill:Catalog` (bound as part of <c>CloudbillOptions</c>).</summary>
public sealed class CatalogOptions
{
    /// <summary>The folder with catalog.json and products/; defaults to the catalog shipped beside the executable.</summary>
    public string? Path { get; set; }
}
