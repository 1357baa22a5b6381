using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Cloudbill.Bench;
using Cloudbill.Core;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Lifecycle;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Renewals;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static System.FormattableString;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 2;
}

// The benchmark stops by itself: everything runs under one deadline.
using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(60));
var ct = deadline.Token;
var report = new StringBuilder();
void Say(string line)
{
    Console.WriteLine(line);
}

var copyDatabase = options.Database + "_copy";
var pgbenchReady = false;
var pgbenchDatabase = options.Database + "_pgbench";
var dataDirectory = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "data"));
if (!Directory.Exists(dataDirectory))
    dataDirectory = Path.GetFullPath("data");

Say(Invariant($"Cloudbill benchmark ({options.Label}): {options.Instances:N0} instances, {options.Due:N0} due, a {options.BigAccount:N0}-instance account"));

var recorder = new CommandRecorder();
var catalog = CatalogLoader.Load(Path.Combine(dataDirectory, "catalog"));
GeneratedData data;
// `--http --sqlite`: the embedded database, a copy of the generated data (made once per --database).
var sqliteFolder = Path.Combine(Path.GetTempPath(), "cloudbill-bench-" + options.Database);
var sqliteFile = Path.Combine(sqliteFolder, "cloudbill.db");
// A SQLite copy is taken from fresh data only: the PostgreSQL database of earlier --http runs holds their renewals' journal entries but the copy leaves their orders out.
if (options.Reuse && (!options.Sqlite || File.Exists(sqliteFile)) && await Scalar<long>("postgres", $"SELECT count(*) FROM pg_database WHERE datname = '{options.Database}'") == 1)
{
    // `--reuse` (with --http): the data of an earlier run, as it is now.
    data = new GeneratedData(
        (int)await Scalar<long>(options.Database, "SELECT count(*) FROM \"BillingAccounts\""),
        (int)await Scalar<long>(options.Database, "SELECT count(*) FROM \"Instances\""), 0, 0, new Dictionary<string, int>(), TimeSpan.Zero);
    Say(Invariant($"Reusing {options.Database}: {data.Instances:N0} instances in {data.Accounts:N0} accounts"));
}
else
{
    // 1. A fresh database with the migrations applied.
    await Recreate(options.Database);
    await using (var setup = Build(options.Database, recorder))
    {
        await using var scope = setup.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseMigrator>().Migrate(ct);
    }

    // 2. The data, with binary COPY.
    await using (var connection = new NpgsqlConnection(options.ConnectionTo(options.Database)))
    {
        await connection.OpenAsync(ct);
        data = await new DataGenerator(options, catalog).Generate(connection, ct);
    }
    Say(Invariant($"Generated {data.Instances:N0} instances in {data.Accounts:N0} accounts, {data.Due:N0} due, in {data.Elapsed.TotalSeconds:F1} s"));
}

// `--pages`: the phone app's Console pages on the big account, then stop (issue 9's speed figures).
if (options.PagesOnly)
{
    await Settle(options.Database);
    var pagesReport = await PagesBench.Run(options.ConnectionTo(options.Database), dataDirectory, options.ViewCalls, options.BigAccount, data.Instances, Say, ct);
    await ReportAlone("pages", pagesReport);
    return 0;
}

// `--console`: the operator console's lists on every instance, then stop (issue 22's speed figures).
if (options.ConsoleOnly)
{
    await Settle(options.Database);
    var consoleReport = await ConsoleBench.Run(options.ConnectionTo(options.Database), dataDirectory, options.ViewCalls, options.BigAccount, data.Instances, Say, ct);
    await ReportAlone("console", consoleReport);
    return 0;
}

// `--api`: the OpenAPI on the big account, then stop (docs/api.md, issue 10's speed figures).
if (options.ApiOnly)
{
    await Settle(options.Database);
    var apiReport = await ApiBench.Run(options.ConnectionTo(options.Database), dataDirectory, options.ViewCalls, options.BigAccount, data.Instances,
        () => Build(options.Database, recorder), Say, ct);
    await ReportAlone("api", apiReport);
    return 0;
}

