using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Cloudbill.Testing;

namespace Cloudbill.Server.Tests;

public sealed record ProcessResult(int ExitCode, string Output, string Error);

/// <summary>
/// Runs the real `cloudbill` executable as an operator would, with settings passed as
/// environment variables (Cloudbill__Database__Provider, ConnectionStrings__Cloudbill, ...).
/// </summary>
public static class CloudbillProcess
{
    /// <summary>The server's build output, of the same configuration as the tests.</summary>
    public static string Executable { get; } = Path.Combine(RepositoryPaths.Root, "src", "Cloudbill.Server", "bin",
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug",
        "net10.0", "cloudbill.dll");

    /// <summary>
    /// The key ring certificate generated under the repository's data folder, which the in-process
    /// hosts (TestServices) use by default: the processes name it, as PostgreSQL outside Development
    /// requires, so both read the same keys in one test database.
    /// </summary>
    public static string KeyRingCertificatePath { get; } = SharedKeyRingCertificate();

    public static Dictionary<string, string> DatabaseSettings(TestDatabase database) => new()
    {
        ["Cloudbill__Database__Provider"] = database.Provider.ToString(),
        ["ConnectionStrings__Cloudbill"] = database.ConnectionString,
        ["Cloudbill__DataDirectory"] = RepositoryPaths.Data,
        // The tests run the server as `dotnet run` does, in Development: the only environment where
        // the sandbox and the demo's published credentials are allowed (docs/decisions/0026). A
        // test of Production says so (ProductionEnvironment). Both names: the server reads either,
        // the verbs only DOTNET_ENVIRONMENT.
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
        ["DOTNET_ENVIRONMENT"] = "Development",
        ["Cloudbill__DataProtection__CertificatePath"] = KeyRingCertificatePath,
        // The tests ask for the sandbox explicitly with the embedded database, as the default used to give it.
        ["Cloudbill__Payments__Sandbox"] = database.Provider == Cloudbill.Core.Persistence.DatabaseProvider.Sqlite ? "true" : "false",
        // The sandbox's trades belong to one server: each test database gets its own folder.
        ["Cloudbill__Payments__SandboxDirectory"] = Path.Combine(Path.GetTempPath(), "cloudbill-sandbox",
            Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(database.ConnectionString)))[..16]),
    };

    /// <summary>A published build's environment: what `cloudbill` runs in when nothing says otherwise.</summary>
    public static Dictionary<string, string> ProductionEnvironment => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["DOTNET_ENVIRONMENT"] = "Production",
        ["Cloudbill__Payments__Sandbox"] = "",
    };

    public static async Task<ProcessResult> Run(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var process = Start(environment, args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        // The exit is the signal; the bound only stops a hang (a loaded machine starts .NET slowly).
        using var timeout = new CancellationTokenSource(Eventually.Bound);
        await process.WaitForExitAsync(timeout.Token);
        return new ProcessResult(process.ExitCode, await output, await error);
    }

    public static Process Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        info.ArgumentList.Add(Executable);
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["NO_COLOR"] = "1";
        foreach (var (key, value) in environment)
            info.Environment[key] = value;
        return Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start.");
    }

    private static string SharedKeyRingCertificate()
    {
        using var made = Cloudbill.Core.Persistence.KeyRingCertificate.LoadOrCreate(RepositoryPaths.Data);
        return Cloudbill.Core.Persistence.KeyRingCertificate.GeneratedPath(RepositoryPaths.Data);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// A running server process on a loopback port the operating system chose (port 0: no race with
/// another test between picking a free port and binding it), stopped when disposed.
/// </summary>
public sealed class RunningServer : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder log = new();
    private readonly TaskCompletionSource<Uri> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RunningServer(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => exited.TrySetResult();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (process.HasExited)
            exited.TrySetResult();
    }

    private void Append(string? line)
    {
        lock (log) log.AppendLine(line);
        // Kestrel's own signal that the socket is bound, with the port it got.
        const string Marker = "Now listening on: ";
        var at = line?.IndexOf(Marker, StringComparison.Ordinal) ?? -1;
        if (at >= 0)
            listening.TrySetResult(new Uri(line![(at + Marker.Length)..].Trim()));
    }

    public Uri Address { get; private set; } = null!;

    public string Log
    {
        get { lock (log) return log.ToString(); }
    }

    public static async Task<RunningServer> Start(TestDatabase database, IReadOnlyDictionary<string, string>? extra = null)
    {
        var environment = CloudbillProcess.DatabaseSettings(database);
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
            environment[key] = value;
        // The lifetime's "Now listening on" line is the signal; keep it on whatever the log levels say.
        environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        var server = new RunningServer(CloudbillProcess.Start(environment, "--urls", "http://127.0.0.1:0"));
        // Bounded only as a last resort (a hung start); the signals decide.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            var first = await Task.WhenAny(server.listening.Task, server.exited.Task).WaitAsync(timeout.Token);
            if (first == server.exited.Task)
            {
                // Let the output readers finish the last lines before reporting them.
                await server.process.WaitForExitAsync(timeout.Token);
                throw new InvalidOperationException($"The server exited with {server.process.ExitCode}:\n{server.Log}");
            }
            server.Address = await server.listening.Task;
            // Listening comes after the database was prepared (ServerHost.Prepare runs before RunAsync); the health check confirms it.
            using var http = new HttpClient { BaseAddress = server.Address };
            var health = await http.GetAsync("/healthz", timeout.Token);
            if (!health.IsSuccessStatusCode)
                throw new InvalidOperationException($"The server answered /healthz with {(int)health.StatusCode}:\n{server.Log}");
            return server;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            await server.DisposeAsync();
            throw new TimeoutException($"The server did not start listening in 5 minutes:\n{server.Log}");
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }
}
