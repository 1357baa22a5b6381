using Cloudbill.Testing;

namespace Cloudbill.Server.Tests;

/// <summary>
/// The catalog ships with the build: a copy of the server's build output, far from the checkout,
/// started from an unrelated folder with an empty data folder, finds its catalog beside itself and
/// keeps only state (the database) in the data folder.
/// </summary>
public class ShippedCatalogTests
{
    [Fact]
    public async Task A_copy_of_the_build_started_from_any_folder_finds_its_catalog_and_keeps_only_state_in_the_data_folder()
    {
        var root = Path.Combine(Path.GetTempPath(), "cloudbill-shipped-" + Guid.NewGuid().ToString("N"));
        var app = Path.Combine(root, "app");
        var elsewhere = Directory.CreateDirectory(Path.Combine(root, "elsewhere")).FullName;
        var state = Directory.CreateDirectory(Path.Combine(root, "state")).FullName;
        try
        {
            CopyFolder(Path.GetDirectoryName(CloudbillProcess.Executable)!, app);
            Assert.True(File.Exists(Path.Combine(app, "catalog", "catalog.json")), "the build output holds catalog/catalog.json");
            Assert.Equal(Directory.GetFiles(Path.Combine(RepositoryPaths.Catalog, "products")).Length, Directory.GetFiles(Path.Combine(app, "catalog", "products")).Length);

            var environment = new Dictionary<string, string>
            {
                ["Cloudbill__DataDirectory"] = state,
                ["Cloudbill__Payments__Sandbox"] = "false",
            };
            var executable = Path.Combine(app, "cloudbill.dll");
            var migrated = await Run(executable, elsewhere, environment, "migrate");
            Assert.True(migrated.ExitCode == 0, migrated.Error);
            var seeded = await Run(executable, elsewhere, environment, "seed-demo");
            Assert.True(seeded.ExitCode == 0, seeded.Error);
            // The demo's 31 instances are over 17 products of the catalog: it was read.
            Assert.Contains("31", seeded.Output, StringComparison.Ordinal);

            Assert.True(File.Exists(Path.Combine(state, "cloudbill.db")), "the database is state, in the data folder");
            Assert.False(Directory.Exists(Path.Combine(state, "catalog")), "the data folder holds no catalog");
            Assert.Empty(Directory.GetFileSystemEntries(elsewhere));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<ProcessResult> Run(string executable, string workingDirectory, Dictionary<string, string> environment, params string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        info.ArgumentList.Add(executable);
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["NO_COLOR"] = "1";
        foreach (var (key, value) in environment)
            info.Environment[key] = value;
        using var process = System.Diagnostics.Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return new ProcessResult(process.ExitCode, await output, await error);
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }
}