// `--http`: paid RenewInstance over signed HTTP against the real server, then stop (issue 23).
if (options.HttpOnly)
{
    await Settle(options.Database);
    var root = Path.GetFullPath(Path.Combine(dataDirectory, ".."));
    HttpTarget target;
    Func<ServiceProvider> core;
    string? bareFile = null;
    if (options.Sqlite)
    {
        Directory.CreateDirectory(sqliteFolder);
        var file = sqliteFile;
        bareFile = Path.Combine(sqliteFolder, "bare-renewal.db");
        var sqlite = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = file }.ToString();
        core = () => BuildWith("Sqlite", sqlite, recorder);
        if (!options.Reuse || !File.Exists(file))
        {
            foreach (var f in new[] { file, file + "-wal", file + "-shm" })
                File.Delete(f);
            var copied = await SqliteCopy.Run(() => Build(options.Database, recorder), core, ct);
            Say(Invariant($"Copied the data into {file} in {copied.TotalSeconds:F1} s ({new FileInfo(file).Length / 1024 / 1024:N0} MB)"));
        }
        target = new HttpTarget("SQLite", "Sqlite", sqlite, dataDirectory, root);
    }
    else
    {
        core = () => Build(options.Database, recorder);
        target = new HttpTarget("PostgreSQL", "Postgres", new NpgsqlConnectionStringBuilder(options.Server) { Database = options.Database }.ConnectionString, dataDirectory, root);
    }
    var work = await HttpBench.Prepare(core, options.Keys, ct);
    var (paidBefore, _) = await HttpBench.Check(core, ct);
    Say(Invariant($"{options.Keys} AccessKeys, {work.Count:N0} renewable instances in their accounts"));
    var runs = new List<(HttpRun Run, double Baseline, double PeakMb)>();
    var renewedInAll = 0;
    var length = TimeSpan.FromSeconds(options.HttpSeconds);
    async Task<double> Baseline(int clients)
    {
        if (bareFile is not null)
        {
            var bare = await BareRenewal.Sqlite(bareFile, options.Instances, length, ct);
            Say(Invariant($"SQLite bare renewal transaction, one writer, {options.HttpSeconds} s: {bare.Tps:F0} tps"));
            return bare.Tps;
        }
        var tpcb = await Pgbench(clients, options.HttpSeconds);
        Say(Invariant($"pgbench TPC-B -c {clients} -j {clients} -T {options.HttpSeconds}: {tpcb.Tps:F0} tps"));
        return tpcb.Tps;
    }
    double serverPeak;
    string? scrape = null;
    await using (var server = await HttpBench.ServerProcess.Start(target, 5301, ct, metricsPort: 5401))
    {
        Say(Invariant($"Server {server.Id} on {server.Address}: {server.Memory().NowMb:F0} MB resident after its start"));
        foreach (var clients in options.Clients)
        {
            var baseline = await Baseline(clients);
            var cpu = server.CpuSeconds();
            var run = await HttpBench.Load([server.Address], work, clients, length, n => renewedInAll += n, ct);
            // The warm-up is in the CPU time too; the warm-up's renewals are counted at the timed rate (its first seconds are slower: an upper bound).
            run.ServerCpuMs = (server.CpuSeconds() - cpu) * 1000 / Math.Max(1, run.Renewed * (run.Seconds + HttpBench.WarmedUp.TotalSeconds) / run.Seconds);
            var memory = server.Memory();
            runs.Add((run, baseline, memory.PeakMb));
            // What Prometheus reads from the loaded server, its counters holding the run just done.
            scrape = await server.Scrape(ct);
            Say(Invariant($"RenewInstance over HTTP, {clients} clients: {run.Rate:F0}/s ({run.Renewed:N0} in {run.Seconds:F1} s), p50 {run.P50:F1} ms, p99 {run.P99:F1} ms, max {run.Max:F0} ms; {run.Rate / baseline:F2}x the baseline; refused {string.Join(", ", run.Refused.Select(r => Invariant($"{r.Key}: {r.Value}")))}; server CPU {run.ServerCpuMs:F1} ms per renewal; server peak RSS {memory.PeakMb:F0} MB"));
        }
        serverPeak = server.Memory().PeakMb;
    }
    (HttpRun Run, double Baseline, double PeakA, double PeakB)? twoNodes = null;
    if (options.TwoNodes && !options.Sqlite)
    {
        await using var a = await HttpBench.ServerProcess.Start(target, 5302, ct);
        await using var b = await HttpBench.ServerProcess.Start(target, 5303, ct);
        var clients = options.Clients.Max();
        var baseline = await Baseline(clients);
        var run = await HttpBench.Load([a.Address, b.Address], work, clients, length, n => renewedInAll += n, ct);
        twoNodes = (run, baseline, a.Memory().PeakMb, b.Memory().PeakMb);
        Say(Invariant($"RenewInstance over HTTP, two nodes, {clients} clients: {run.Rate:F0}/s, p50 {run.P50:F1} ms, p99 {run.P99:F1} ms; {run.Rate / baseline:F2}x TPC-B"));
    }
    var (paidInAll, reconciled) = await HttpBench.Check(core, ct);
    var paidRenewals = paidInAll - paidBefore;
    Say(Invariant($"Paid renewal orders {paidRenewals:N0}, confirmed to the clients {renewedInAll:N0}; ledger {(reconciled.IsClean ? "reconciles" : "DOES NOT reconcile")}"));

    var httpReport = new StringBuilder();
    httpReport.AppendLine(await RunLine());
    httpReport.AppendLine();
    httpReport.AppendLine(Invariant($"Paid RenewInstance over signed HTTP on {target.Name}: `Cloudbill.Server` as its own process on Kestrel at 127.0.0.1 (Production, per-key quota on, hosted engine and poller off), {data.Instances:N0} instances in the database, {options.Keys} accounts each with its own AccessKey ({work.Count:N0} of their instances renewed in turn, each for its product's shortest duration), every call V1-signed (HMAC-SHA1, RPC style) with its own ClientToken; a warm-up of at least 5 s and {HttpBench.WarmUpRenewals:N0} renewals (at most 40 s), then {options.HttpSeconds} s timed; latency at the client."));
    httpReport.AppendLine();
    var baselineName = options.Sqlite ? "SQLite bare renewal, one writer, same disk" : "pgbench TPC-B, same clients";
    var goal = options.Sqlite ? 0.3 : 0.5;
    httpReport.AppendLine(Invariant($"| Clients | Nodes | Renewals/s | p50 | p99 | max | {baselineName} | Ratio | Goal {goal}x{(options.Sqlite ? ", p99 < 50 ms at 8" : "")} | Server CPU per renewal | Server peak RSS (VmHWM) | Refused |"));
    httpReport.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
    foreach (var (run, baseline, peak) in runs)
    {
        var met = run.Rate >= goal * baseline && (!options.Sqlite || run.Clients != 8 || run.P99 < 50);
        httpReport.AppendLine(Invariant($"| {run.Clients} | 1 | {run.Rate:F0} ({run.Renewed:N0} in {run.Seconds:F0} s) | {run.P50:F1} ms | {run.P99:F1} ms | {run.Max:F0} ms | {baseline:F0} tps | **{run.Rate / baseline:F2}x** | {(met ? "met" : "NOT met")} | {run.ServerCpuMs:F1} ms | {peak:F0} MB | {(run.Refused.Count == 0 ? "none" : string.Join(", ", run.Refused.Select(r => Invariant($"{r.Key} x{r.Value}"))))} |"));
    }
    if (twoNodes is { } two)
        httpReport.AppendLine(Invariant($"| {two.Run.Clients} | 2 | {two.Run.Rate:F0} ({two.Run.Renewed:N0} in {two.Run.Seconds:F0} s) | {two.Run.P50:F1} ms | {two.Run.P99:F1} ms | {two.Run.Max:F0} ms | {two.Baseline:F0} tps | **{two.Run.Rate / two.Baseline:F2}x** | {(two.Run.Rate >= goal * two.Baseline ? "met" : "NOT met")} | - | {two.PeakA:F0} + {two.PeakB:F0} MB | {(two.Run.Refused.Count == 0 ? "none" : string.Join(", ", two.Run.Refused.Select(r => Invariant($"{r.Key} x{r.Value}"))))} |"));
    httpReport.AppendLine();
    httpReport.AppendLine(Invariant($"Server memory: peak RSS {serverPeak:F0} MB with {data.Instances:N0} instances in the database (goal < 300 MB: {(serverPeak < 300 ? "met" : "NOT met")})."));
    httpReport.AppendLine(Invariant($"Money: {paidRenewals:N0} new paid Renew orders for {renewedInAll:N0} renewals the clients saw confirmed (warm-ups included): {(paidRenewals == renewedInAll ? "equal" : "DIFFERENT")}; `Reconciliation.Run` afterwards: {(reconciled.IsClean ? "clean" : "NOT CLEAN")} ({reconciled.AccountsChecked:N0} accounts, {reconciled.TransactionsChecked:N0} transactions)."));
    if (scrape is not null)
    {
        var shown = HttpBench.Check(scrape, postgres: !options.Sqlite);
        var scrapeFile = Path.Combine(root, "bench", "results", Invariant($"metrics-http-{(options.Sqlite ? "sqlite" : "postgres")}.txt"));
        Directory.CreateDirectory(Path.GetDirectoryName(scrapeFile)!);
        await File.WriteAllTextAsync(scrapeFile, scrape, ct);
        httpReport.AppendLine();
        httpReport.AppendLine(Invariant($"Metrics: the server ran with `Cloudbill:Metrics:Listen` set, and a Prometheus scrape of its `/metrics` after the last run ({scrape.Split('\n').Count(l => l.Length > 0 && l[0] != '#'):N0} series, kept in `bench/results/{Path.GetFileName(scrapeFile)}`) shows {shown.Count(m => m.Line is not null)} of the {shown.Count} metrics docs/operations.md names{(shown.All(m => m.Line is not null) ? "" : "; MISSING: " + string.Join(", ", shown.Where(m => m.Line is null).Select(m => m.Metric)))}:"));
        httpReport.AppendLine();
        httpReport.AppendLine("| Metric | A line of the scrape |");
        httpReport.AppendLine("|---|---|");
        foreach (var (metric, line) in shown)
            httpReport.AppendLine(Invariant($"| {metric} | {(line is null ? "**missing**" : "`" + System.Text.RegularExpressions.Regex.Replace(line, @"otel_scope_name=""[^""]*"",?(otel_scope_version=""[^""]*"",?)?|db_client_connection_pool_name=""[^""]*""", m => m.Value.StartsWith("db_", StringComparison.Ordinal) ? "db_client_connection_pool_name=\"…\"" : "") + "`")} |"));
    }
    Console.WriteLine(httpReport);
    if (options.Output is { } httpOutput)
        await WriteSection(httpOutput, Invariant($"http-{(options.Sqlite ? "sqlite" : "postgres")}-{options.Label}"), httpReport.ToString());
    NpgsqlConnection.ClearAllPools();
    await Admin($"DROP DATABASE IF EXISTS {pgbenchDatabase} WITH (FORCE)");
    return reconciled.IsClean && paidRenewals == renewedInAll ? 0 : 1;
}

