namespace Cloudbill.Core;

/// <summary>The resolved folders: data (the SQLite file, the sandbox's keys: state only) and the catalog.</summary>
public sealed record CloudbillPaths(string DataDirectory, string CatalogDirectory)
{
    /// <summary>The catalog that ships with the build: data/catalog copied beside the executable (Cloudbill.Core.csproj).</summary>
    public static string ShippedCatalog => Path.Combine(AppContext.BaseDirectory, "catalog");

    /// <summary>
    /// A relative data folder starts at the current folder. The catalog is the one beside the
    /// executable unless Cloudbill:Catalog:Path names another, so a build or a published copy finds
    /// it wherever it is started from.
    /// </summary>
    public static CloudbillPaths Resolve(CloudbillOptions options)
    {
        var data = Path.GetFullPath(options.DataDirectory);
        var catalog = string.IsNullOrWhiteSpace(options.Catalog.Path)
            ? ShippedCatalog
            : Path.GetFullPath(options.Catalog.Path);
        return new CloudbillPaths(data, catalog);
    }
}
