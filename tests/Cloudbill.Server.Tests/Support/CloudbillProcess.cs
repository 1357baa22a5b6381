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
        ["Cloudbill__DataProtection__CertificatePath"] = KeyRingCertificatePath,
        // The sandbox is on by default only in Development: the tests ask for it explicitly, as the
        // default used to give it (with the embedded database only).
        ["Cloudbill__Payments__Sandbox"] = database.Provider == Cloudbill.Core.Persistence.DatabaseProvider.Sqlite ? "true" : "false",
        // The sandbox's trades belong to one server: each test database gets its own folder.
        ["Cloudbill__Payments__SandboxDirectory"] = Path.Combine(Path.GetTempPath(), "cloudbill-sandbox",
            Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(database.ConnectionString)))[..16]),
    };

    public static async Task<ProcessResult> Run(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var process = Start(environment, args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
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

/// <summary>A running server process on a free loopback port, stopped when disposed.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder log = new();

    private RunningServer(Process process, Uri address)
    {
        this.process = process;
        Address = address;
        process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri Address { get; }

    public string Log
    {
        get { lock (log) return log.ToString(); }
    }

    public static async Task<RunningServer> Start(TestDatabase database, IReadOnlyDictionary<string, string>? extra = null)
    {
        var environment = CloudbillProcess.DatabaseSettings(database);
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
            environment[key] = value;
        var port = CloudbillProcess.FreePort();
        var server = new RunningServer(CloudbillProcess.Start(environment, "--urls", $"http://127.0.0.1:{port}"), new Uri($"http://127.0.0.1:{port}"));

        using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(150);
        while (DateTime.UtcNow < deadline)
        {
            if (server.process.HasExited)
                throw new InvalidOperationException($"The server exited with {server.process.ExitCode}:\n{server.Log}");
            try
            {
                if ((await http.GetAsync("/healthz")).IsSuccessStatusCode)
                    return server;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(200);
        }
        await server.DisposeAsync();
        throw new TimeoutException($"The server did not become healthy in 150 s:\n{server.Log}");
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