// A copy for the two-engine run, taken before anything ran.
NpgsqlConnection.ClearAllPools();
if (options.TwoEngines)
{
    await Admin($"DROP DATABASE IF EXISTS {copyDatabase} WITH (FORCE)");
    await Admin($"CREATE DATABASE {copyDatabase} TEMPLATE {options.Database}");
}

// 3. The baseline: pgbench TPC-B in the same run.
var pgbench = await Pgbench();
Say(Invariant($"pgbench TPC-B (-c 2 -j 2 -T {options.PgbenchSeconds}, scale {options.PgbenchScale}): {pgbench.Tps:F1} tps"));

// `--renewals-only`: the bare renewal transaction in pgbench at the engine's client counts (one
// connection per node), the baseline of the engine's money-moving rate.
(double Tps, long Transactions) bare1 = default, bare2 = default;
if (options.RenewalsOnly)
{
    var script = await BareRenewal.PreparePostgres(options.ConnectionTo(pgbenchDatabase), options.Instances, ct);
    bare1 = await Pgbench(1, script: script);
    Say(Invariant($"pgbench bare renewal transaction (-c 1 -T {options.PgbenchSeconds}): {bare1.Tps:F1} tps"));
    if (options.TwoEngines)
    {
        bare2 = await Pgbench(2, script: script);
        Say(Invariant($"pgbench bare renewal transaction (-c 2 -T {options.PgbenchSeconds}): {bare2.Tps:F1} tps"));
    }
    File.Delete(script);
}

