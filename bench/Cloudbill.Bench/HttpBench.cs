using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Cloudbill.Core.Accounts;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Persistence;
using Cloudbill.Server.OpenApi;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static System.FormattableString;

namespace Cloudbill.Bench;

/// <summary>Where the `--http` server runs: its database, and the settings the bench process uses to reach the same data.</summary>
public sealed record HttpTarget(string Name, string Provider, string ConnectionString, string DataDirectory, string RepositoryRoot);

/// <summary>One timed run: clients, nodes, what came back, how long each call took at the client.</summary>
public sealed record HttpRun(int Clients, int Nodes, int Renewed, IReadOnlyDictionary<string, int> Refused, double Seconds, double P50, double P99, double Max)
{
    /// <summary>The server processes' CPU time in the timed part, per renewal, in ms.</summary>
    public double ServerCpuMs { get; set; }

    public double Rate => Renewed / Seconds;
}

/// <summary>
/// Paid RenewInstance over signed HTTP against the real server: `Cloudbill.Server` started as its
/// own process on Kestrel at 127.0.0.1 (Production, the per-key quota on, the hosted engine and
/// the payment poller off so only the clients write), many accounts each with its own AccessKey,
/// N concurrent clients each signing every request with V1 (HMAC-SHA1, RPC style) as the official
/// SDK does, each call with its own ClientToken. Each client sends one request at a time, on its
/// own connection; the accounts take turns, so each key stays far under its quota.
/// </summary>
public static class HttpBench
{
    private const string KeyPrefix = "LTAIbenchHttp";
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(5);
    public const int WarmUpRenewals = 1500;

    /// <summary>How long the last run's warm-up took.</summary>
    public static TimeSpan WarmedUp { get; private set; }

    public sealed record Work(string KeyId, string Secret, long AccountId, string InstanceId, string ProductCode, int Months);

    /// <summary>An AccessKey for each of <paramref name="keys"/> accounts that hold money, and their renewable instances, interleaved so consecutive calls go to different accounts.</summary>
    public static async Task<IReadOnlyList<Work>> Prepare(Func<ServiceProvider> core, int keys, CancellationToken ct)
    {
        await using var services = core();
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CloudbillDbContext>();
        var accounts = await db.BillingAccounts.Where(a => a.Id != DataGenerator.BigAccountId).OrderBy(a => a.Id).Select(a => a.Id).Take(keys * 2).ToListAsync(ct);
        accounts = accounts.Where(a => !DataGenerator.IsPoor(a)).Take(keys).ToList();
        var after = DataGenerator.RunAt.AddDays(10);
        var instances = await db.Instances
            .Where(i => accounts.Contains(i.AccountId) && i.ChargeType == ChargeType.Subscription && i.ReleasedAt == null && i.ExpiresAt > after && i.UnpaidOrderId == null)
            .Select(i => new { i.Id, i.AccountId, i.ProductCode })
            .ToListAsync(ct);
        var service = scope.ServiceProvider.GetRequiredService<AccessKeyService>();
        var catalog = scope.ServiceProvider.GetRequiredService<Cloudbill.Core.Catalog.ProductCatalog>();
        var byAccount = new List<List<Work>>();
        foreach (var account in accounts)
        {
            var id = Invariant($"{KeyPrefix}{account:D10}");
            var secret = Invariant($"BenchHttpSecretForAccount{account:D10}");
            if (!await db.AccessKeys.AnyAsync(k => k.Id == id, ct))
                await service.Add(account, new AccessKeyPair(id, secret), ct);
            byAccount.Add(instances.Where(i => i.AccountId == account).OrderBy(i => i.Id, StringComparer.Ordinal)
                .Select(i => new Work(id, secret, account, i.Id, i.ProductCode, catalog.GetProduct(i.ProductCode).RenewalDurationsMonths[0])).ToList());
        }
        var work = new List<Work>();
        for (var round = 0; byAccount.Any(a => round < a.Count); round++)
            work.AddRange(byAccount.Where(a => round < a.Count).Select(a => a[round]));
        return work;
    }

    /// <summary>The server as an operator runs it, on its own port; its output goes to a file beside the temp folder.</summary>
    public sealed class ServerProcess : IAsyncDisposable
    {
        private readonly Process process;
        private readonly StringBuilder output = new();

        public Uri Address { get; }

        public int Id => process.Id;

