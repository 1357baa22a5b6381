namespace Cloudbill.Core;

/// <summary>The resolved folders: data (SQLite file, generated keys) and the catalog.</summary>
public sealed record CloudbillPaths(string DataDirectory, string CatalogDirectory)
{
    /// <summary>
    /// A relative data folder is looked for in the current folder, then in the folders above the
    /// executable, so `dotnet run --project src/Cloudbill.Server` and the tests find the
    /// repository's data/ wherever they are started from.
    /// </summary>
    public static CloudbillPaths Resolve(CloudbillOptions options)
    {
        var data = options.DataDirectory;
        if (!Path.IsPathRooted(data))
        {
            var fromCurrent = Path.GetFullPath(data);
            var found = HasCatalog(fromCurrent) ? fromCurrent : FindAbove(AppContext.BaseDirectory, data);
            data = found ?? fromCurrent;
        }

        var catalog = string.IsNullOrWhiteSpace(options.Catalog.Path)
            ? Path.Combine(data, "catalog")
            : Path.GetFullPath(options.Catalog.Path);
        return new CloudbillPaths(data, catalog);
    }

    private static bool HasCatalog(string dataDirectory) => File.Exists(Path.Combine(dataDirectory, "catalog", "catalog.json"));

    private static string? FindAbove(string start, string relative)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (HasCatalog(candidate))
                return candidate;
        }
        return null;
    }
}