// 4. The engine over the whole due set.
var batchSettings = options.BatchSize > 0 ? new Dictionary<string, string?> { ["Cloudbill:Engine:BatchSize"] = options.BatchSize.ToString(CultureInfo.InvariantCulture) } : null;
EngineRunReport single;
TimeSpan singleElapsed;
long singleCommands;
int batchSize;
TimeSpan engineCpu;
await using (var node = Build(options.Database, recorder, batchSettings))
{
    batchSize = node.GetRequiredService<CloudbillOptions>().Engine.BatchSize;
    var engine = node.GetRequiredService<LifecycleEngine>();
    var before = recorder.Commands;
    recorder.Profiling = Environment.GetEnvironmentVariable("CLOUDBILL_BENCH_PROFILE") == "1";
    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    var watch = Stopwatch.StartNew();
    single = await engine.RunUntil(DataGenerator.RunAt, ct);
    singleElapsed = watch.Elapsed;
    engineCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
    singleCommands = recorder.Commands - before;
    recorder.Profiling = false;
    foreach (var (command, count, time) in recorder.TakeProfile().Take(25))
        Say(Invariant($"  db {time.TotalMilliseconds,9:F0} ms {count,7} x  {command}"));
    var again = await engine.RunUntil(DataGenerator.RunAt, ct);
    if (again.Total != 0)
        Say(Invariant($"WARNING: a second run found {again.Total} more action(s)"));
}
var singleRate = single.Total / singleElapsed.TotalSeconds;
Say(Invariant($"Engine: {single.Total:N0} actions in {singleElapsed.TotalSeconds:F1} s = {singleRate:F0} actions/s ({singleRate / pgbench.Tps:F2}x pgbench), {(double)singleCommands / single.Total:F2} commands/action, engine process CPU {engineCpu.TotalSeconds:F1} s"));
foreach (var (what, n) in single.Counts)
    Say(Invariant($"  {what}: {n:N0}"));
var remaining = await Scalar<long>(options.Database, Invariant($"""SELECT count(*) FROM "Instances" WHERE "NextDueAt" <= '{DataGenerator.RunAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}+00'"""));

// 5. Two engines at once (two nodes) on the copy.
IReadOnlyDictionary<string, int>? dual = null;
var dualTotal = 0;
TimeSpan dualElapsed = default;
string? claimPlan = null;
if (options.TwoEngines)
{
    claimPlan = await ExplainClaim(copyDatabase, batchSize);
    await using var nodeA = Build(copyDatabase, recorder, batchSettings);
    await using var nodeB = Build(copyDatabase, recorder, batchSettings);
    var watch = Stopwatch.StartNew();
    var runs = await Task.WhenAll(
        Task.Run(() => nodeA.GetRequiredService<LifecycleEngine>().RunUntil(DataGenerator.RunAt, ct), ct),
        Task.Run(() => nodeB.GetRequiredService<LifecycleEngine>().RunUntil(DataGenerator.RunAt, ct), ct));
    var parts = runs.ToList();
    // Instances of an account the other node held were skipped: the next run (of either node) does them.
    while (parts[^1].Total > 0 || parts.Count == 2)
        parts.Add(await nodeA.GetRequiredService<LifecycleEngine>().RunUntil(DataGenerator.RunAt, ct));
    dualElapsed = watch.Elapsed;
    dual = Sum(parts);
    dualTotal = dual.Values.Sum();
    Say(Invariant($"Two engines: {dualTotal:N0} actions in {dualElapsed.TotalSeconds:F1} s = {dualTotal / dualElapsed.TotalSeconds:F0} actions/s ({dualTotal / dualElapsed.TotalSeconds / pgbench.Tps:F2}x pgbench); first runs {runs[0].Total:N0} + {runs[1].Total:N0}, then {parts.Count - 2} catch-up run(s)"));
}