        private ServerProcess(Process process, Uri address)
        {
            this.process = process;
            Address = address;
        }

        /// <summary>Where Prometheus would scrape this server (Cloudbill:Metrics:Listen), when it was started with a metrics port.</summary>
        public Uri? Metrics { get; private init; }

        public static async Task<ServerProcess> Start(HttpTarget target, int port, CancellationToken ct, int? metricsPort = null)
        {
            var dll = Path.Combine(target.RepositoryRoot, "src", "Cloudbill.Server", "bin", "Release", "net10.0", "cloudbill.dll");
            if (!File.Exists(dll))
                throw new InvalidOperationException($"{dll} is missing: build src/Cloudbill.Server in Release (bench/run.sh does).");
            var start = new ProcessStartInfo("dotnet", $"\"{dll}\"") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("DOTNET_gc", StringComparison.OrdinalIgnoreCase) || k.StartsWith("DOTNET_GC", StringComparison.Ordinal)).ToList())
                start.Environment.Remove(name);
            // CLOUDBILL_BENCH_SERVER_ENV_<name>=<value>: <name>=<value> for the server alone (a GC setting to try).
            foreach (var (name, value) in Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .Select(e => ((string)e.Key, (string?)e.Value)).Where(e => e.Item1.StartsWith("CLOUDBILL_BENCH_SERVER_ENV_", StringComparison.Ordinal)).ToList())
                start.Environment[name["CLOUDBILL_BENCH_SERVER_ENV_".Length..]] = value;
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            start.Environment["Urls"] = Invariant($"http://127.0.0.1:{port}");
            start.Environment["Logging__LogLevel__Default"] = "Warning";
            start.Environment["Cloudbill__Database__Provider"] = target.Provider;
            start.Environment["ConnectionStrings__Cloudbill"] = target.ConnectionString;
            start.Environment["Cloudbill__DataDirectory"] = target.DataDirectory;
            start.Environment["Cloudbill__DataProtection__CertificatePath"] = KeyRingCertificate.GeneratedPath(target.DataDirectory);
            start.Environment["Cloudbill__Engine__IntervalSeconds"] = "0";
            start.Environment["Cloudbill__Payments__PollerIntervalSeconds"] = "0";
            if (metricsPort is { } metrics)
                start.Environment["Cloudbill__Metrics__Listen"] = Invariant($"http://127.0.0.1:{metrics}/");
            var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the server.");
            var server = new ServerProcess(process, new Uri(Invariant($"http://127.0.0.1:{port}/")))
            {
                Metrics = metricsPort is { } listen ? new Uri(Invariant($"http://127.0.0.1:{listen}/metrics")) : null,
            };
            process.OutputDataReceived += (_, e) => server.Add(e.Data);
            process.ErrorDataReceived += (_, e) => server.Add(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var probe = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(2) };
            var waited = Stopwatch.StartNew();
            while (true)
            {
                if (process.HasExited)
                    throw new InvalidOperationException($"The server stopped at its start ({process.ExitCode}):\n{server.Output}");
                try
                {
                    using var response = await probe.GetAsync("healthz", ct);
                    if (response.IsSuccessStatusCode)
                        return server;
                }
                catch (HttpRequestException)
                {
                }
                catch (TaskCanceledException) when (!ct.IsCancellationRequested)
                {
                }
                if (waited.Elapsed > TimeSpan.FromSeconds(120))
                    throw new InvalidOperationException($"The server did not answer /healthz in 120 s:\n{server.Output}");
                await Task.Delay(250, ct);
            }
        }

        private void Add(string? line)
        {
            if (line is null)
                return;
            lock (output)
            {
                if (output.Length < 64 * 1024)
                    output.AppendLine(line);
                // CLOUDBILL_BENCH_SERVER_LOG=path: all of the server's output, for a profile (with Logging__LogLevel__... set).
                if (Environment.GetEnvironmentVariable("CLOUDBILL_BENCH_SERVER_LOG") is { Length: > 0 } log)
                    File.AppendAllText(Invariant($"{log}.{Address.Port}"), line + "\n");
            }
        }

        public string Output
        {
            get
            {
                lock (output)
                    return output.ToString();
            }
        }

        /// <summary>What Prometheus would read from the server's metrics endpoint now.</summary>
        public async Task<string> Scrape(CancellationToken ct)
        {
            using var prometheus = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            return await prometheus.GetStringAsync(Metrics ?? throw new InvalidOperationException("The server was started without a metrics port."), ct);
        }

        /// <summary>The process's peak and current resident set (VmHWM, VmRSS), in MB.</summary>
        public (double PeakMb, double NowMb) Memory()
        {
            var status = File.ReadAllLines($"/proc/{process.Id}/status");
            double Kb(string field) => double.Parse(Regex.Match(status.First(l => l.StartsWith(field, StringComparison.Ordinal)), "[0-9]+").Value, CultureInfo.InvariantCulture);
            return (Kb("VmHWM:") / 1024, Kb("VmRSS:") / 1024);
        }

        /// <summary>The process's CPU time so far (user and system, /proc/&lt;pid&gt;/stat), in seconds.</summary>
        public double CpuSeconds()
        {
            var stat = File.ReadAllText($"/proc/{process.Id}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After the name: state is field 3, utime 14 and stime 15 (1-based), in clock ticks (100 per second on Linux).
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
        }

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                // SIGTERM: the host stops as on a service manager's stop.
                using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
                    await term.WaitForExitAsync();
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                try
                {
                    await process.WaitForExitAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                    process.Kill();
                }
            }
            process.Dispose();
        }
    }

    /// <summary>
    /// <paramref name="clients"/> clients, split over <paramref name="servers"/>, renew for a warm-up
    /// and then for <paramref name="length"/>; each call is a new V1-signed request with a new
    /// ClientToken. Returns the timed part; <paramref name="renewedInAll"/> counts the warm-up too.
    /// </summary>
    public static async Task<HttpRun> Load(IReadOnlyList<Uri> servers, IReadOnlyList<Work> work, int clients, TimeSpan length, Action<int> renewedInAll, CancellationToken ct)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients, UseCookies = false, AutomaticDecompression = System.Net.DecompressionMethods.None };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        var next = -1;
        var timing = false;
        var stop = false;
        var latencies = new ConcurrentBag<double[]>();
        var refused = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var renewed = 0;
        var all = 0;

        async Task Client(int index)
        {
            var server = servers[index % servers.Count];
            var mine = new List<double>(4096);
            while (!Volatile.Read(ref stop))
            {
                var item = work[(int)((uint)Interlocked.Increment(ref next) % (uint)work.Count)];
                using var request = SignedV1(server, item, "RenewInstance", [new("InstanceId", item.InstanceId), new("ProductCode", item.ProductCode), new("RenewPeriod", item.Months.ToString(CultureInfo.InvariantCulture)), new("ClientToken", Guid.NewGuid().ToString())]);
                var measured = Volatile.Read(ref timing);
                var watch = Stopwatch.StartNew();
                using var response = await http.SendAsync(request, ct);
                var body = await response.Content.ReadAsStringAsync(ct);
                var elapsed = watch.Elapsed.TotalMilliseconds;
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref all);
                    if (measured && Volatile.Read(ref timing))
                    {
                        Interlocked.Increment(ref renewed);
                        mine.Add(elapsed);
                    }
                }
                else
                {
                    var code = Regex.Match(body, "\"Code\"\\s*:\\s*\"([^\"]+)\"") is { Success: true } m ? m.Groups[1].Value : ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                    var key = Invariant($"{(int)response.StatusCode} {code}");
                    if (refused.AddOrUpdate(key, 1, (_, n) => n + 1) == 1)
                        Console.WriteLine(Invariant($"  first refusal {key}: {body[..Math.Min(body.Length, 300)]}"));
                }
            }
            latencies.Add(mine.ToArray());
        }

        var tasks = Enumerable.Range(0, clients).Select(i => Task.Run(() => Client(i), ct)).ToArray();
        // Warm-up: the server has thousands of methods to tier up (the JIT's background worker was
        // 17 % of the server's CPU 15 s into a 3-second warm-up), so at least WarmUp and
        // WarmUpRenewals calls, or at most 40 s, before the timing starts.
        var warming = Stopwatch.StartNew();
        while (warming.Elapsed < WarmUp || (Volatile.Read(ref all) is > 0 and < WarmUpRenewals && warming.Elapsed < TimeSpan.FromSeconds(40)))
            await Task.Delay(100, ct);
        WarmedUp = warming.Elapsed;
        Volatile.Write(ref timing, true);
        var watch = Stopwatch.StartNew();
        await Task.Delay(length, ct);
        Volatile.Write(ref timing, false);
        var seconds = watch.Elapsed.TotalSeconds;
        Volatile.Write(ref stop, true);
        await Task.WhenAll(tasks);
        renewedInAll(all);
        var sorted = latencies.SelectMany(l => l).Order().ToArray();
        return new HttpRun(clients, servers.Count, renewed, refused.ToDictionary(), seconds,
            sorted.Length == 0 ? double.NaN : Percentile(sorted, 0.50), sorted.Length == 0 ? double.NaN : Percentile(sorted, 0.99), sorted.Length == 0 ? double.NaN : sorted[^1]);
    }

    /// <summary>A V1-signed (HMAC-SHA1) request as the SDK's RPC style sends it: every parameter, Action included, in the query, signed.</summary>
    public static HttpRequestMessage SignedV1(Uri server, Work key, string action, IEnumerable<BssParameter> parameters)
    {
        var all = new List<BssParameter>
        {
            new("Action", action), new("Version", BssOpenApi.Version), new("Format", "JSON"),
            new("Timestamp", DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
            new("SignatureNonce", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))),
            new("SignatureMethod", "HMAC-SHA1"), new("SignatureVersion", "1.0"), new("AccessKeyId", key.KeyId),
        };
        all.AddRange(parameters);
        all.Add(new("Signature", BssSignatures.V1Signature(key.Secret, BssSignatures.V1StringToSign("POST", all))));
        return new HttpRequestMessage(HttpMethod.Post, new Uri(server, "/?" + string.Join('&', all.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)))))
        {
            Content = new ByteArrayContent([]),
        };
    }

    /// <summary>After the runs: every renewal a client saw confirmed is one paid Renew order, and the ledger reconciles.</summary>
    public static async Task<(int PaidRenewals, ReconciliationReport Reconciliation)> Check(Func<ServiceProvider> core, CancellationToken ct)
    {
        await using var services = core();
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CloudbillDbContext>();
        var paid = await db.Orders.CountAsync(o => o.Type == OrderType.Renew && o.Status == OrderStatus.Paid, ct);
        var reconciliation = await scope.ServiceProvider.GetRequiredService<Reconciliation>().Run(ct);
        return (paid, reconciliation);
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];

    /// <summary>
    /// The metrics docs/operations.md names (issue 23), each as the series a Prometheus scrape must
    /// show: a family name and, where the labels matter, a label it must carry.
    /// </summary>
    public static readonly IReadOnlyList<(string Metric, string Pattern, bool PostgresOnly)> NamedMetrics =
    [
        ("requests by route and API action", @"^http_server_request_duration_seconds_count\{[^}]*cloudbill_api_action=""RenewInstance""[^}]*http_response_status_code=""200""", false),
        ("engine actions by kind and outcome", @"^cloudbill_engine_actions_total\{[^}]*kind=""auto-renewal"",[^}]*outcome=""failed""", false),
        ("engine lag", @"^cloudbill_engine_lag_seconds[{ ]", false),
        ("payments by gateway and state", @"^cloudbill_payments\{[^}]*gateway=""alipay"",[^}]*state=""pending""", false),
        ("payments unconfirmed after 10 minutes", @"^cloudbill_payments_unconfirmed\{[^}]*gateway=""union_pay""", false),
        ("notification failures", @"^cloudbill_notifications_email_failures[{ ]", false),
        ("e-mail outbox depth", @"^cloudbill_outbox_depth\{[^}]*outbox=""email""", false),
        ("webhook outbox depth", @"^cloudbill_outbox_depth\{[^}]*outbox=""webhooks""", false),
        ("database failovers", @"^cloudbill_database_failovers_total[{ ]", false),
        ("database pool in use", @"^db_client_connection_count\{[^}]*db_client_connection_state=""used""", true),
        ("database pool limit", @"^db_client_connection_max\{", true),
        (".NET runtime", @"^dotnet_gc_collections_total\{", false),
    ];

    /// <summary>Each named metric and the first line of the scrape that shows it (null: missing).</summary>
    public static IReadOnlyList<(string Metric, string? Line)> Check(string scrape, bool postgres) =>
        [.. NamedMetrics.Where(m => postgres || !m.PostgresOnly)
            .Select(m => (m.Metric, scrape.Split('\n').FirstOrDefault(line => Regex.IsMatch(line, m.Pattern)))),];
}
