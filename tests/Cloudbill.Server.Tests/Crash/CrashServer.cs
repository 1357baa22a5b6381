using System.Diagnostics;
using System.Globalization;
using System.Text;
using Cloudbill.Testing;

namespace Cloudbill.Server.Tests.Crash;

/// <summary>
/// The real `cloudbill` server on one database and one fixed port (the sandbox's queued
/// notifications and the payments' notify URLs name it), killed with SIGKILL and started again.
/// Clients that lose their connection wait on <see cref="WhenUp"/>, which is completed when the
/// restarted server answers /healthz.
/// </summary>
internal sealed class CrashServer : IAsyncDisposable
{
    private readonly Dictionary<string, string> environment;
    private readonly Func<HttpClient, Task> afterStart;
    private readonly StringBuilder log = new();
    private TaskCompletionSource up = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? process;

    /// <param name="settings">More settings for the server and its verbs (Cloudbill__Webhooks__PollSeconds).</param>
    public CrashServer(TestDatabase database, Func<HttpClient, Task> afterStart, IReadOnlyDictionary<string, string>? settings = null)
    {
        var port = CloudbillProcess.FreePort();
        Address = new Uri($"http://127.0.0.1:{port}");
        this.afterStart = afterStart;
        environment = Environment(database, Address);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            environment[key] = value;
    }

    public Uri Address { get; }

    /// <summary>How many times the server was started: clients note it, so an answer can be told from before or after a kill.</summary>
    public int Generation { get; private set; }

    /// <summary>Completed while a started server answers; replaced by a pending one just before a kill.</summary>
    public Task WhenUp => Volatile.Read(ref up).Task;

    /// <summary>The verbs' settings: the same database, sandbox and public address as the server.</summary>
    public IReadOnlyDictionary<string, string> Settings => environment;

    public string Log
    {
        get { lock (log) return log.ToString(); }
    }

    /// <summary>
    /// The server's settings for the storm: the sandbox on (in Development, where it is allowed), its
    /// notification retries and the poller fast, the engine running every second on each node, and no
    /// API throttling (a storm of one AccessKey is not what the quotas are for).
    /// </summary>
    public static Dictionary<string, string> Environment(TestDatabase database, Uri address)
    {
        var settings = CloudbillProcess.DatabaseSettings(database);
        settings["DOTNET_ENVIRONMENT"] = "Development";
        settings["ASPNETCORE_ENVIRONMENT"] = "Development";
        settings["Cloudbill__Payments__Sandbox"] = "true";
        settings["Cloudbill__Payments__SandboxRetryScale"] = "0.01";
        settings["Cloudbill__Payments__PollerIntervalSeconds"] = "1";
        settings["Cloudbill__Payments__PublicBaseUrl"] = address.ToString();
        settings["Cloudbill__Engine__IntervalSeconds"] = "1";
        settings["Cloudbill__Api__ThrottlingEnabled"] = "false";
        settings["Cloudbill__Database__MigrateOnStart"] = "true";
        return settings;
    }

    public async Task Start()
    {
        lock (log)
            log.AppendLine(CultureInfo.InvariantCulture, $"==== start {Generation + 1}");
        var started = CloudbillProcess.Start(environment, "--urls", Address.ToString().TrimEnd('/'));
        started.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        started.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
        process = started;

        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(150);
        while (true)
        {
            if (started.HasExited)
                throw new InvalidOperationException($"The server exited with {started.ExitCode} on start {Generation + 1}:\n{Log}");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The server did not answer /healthz within 150 s on start {Generation + 1}:\n{Log}");
            try
            {
                if ((await http.GetAsync("/healthz")).IsSuccessStatusCode)
                    break;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        // The sandbox's switches live in the process: each start sets them again.
        await afterStart(http);
        Generation++;
        Volatile.Read(ref up).TrySetResult();
    }

    /// <summary>SIGKILL: no shutdown, no flush, whatever was in flight is cut off.</summary>
    public async Task Kill()
    {
        Volatile.Write(ref up, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var killed = process!;
        killed.Kill(entireProcessTree: true);
        await killed.WaitForExitAsync();
        lock (log)
            log.AppendLine(CultureInfo.InvariantCulture, $"==== killed (exit {killed.ExitCode})");
        killed.Dispose();
        process = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process?.Dispose();
        // Nothing may wait for a server that will not come back.
        Volatile.Read(ref up).TrySetCanceled();
    }
}