// 6. The renewal views of the big account.
var filters = new (string Name, RenewalFilter Filter)[]
{
    ("Urgent, page 1", RenewalFilter.Urgent),
    ("All times, page 1", new RenewalFilter()),
    ("ECS + Manual Renewal tab", new RenewalFilter(ProductCode: "ecs", Method: RenewalMethod.ManualRenewal)),
    ("Search \"ecs-001\"", new RenewalFilter(Search: "ecs-001")),
};
var viewResults = new List<(string Name, int Total, double P50, double P99, double Mean)>();
// The engine just rewrote 100,000 rows; autovacuum would catch up on a live system. Without it
// the visibility map is stale and the views' index-only scans read the heap for every row.
await using (var connection = new NpgsqlConnection(options.ConnectionTo(options.Database)))
{
    await connection.OpenAsync(ct);
    await DataGenerator.Execute(connection, "VACUUM ANALYZE \"Instances\"", ct);
}
var plans = new List<(string Name, string Sql, string Plan)>();
await using (var web = Build(options.Database, recorder))
{
    foreach (var (name, filter) in filters)
    {
        async Task<(double Ms, int Total)> Call()
        {
            var watch = Stopwatch.StartNew();
            await using var scope = web.CreateAsyncScope();
            var page = await scope.ServiceProvider.GetRequiredService<RenewalViews>().List(DataGenerator.BigAccountId, filter, ct);
            return (watch.Elapsed.TotalMilliseconds, page.Value.Total);
        }
        for (var i = 0; i < 50; i++)
            await Call();
        var times = new double[options.ViewCalls];
        var total = 0;
        for (var i = 0; i < times.Length; i++)
            (times[i], total) = await Call();
        Array.Sort(times);
        viewResults.Add((name, total, Percentile(times, 0.50), Percentile(times, 0.99), times.Average()));
        Say(Invariant($"View {name}: {total:N0} matching, p50 {Percentile(times, 0.50):F2} ms, p99 {Percentile(times, 0.99):F2} ms"));

        recorder.Capturing = true;
        await Call();
        recorder.Capturing = false;
        var captured = recorder.TakeCaptured();
        for (var q = 0; q < captured.Count; q++)
            plans.Add(($"{name}, query {q + 1} of {captured.Count}", captured[q].Sql, await Explain(options.Database, captured[q])));
    }
}

// 7. The ledger reconciles after all that money moved.
var reconciliations = new List<(string Database, ReconciliationReport Report)>();
foreach (var database in options.TwoEngines ? new[] { options.Database, copyDatabase } : [options.Database])
{
    await using var services = Build(database, recorder);
    await using var scope = services.CreateAsyncScope();
    var result = await scope.ServiceProvider.GetRequiredService<Reconciliation>().Run(ct);
    reconciliations.Add((database, result));
    Say(Invariant($"Reconciliation of {database}: {(result.IsClean ? "clean" : "NOT CLEAN")} ({result.AccountsChecked:N0} accounts, {result.TransactionsChecked:N0} transactions)"));
}
var sameWork = dual is null || dual.OrderBy(c => c.Key, StringComparer.Ordinal).SequenceEqual(single.Counts.OrderBy(c => c.Key, StringComparer.Ordinal));

