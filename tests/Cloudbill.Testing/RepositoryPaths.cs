namespace Cloudbill.Testing;

/// <summary>Folders of the checkout the tests run in.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Data => Path.Combine(Root, "data");
    public static string Catalog => Path.Combine(Data, "catalog");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cloudbill.slnx")))
                return dir.FullName;
        }
        throw new InvalidOperationException("The tests must run inside the Cloudbill checkout.");
    }
}
