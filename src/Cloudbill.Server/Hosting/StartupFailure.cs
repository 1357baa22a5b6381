using Cloudbill.Core.Catalog;
using Cloudbill.Core.Persistence;

namespace Cloudbill.Server.Hosting;

/// <summary>Turns a bad setting, catalog or database into one line on stderr and a non-zero exit code.</summary>
internal static class StartupFailure
{
    public const int ExitCode = 2;

    public static bool IsConfigurationProblem(Exception e) => e is ConfigurationProblemException or CatalogException;

    public static int Report(Exception e)
    {
        Console.Error.WriteLine($"cloudbill: {e.Message}");
        return ExitCode;
    }
}