// 8. The results, into BENCHMARKS.md between this run's markers.
report.AppendLine(await RunLine());
report.AppendLine();
report.AppendLine(Invariant($"Data: {data.Instances:N0} instances in {data.Accounts:N0} billing accounts (one of {options.BigAccount:N0}, the rest of {options.AccountSize}); {data.Due:N0} due at {DataGenerator.RunAt:yyyy-MM-dd HH:mm} UTC (scheduled at {DataGenerator.GeneratedAt:yyyy-MM-dd HH:mm} UTC with `LifecycleSchedule.NextDueAfter`); {data.PoorAccounts:N0} accounts hold no money, so their auto-renewals fail. Loaded with binary COPY in {data.Elapsed.TotalSeconds:F0} s."));
report.AppendLine(Invariant($"Due mix: {string.Join(", ", data.DueByKind.OrderByDescending(k => k.Value).Select(k => Invariant($"{k.Key} {k.Value:N0}")))}."));
report.AppendLine();
report.AppendLine("| Measure | Result | pgbench TPC-B, same run | Ratio | Goal |");
report.AppendLine("|---|---|---|---|---|");
report.AppendLine(Invariant($"| Engine, one node (batch {batchSize}) | {singleRate:F0} actions/s ({single.Total:N0} actions in {singleElapsed.TotalSeconds:F1} s) | {pgbench.Tps:F0} tps | **{singleRate / pgbench.Tps:F2}x** | 2x: {(singleRate >= 2 * pgbench.Tps ? "met" : "not met")} |"));
if (dual is not null)
{
    var dualRate = dualTotal / dualElapsed.TotalSeconds;
    report.AppendLine(Invariant($"| Engine, two nodes at once (copy of the data) | {dualRate:F0} actions/s ({dualTotal:N0} actions in {dualElapsed.TotalSeconds:F1} s) | {pgbench.Tps:F0} tps | **{dualRate / pgbench.Tps:F2}x** | 2x: {(dualRate >= 2 * pgbench.Tps ? "met" : "not met")} |"));
}
if (options.RenewalsOnly)
{
    static int Charged(IReadOnlyDictionary<string, int> counts) => counts.GetValueOrDefault("auto-renewal charged");
    var charged = Charged(single.Counts);
    var chargeRate = charged / singleElapsed.TotalSeconds;
    report.AppendLine(Invariant($"| Engine, one node: auto-renewals charged | {chargeRate:F0} charges/s ({charged:N0} in {singleElapsed.TotalSeconds:F1} s, beside {single.Total - charged:N0} other actions) | bare renewal transaction, pgbench -c 1: {bare1.Tps:F0} tps | **{chargeRate / bare1.Tps:F2}x** | 2x: {(chargeRate >= 2 * bare1.Tps ? "met" : "NOT met")} |"));
    if (dual is not null)
    {
        var dualCharged = Charged(dual);
        var dualChargeRate = dualCharged / dualElapsed.TotalSeconds;
        report.AppendLine(Invariant($"| Engine, two nodes: auto-renewals charged | {dualChargeRate:F0} charges/s ({dualCharged:N0} in {dualElapsed.TotalSeconds:F1} s) | bare renewal transaction, pgbench -c 2: {bare2.Tps:F0} tps | **{dualChargeRate / bare2.Tps:F2}x** | 2x: {(dualChargeRate >= 2 * bare2.Tps ? "met" : "NOT met")} |"));
    }
    report.AppendLine();
    report.AppendLine("The bare renewal transaction (`bench/Cloudbill.Bench/BareRenewal.cs`): lock the account row, insert the order and two postings, update the balance and the instance's expiry, insert the notice; one transaction, a random instance among as many as the data holds, one account per hundred instances.");
}
report.AppendLine();
report.AppendLine(Invariant($"pgbench: `pgbench -i -s {options.PgbenchScale}`, then `pgbench -c 2 -j 2 -T {options.PgbenchSeconds}` (TPC-B): {pgbench.Tps:F1} tps, {pgbench.Transactions:N0} transactions."));
report.AppendLine(Invariant($"Engine: {(double)singleCommands / single.Total:F2} database commands per action ({singleCommands:N0} in all), engine process CPU {engineCpu.TotalSeconds:F0} s of {singleElapsed.TotalSeconds:F0} s; {remaining} instance(s) still due afterwards; a second run found nothing. Two nodes did {(sameWork ? "exactly the same actions as one" : "DIFFERENT work from one")}."));
report.AppendLine();
report.AppendLine("| Action | One node | per second of the one-node run | Two nodes |");
report.AppendLine("|---|---|---|---|");
foreach (var (what, n) in single.Counts)
    report.AppendLine(Invariant($"| {what} | {n:N0} | {n / singleElapsed.TotalSeconds:F0} | {(dual is null ? "-" : dual.GetValueOrDefault(what).ToString("N0", CultureInfo.InvariantCulture))} |"));
report.AppendLine(Invariant($"| **total** | **{single.Total:N0}** | **{singleRate:F0}** | **{(dual is null ? "-" : dualTotal.ToString("N0", CultureInfo.InvariantCulture))}** |"));
report.AppendLine();
report.AppendLine(Invariant($"Renewal views of the {options.BigAccount:N0}-instance account after the engine run and a `VACUUM ANALYZE \"Instances\"` (`RenewalViews.List`, page size 20, each call a new scope and DbContext as a request; 50 warm-up calls, then {options.ViewCalls:N0} timed):"));
report.AppendLine();
report.AppendLine("| View | Matching | p50 | p99 | mean | Goal p99 < 20 ms |");
report.AppendLine("|---|---|---|---|---|---|");
foreach (var v in viewResults)
    report.AppendLine(Invariant($"| {v.Name} | {v.Total:N0} | {v.P50:F2} ms | {v.P99:F2} ms | {v.Mean:F2} ms | {(v.P99 < 20 ? "met" : "not met")} |"));
report.AppendLine();
report.AppendLine(Invariant($"Ledger: {string.Join("; ", reconciliations.Select(r => Invariant($"`{r.Database}` {(r.Report.IsClean ? "reconciles" : "DOES NOT reconcile")} ({r.Report.AccountsChecked:N0} accounts, {r.Report.TransactionsChecked:N0} transactions)")))}."));
report.AppendLine();
report.AppendLine("<details><summary>Query plans (EXPLAIN (ANALYZE, BUFFERS), parameters as sent)</summary>");
report.AppendLine();
if (claimPlan is not null)
{
    report.AppendLine("Engine claim (first batch, in a transaction rolled back):");
    report.AppendLine();
    report.AppendLine("```");
    report.AppendLine(claimPlan.TrimEnd());
    report.AppendLine("```");
    report.AppendLine();
}
foreach (var (name, sql, plan) in plans)
{
    report.AppendLine(Invariant($"{name}:"));
    report.AppendLine();
    report.AppendLine("```sql");
    report.AppendLine(sql.Trim());
    report.AppendLine("```");
    report.AppendLine("```");
    report.AppendLine(plan.TrimEnd());
    report.AppendLine("```");
    report.AppendLine();
}
report.AppendLine("</details>");

if (options.Output is { } output)
    await WriteSection(output, options.RenewalsOnly ? options.Label + "-renewals" : options.Label, report.ToString());
Say(Invariant($"Engine {singleRate:F0} actions/s vs pgbench {pgbench.Tps:F0} tps: {singleRate / pgbench.Tps:F2}x"));

NpgsqlConnection.ClearAllPools();
await Admin($"DROP DATABASE IF EXISTS {copyDatabase} WITH (FORCE)");
await Admin($"DROP DATABASE IF EXISTS {pgbenchDatabase} WITH (FORCE)");
return reconciliations.All(r => r.Report.IsClean) && remaining == 0 && sameWork ? 0 : 1;

ServiceProvider Build(string database, CommandRecorder commands, IDictionary<string, string?>? settings = null) =>
    BuildWith("Postgres", options.ConnectionTo(database), commands, settings);

ServiceProvider BuildWith(string provider, string connectionString, CommandRecorder commands, IDictionary<string, string?>? settings = null)
{
    var configuration = new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cloudbill:Database:Provider"] = provider,
            ["ConnectionStrings:Cloudbill"] = connectionString,
            ["Cloudbill:DataDirectory"] = dataDirectory,
            ["Cloudbill:Engine:IntervalSeconds"] = "0",
        })
        .AddInMemoryCollection(settings ?? new Dictionary<string, string?>())
        .Build();
    var services = new ServiceCollection();
    services.AddLogging();
    services.AddSingleton<TimeProvider>(new FixedClock(DataGenerator.RunAt));
    services.AddCloudbillCore(configuration);
    services.ConfigureDbContext<CloudbillDbContext>(o => o.AddInterceptors(commands));
    return services.BuildServiceProvider();
}

// After the bulk load: statistics and the visibility map, then a checkpoint, so that the
// background flush of the gigabyte just written does not run under the timed calls (the
// steady state a server is in, and what pgbench's own initialisation leaves).
// What every report says first: the command that reproduces it (without --output), when and where it ran.
async Task<string> RunLine() =>
    Invariant($"Run `{string.Join(" ", ["bench/run.sh", .. args.Where((a, i) => a != "--output" && (i == 0 || args[i - 1] != "--output"))])}` finished {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC on {await Machine()}.");

// The report of a run that measures one thing and stops (--pages, --console, --api): printed, and written to its section of --output.
async Task ReportAlone(string section, string report)
{
    var header = await RunLine() + "\n\n";
    Console.WriteLine(report);
    if (options.Output is { } output)
        await WriteSection(output, $"{section}-{options.Label}", header + report);
}

async Task Settle(string database)
{
    await using var connection = new NpgsqlConnection(options.ConnectionTo(database));
    await connection.OpenAsync(ct);
    await DataGenerator.Execute(connection, "VACUUM ANALYZE", ct);
    try
    {
        await DataGenerator.Execute(connection, "CHECKPOINT", ct);
    }
    catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
    {
        Say("No CHECKPOINT (the role lacks pg_checkpoint): the load's background flush may overlap the first timed calls.");
    }
}

async Task Admin(string sql)
{
    await using var connection = new NpgsqlConnection(options.ConnectionTo("postgres"));
    await connection.OpenAsync(ct);
    await DataGenerator.Execute(connection, sql, ct);
}

async Task Recreate(string database)
{
    NpgsqlConnection.ClearAllPools();
    await Admin($"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
    await Admin($"CREATE DATABASE {database}");
}

async Task<T> Scalar<T>(string database, string sql)
{
    await using var connection = new NpgsqlConnection(options.ConnectionTo(database));
    await connection.OpenAsync(ct);
    await using var command = new NpgsqlCommand(sql, connection);
    return (T)(await command.ExecuteScalarAsync(ct))!;
}

async Task<string> Explain(string database, RecordedCommand recorded)
{
    await using var connection = new NpgsqlConnection(options.ConnectionTo(database));
    await connection.OpenAsync(ct);
    await using var command = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS) " + recorded.Sql, connection);
    foreach (var p in recorded.Parameters)
        command.Parameters.Add(p.Clone());
    return await ReadPlan(command);
}

async Task<string> ExplainClaim(string database, int size)
{
    await using var connection = new NpgsqlConnection(options.ConnectionTo(database));
    await connection.OpenAsync(ct);
    await using var tx = await connection.BeginTransactionAsync(ct);
    await using var command = new NpgsqlCommand("""
        EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM "Instances"
        WHERE "NextDueAt" <= $1 AND NOT ("Id" = ANY($2))
        ORDER BY "NextDueAt"
        LIMIT $3
        FOR UPDATE SKIP LOCKED
        """, connection, tx);
    command.Parameters.Add(new NpgsqlParameter { Value = DataGenerator.RunAt.ToUniversalTime() });
    command.Parameters.Add(new NpgsqlParameter { Value = Array.Empty<string>() });
    command.Parameters.Add(new NpgsqlParameter { Value = size });
    var plan = await ReadPlan(command);
    await tx.RollbackAsync(ct);
    return plan;
}

async Task<string> ReadPlan(NpgsqlCommand command)
{
    var text = new StringBuilder();
    await using var reader = await command.ExecuteReaderAsync(ct);
    while (await reader.ReadAsync(ct))
        text.AppendLine(reader.GetString(0));
    return text.ToString();
}

async Task<(double Tps, long Transactions)> Pgbench(int clients = 2, int? seconds = null, string? script = null)
{
    var server = new NpgsqlConnectionStringBuilder(options.Server);
    var common = Invariant($"-h {server.Host} -p {server.Port} -U {server.Username} {pgbenchDatabase}");
    if (script is null && !pgbenchReady)
    {
        await Admin($"DROP DATABASE IF EXISTS {pgbenchDatabase} WITH (FORCE)");
        await Admin($"CREATE DATABASE {pgbenchDatabase}");
        await Run("pgbench", Invariant($"-i -q -s {options.PgbenchScale} {common}"), server.Password);
        pgbenchReady = true;
    }
    var output = await Run("pgbench", Invariant($"-c {clients} -j {clients} -T {seconds ?? options.PgbenchSeconds} {(script is null ? "" : "-n -f " + script + " ")}{common}"), server.Password);
    var tps = Regex.Match(output, @"tps = ([0-9.]+) \(without initial connection time\)");
    var count = Regex.Match(output, @"number of transactions actually processed: ([0-9]+)");
    if (!tps.Success)
        throw new InvalidOperationException("pgbench printed no tps:\n" + output);
    return (double.Parse(tps.Groups[1].Value, CultureInfo.InvariantCulture), count.Success ? long.Parse(count.Groups[1].Value, CultureInfo.InvariantCulture) : 0);
}

async Task<string> Run(string program, string arguments, string? password)
{
    var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
    if (password is not null)
        start.Environment["PGPASSWORD"] = password;
    using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
    var stdout = process.StandardOutput.ReadToEndAsync(ct);
    var stderr = process.StandardError.ReadToEndAsync(ct);
    await process.WaitForExitAsync(ct);
    var all = await stdout + await stderr;
    if (process.ExitCode != 0)
        throw new InvalidOperationException($"{program} {arguments} failed ({process.ExitCode}):\n{all}");
    return all;
}

async Task<string> Machine()
{
    var cpu = File.Exists("/proc/cpuinfo")
        ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU"
        : "unknown CPU";
    var memory = File.Exists("/proc/meminfo")
        ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
        : "?";
    var version = await Scalar<string>("postgres", "SHOW server_version");
    return Invariant($"{Environment.ProcessorCount} cores ({cpu}), {memory} RAM, PostgreSQL {version}, .NET {Environment.Version}, shared and noisy");
}

static double Percentile(double[] sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];

static Dictionary<string, int> Sum(IEnumerable<EngineRunReport> parts)
{
    var sum = new Dictionary<string, int>(StringComparer.Ordinal);
    foreach (var (what, n) in parts.SelectMany(p => p.Counts))
        sum[what] = sum.GetValueOrDefault(what) + n;
    return sum;
}

static async Task WriteSection(string path, string label, string content)
{
    var start = $"<!-- results:{label}:start -->";
    var end = $"<!-- results:{label}:end -->";
    var text = File.Exists(path) ? await File.ReadAllTextAsync(path) : "# Benchmarks\n";
    var section = start + "\n" + content.TrimEnd() + "\n" + end;
    var from = text.IndexOf(start, StringComparison.Ordinal);
    var to = text.IndexOf(end, StringComparison.Ordinal);
    text = from >= 0 && to > from
        ? text[..from] + section + text[(to + end.Length)..]
        : text.TrimEnd() + "\n\n" + section + "\n";
    await File.WriteAllTextAsync(path, text);
}

/// <summary>The benchmark's clock: always the run time, as the engine's hosted service would see it then.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
