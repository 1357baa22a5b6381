using System.Diagnostics;
using System.Globalization;
using Cloudbill.Core.Accounts;
using Cloudbill.Core.Demo;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Time;
using Cloudbill.Server.Cli;
using Cloudbill.Server.Tests.Crash;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Server.Tests.Failover;

/// <summary>
/// Issue 23, point 1: two Cloudbill nodes on a pg_auto_failover cluster (a primary and a
/// synchronous standby, bench/ha/cluster.sh) through the multi-host connection string, under a
/// storm of paid RenewInstance calls from many accounts (each its own AccessKey, each call its
/// ClientToken), top-ups paid at the sandbox with its notifications, and engine runs. The primary
/// is killed with SIGKILL mid-storm; the standby is promoted; the storm goes on. Afterwards every
/// payment a client saw confirmed is in the ledger exactly once, every renewal moved its
/// instance's expiry by exactly its months, `reconcile --gateways` is clean, and the time without
/// writes (last confirmed write before the kill to the first after) is measured.
///
/// The cluster is the test command's (test.sh starts it): CLOUDBILL_HA_POSTGRES is its connection
/// string, CLOUDBILL_HA_CLUSTER the path of cluster.sh. The longer form (bench/ha/failover.sh) sets
/// CLOUDBILL_HA_KILLS (default 1: the killed primary rejoins as the standby between kills) and
/// CLOUDBILL_HA_STORM_SECONDS (the storm after each failover, default 10).
/// </summary>
public class FailoverStormTests
{
    public const string ConnectionVariable = "CLOUDBILL_HA_POSTGRES";
    public const string ClusterVariable = "CLOUDBILL_HA_CLUSTER";

    private const string DemoEmail = "demo@cloudbill.local";
    private const string DemoPassword = "Demo-2026!";
    private const int Accounts = 8;

    private sealed record Settings(string Connection, string Cluster, int Kills, int StormSeconds, string? Report)
    {
        public static Settings FromEnvironment()
        {
            var connection = Environment.GetEnvironmentVariable(ConnectionVariable);
            var cluster = Environment.GetEnvironmentVariable(ClusterVariable);
            if (string.IsNullOrWhiteSpace(connection) || string.IsNullOrWhiteSpace(cluster))
            {
                if (Environment.GetEnvironmentVariable("CLOUDBILL_REQUIRE_POSTGRES") == "1")
                    Assert.Fail($"{ConnectionVariable} and {ClusterVariable} are not set but CLOUDBILL_REQUIRE_POSTGRES=1: the test command must start the cluster (bench/ha/cluster.sh up).");
                Assert.Skip($"Failover test: start a cluster with bench/ha/cluster.sh and set {ConnectionVariable} and {ClusterVariable} (./test.sh does).");
            }
            return new Settings(connection!, cluster!, Number("CLOUDBILL_HA_KILLS") ?? 1, Number("CLOUDBILL_HA_STORM_SECONDS") ?? 10,
                Environment.GetEnvironmentVariable("CLOUDBILL_HA_REPORT"));
        }

        private static int? Number(string name) =>
            int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    private sealed record Customer(long AccountId, AccessKeyPair Key, List<Instance> Instances);

    [Fact]
    public async Task The_primary_killed_mid_storm_no_confirmed_payment_is_lost_or_doubled()
    {
        var settings = Settings.FromEnvironment();
        var output = TestContext.Current.TestOutputHelper;
        var report = new List<string>();
        void Report(string line)
        {
            output?.WriteLine(line);
            report.Add(line);
        }

        // A primary and its standby before the storm: a cluster left degraded (an earlier kill, a
        // failover of its own) would make the kill below a kill of the only node.
        var ready = Cluster(settings, "wait 120");
        Assert.True(ready.ExitCode == 0, $"The cluster has no primary and standby: {ready.Output}{ready.Error}");

        await using var database = await TestDatabase.OnPostgres(settings.Connection);
        await using var services = await TestServices.Start(database, DateTimeOffset.UtcNow);
        Assert.True((await services.Run<DemoSeeder, Result<DemoSeedResult>>((seeder, ct) => seeder.Seed(ct))).Succeeded);
        var customers = new List<Customer>();
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < Accounts; i++)
        {
            var account = await services.Customer("1000000.00");
            var key = await services.Run<AccessKeyService, AccessKeyPair>((keys, ct) => keys.Create(account, ct));
            var owned = new List<Instance>
            {
                await services.Instance(account, now.AddDays(90)),
                await services.Instance(account, now.AddDays(120)),
                // Due for auto-renewal in the engine runs below (12 days ahead): the engine charges it.
                await services.Instance(account, now.AddDays(5), RenewalMethod.AutoRenewal, autoRenewPeriodMonths: 1),
            };
            customers.Add(new Customer(account, key, owned));
        }
        var initialExpiry = await services.Query(db => db.Instances.AsNoTracking().Where(i => i.ChargeType == ChargeType.Subscription)
            .ToDictionaryAsync(i => i.Id, i => i.ExpiresAt));

        // Node A plays the sandbox gateways; node B sends its payers and notifications there too
        // (one sandbox, whose trades both nodes' pollers can ask about).
        var switches = new Dictionary<string, string> { ["reset"] = "true", ["duplicate"] = "2", ["delay"] = "0.5" };
        // The gateways' retry schedules at a tenth: UnionPay's five sends then span 42 s. At the crash
        // test's hundredth they span 4 s, shorter than the failover: every send of a notification could
        // fall into it, and only the poller's look 5 minutes later would credit the payment.
        var retryScale = new Dictionary<string, string> { ["Cloudbill__Payments__SandboxRetryScale"] = "0.1" };
        await using var nodeA = new CrashServer(database, async http =>
        {
            var set = await SandboxSwitches.Set(http, switches);
            if (!set.IsSuccessStatusCode)
                throw new InvalidOperationException($"The sandbox refused its switches: {await set.Content.ReadAsStringAsync()}");
        }, retryScale);
        await using var nodeB = new CrashServer(database, _ => Task.CompletedTask, new Dictionary<string, string>(retryScale)
        {
            ["Cloudbill__Payments__PublicBaseUrl"] = nodeA.Address.ToString(),
            // A sandbox's state belongs to one process: node B's own (its simulated cloud) lives apart.
            ["Cloudbill__Payments__SandboxDirectory"] = Directory.CreateTempSubdirectory("cloudbill-sandbox-node-b-").FullName,
        });
        await nodeA.Start();
        await nodeB.Start();
        string Logs() => $"cluster: {Cluster(settings, "status").Output}\n---- node A\n{nodeA.Log}\n---- node B\n{nodeB.Log}";

        var journal = new StormJournal();
        using var stop = new CancellationTokenSource();
        var engineRuns = new List<ProcessResult>();
        using var phone = new StormClient(nodeA, journal);
        await phone.SignIn(DemoEmail, DemoPassword);

        async Task Renewals(Customer customer, CrashServer node, int seed)
        {
            using var api = new ApiClient(node, journal, customer.Key.AccessKeyId, customer.Key.AccessKeySecret);
            var r = new Random(seed);
            var manual = customer.Instances.Where(i => i.RenewalMethod == RenewalMethod.ManualRenewal).ToList();
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var instance = manual[r.Next(manual.Count)];
                await api.RenewInstance(instance.Id, instance.ProductCode, r.Next(1, 4), $"ha-{customer.AccountId}-{n}");
            }
        }
        async Task TopUps(int seed)
        {
            var r = new Random(seed);
            while (!stop.IsCancellationRequested)
                await phone.TopUp((r.Next(10, 50) * 100).ToString(CultureInfo.InvariantCulture) + ".00", r.Next(2) == 0 ? "Alipay" : "UnionPay");
        }
        async Task Engine()
        {
            // `cloudbill engine run` beside the nodes' own engines, 12 days ahead: the auto-renewals fall due.
            var at = DateTimeOffset.UtcNow.AddDays(12).ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture);
            while (!stop.IsCancellationRequested)
            {
                var run = await CloudbillProcess.Run(nodeA.Settings, "engine", "run", "--at", at);
                lock (engineRuns)
                    engineRuns.Add(run);
            }
        }

        var clients = customers.Select((c, i) => Renewals(c, i % 2 == 0 ? nodeA : nodeB, i)).Append(TopUps(100)).Append(Engine()).ToList();

        var kills = new List<DateTimeOffset>();
        for (var kill = 1; kill <= settings.Kills; kill++)
        {
            // Some confirmed writes first, then the kill, wherever the requests are.
            await WhileClientsRun(journal.AnswersReach(journal.Answers + 30), clients, Logs);
            var killed = Cluster(settings, "kill-primary");
            // The script asks the monitor which node is the primary, kills it and exits: the kill is just before now.
            var killedAt = DateTimeOffset.UtcNow;
            Assert.True(killed.ExitCode == 0, $"kill-primary: {killed.Output}{killed.Error}");
            var writesBefore = journal.ConfirmedWrites.Count;
            Report($"Kill {kill}: {killed.Output.Trim()} (the primary) at {killedAt:HH:mm:ss.fff}, after {writesBefore} confirmed writes");

            // The storm goes on through the failover and for a while on the new primary.
            await WhileClientsRun(Task.Delay(TimeSpan.FromSeconds(settings.StormSeconds + 10), TestContext.Current.CancellationToken), clients, Logs);
            kills.Add(killedAt);
            Assert.True(journal.ConfirmedWrites.Count(t => t > killedAt.AddSeconds(15)) > 0, $"No write was confirmed between 15 and {settings.StormSeconds + 10} s after kill {kill}.\n{Logs()}");

            if (kill < settings.Kills)
            {
                // The old primary comes back and rejoins as the standby (pg_rewind), ready for the next kill.
                var started = Cluster(settings, $"start {killed.Output.Trim()}");
                Assert.True(started.ExitCode == 0, $"start: {started.Output}{started.Error}");
                var healthy = Cluster(settings, "wait 120");
                Assert.True(healthy.ExitCode == 0, $"The cluster did not get its standby back: {healthy.Output}{healthy.Error}\n{Logs()}");
            }
        }
        await stop.CancelAsync();
        var finished = Task.WhenAll(clients);
        if (await Task.WhenAny(finished, Task.Delay(TimeSpan.FromSeconds(120), TestContext.Current.CancellationToken)) != finished)
            Assert.Fail($"The clients did not finish within 120 s of the end of the storm ({journal.Answers} answers).\n{Logs()}");
        await finished;

        Report($"{journal.Answers} answers, {journal.Unavailable} answered 503 and sent again, {journal.Retries} cut off and sent again; "
            + $"{journal.PaidOrders.Count} renewals and {journal.PaidTrades.Count} gateway payments confirmed to the clients; {engineRuns.Count} engine runs");
        foreach (var refusal in journal.Refusals.GroupBy(r => r).OrderByDescending(g => g.Count()).Take(10))
            output?.WriteLine($"  {refusal.Count()} × {refusal.Key}");

        // A failover is a 503 to retry, never a 500 with a stack trace.
        Assert.True(journal.ServerErrors.IsEmpty, $"5xx answers other than the retryable 503:\n{string.Join('\n', journal.ServerErrors)}\n{Logs()}");
        Assert.DoesNotContain("An unhandled exception has occurred", nodeA.Log + nodeB.Log, StringComparison.Ordinal);
        // Each node saw its connections move and said so.
        Assert.Contains("The database connections moved from", nodeA.Log, StringComparison.Ordinal);
        Assert.Contains("The database connections moved from", nodeB.Log, StringComparison.Ordinal);
        // An engine run cut by the failover stops with one line and the exit code to run it again; the next one does its work.
        // (Started during the failover, it cannot open the database: the same one line as any verb, exit 2.)
        Assert.All(engineRuns, run => Assert.True(run.ExitCode == 0
            || run.ExitCode == CloudbillCommand<Spectre.Console.Cli.CommandSettings>.DatabaseUnavailableExitCode && run.Error.StartsWith("cloudbill: the database connection failed", StringComparison.Ordinal) && !run.Error.Contains("   at ", StringComparison.Ordinal)
            || run.ExitCode == 2 && run.Error.StartsWith("cloudbill: Cannot open the database", StringComparison.Ordinal) && !run.Error.Contains("   at ", StringComparison.Ordinal),
            $"engine run exited {run.ExitCode}: {run.Output}{run.Error}"));
        Assert.Contains(engineRuns, run => run.ExitCode == 0);
        Assert.NotEmpty(journal.PaidTrades);

        // Every payment the cashier confirmed is credited once, by a notification or the poller.
        var logFile = Path.Combine(Path.GetTempPath(), $"cloudbill-failover-{Guid.NewGuid():N}.log");
        var trades = journal.PaidTrades.Keys.ToList();
        var deadline = DateTime.UtcNow.AddSeconds(120);
        List<GatewayPayment> credited;
        while (true)
        {
            credited = await services.Query(db => db.GatewayPayments.AsNoTracking().Where(p => trades.Contains(p.OutTradeNo)).ToListAsync());
            if (credited.Count == trades.Count && credited.All(p => p.State == GatewayPaymentState.Credited) || DateTime.UtcNow > deadline)
                break;
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
        if (!(credited.Count == trades.Count && credited.All(p => p.State == GatewayPaymentState.Credited)))
            await File.WriteAllTextAsync(logFile, Logs(), TestContext.Current.CancellationToken);
        Assert.True(credited.Count == trades.Count && credited.All(p => p.State == GatewayPaymentState.Credited),
            $"(the nodes' logs: {logFile}) Paid at the gateway but not credited: {string.Join(", ", credited.Where(p => p.State != GatewayPaymentState.Credited).Select(p => $"{p.OutTradeNo} {p.State}"))}; unknown: {string.Join(", ", trades.Except(credited.Select(p => p.OutTradeNo)))}");

        var payments = await services.Query(db => db.GatewayPayments.AsNoTracking().ToListAsync());
        var orders = await services.Query(db => db.Orders.AsNoTracking().Include(o => o.Lines).ToListAsync());
        var keyCounts = (await services.Query(db => db.JournalTransactions.AsNoTracking().Select(t => t.BusinessKey).ToListAsync()))
            .GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
        int Posted(string key) => keyCounts.GetValueOrDefault(key);
        foreach (var payment in payments)
        {
            Assert.True(Posted(GatewayConfirmations.ReceivedKey(payment)) == (payment.State == GatewayPaymentState.Credited ? 1 : 0),
                $"{payment.OutTradeNo} ({payment.State}) received {Posted(GatewayConfirmations.ReceivedKey(payment))} time(s)");
        }
        foreach (var order in orders)
            Assert.True(Posted(OrderPayments.PaymentKey(order.Id)) == (order.Status == OrderStatus.Paid ? 1 : 0), $"order {order.Id} ({order.Status}) paid {Posted(OrderPayments.PaymentKey(order.Id))} time(s)");
        // Writes lost: none. Each renewal a client saw paid is a paid order of its ClientToken; no token placed two.
        var lost = journal.PaidOrders.Where(p => orders.SingleOrDefault(o => o.Id == p.Value) is not { Status: OrderStatus.Paid } order || order.ClientToken != p.Key).ToList();
        Assert.True(lost.Count == 0, $"Answered paid but not paid in the database: {string.Join(", ", lost.Select(l => $"{l.Key} → {l.Value}"))}");
        foreach (var token in journal.Tokens.Distinct())
            Assert.True(orders.Count(o => o.ClientToken == token) <= 1, $"client token {token} placed {orders.Count(o => o.ClientToken == token)} orders");

        // Every renewal applied once: each expiry is its first one plus the months of its paid renewals, in order.
        var instances = await services.Query(db => db.Instances.AsNoTracking().Where(i => i.ChargeType == ChargeType.Subscription).ToListAsync());
        foreach (var instance in instances)
        {
            var renewals = orders.Where(o => o.Status == OrderStatus.Paid && o.Type == OrderType.Renew)
                .SelectMany(o => o.Lines.Where(l => l.InstanceId == instance.Id).Select(l => (o.PaidAt, o.Id, l.Months)))
                .OrderBy(r => r.PaidAt).ThenBy(r => r.Id).ToList();
            var expected = renewals.Aggregate(initialExpiry[instance.Id], (expiry, r) => BusinessCalendar.AddMonths(expiry!.Value, r.Months));
            Assert.True(instance.ExpiresAt == expected,
                $"{instance.Id} expires {instance.ExpiresAt:O}, expected {expected:O} from {initialExpiry[instance.Id]:O} + {string.Join(" + ", renewals.Select(r => $"{r.Months} (order {r.Id})"))}");
        }
        var autoRenewed = orders.Count(o => o.Status == OrderStatus.Paid && o.Lines.Any(l => customers.SelectMany(c => c.Instances).Any(i => i.Id == l.InstanceId && i.RenewalMethod == RenewalMethod.AutoRenewal)));
        Report($"Writes lost: 0 of {journal.PaidOrders.Count + journal.PaidTrades.Count} confirmed; {autoRenewed} auto-renewals charged by the engine, each once");

        // The time without writes, per kill. In the database: the last renewal paid before the kill to
        // the first paid after (PaidAt, the server's clock in the paying transaction; an attempt the
        // kill cut off committed nothing and was paid again later). For the clients: the longest
        // time between two confirmed writes around the kill (answers of requests the kill caught
        // arrive only once the new primary takes them).
        var paidAt = orders.Where(o => o.Status == OrderStatus.Paid && o.PaidAt is not null).Select(o => o.PaidAt!.Value).Order().ToList();
        var answered = journal.ConfirmedWrites.Order().ToList();
        var gaps = new List<TimeSpan>();
        foreach (var (killedAt, kill) in kills.Select((k, i) => (k, i + 1)))
        {
            var lastBefore = paidAt.Where(t => t < killedAt).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
            var firstAfter = paidAt.Where(t => t > killedAt).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
            Assert.True(lastBefore != DateTimeOffset.MinValue && firstAfter != DateTimeOffset.MaxValue, $"No renewal paid before or after kill {kill}.");
            var gap = firstAfter - lastBefore;
            gaps.Add(gap);
            var clientGap = answered.Zip(answered.Skip(1)).Where(p => p.Second > killedAt && p.First < killedAt.AddSeconds(30))
                .Select(p => p.Second - p.First).DefaultIfEmpty(TimeSpan.Zero).Max();
            Report($"Kill {kill} at {killedAt:HH:mm:ss.fff}: time without writes {gap.TotalSeconds:0.0} s in the database (last paid {lastBefore:HH:mm:ss.fff}, first paid after {firstAfter:HH:mm:ss.fff}); "
                + $"longest time without a confirmed write seen by the clients {clientGap.TotalSeconds:0.0} s");
        }

        var reconcile = await CloudbillProcess.Run(nodeA.Settings, "reconcile", "--gateways");
        output?.WriteLine(reconcile.Output);
        Assert.True(reconcile.ExitCode == 0, $"reconcile --gateways exited {reconcile.ExitCode}:\n{reconcile.Output}{reconcile.Error}");
        Assert.DoesNotContain("mismatch", reconcile.Output, StringComparison.OrdinalIgnoreCase);
        Report($"reconcile --gateways: clean. Time without writes per kill: {string.Join(", ", gaps.Select(g => g.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s"))}");
        if (settings.Report is { } path)
            await File.WriteAllLinesAsync(path, report, TestContext.Current.CancellationToken);
    }

    /// <summary>Runs bench/ha/cluster.sh with a verb (kill-primary, start NODE, wait, status).</summary>
    private static ProcessResult Cluster(Settings settings, string verb)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(settings.Cluster);
        foreach (var word in verb.Split(' '))
            info.ArgumentList.Add(word);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit(TimeSpan.FromMinutes(3));
        return new ProcessResult(process.HasExited ? process.ExitCode : -1, stdout.Result, stderr.Result);
    }

    /// <summary>Waits for <paramref name="signal"/>, failing at once if a client failed (its exception, not a hang).</summary>
    private static async Task WhileClientsRun(Task signal, List<Task> clients, Func<string> describe)
    {
        var stuck = Task.Delay(TimeSpan.FromSeconds(120), TestContext.Current.CancellationToken);
        var first = await Task.WhenAny(clients.Append(signal).Append(stuck));
        if (first == stuck)
            Assert.Fail($"No progress for 120 s: {describe()}");
        if (first != signal)
            await first;
        await signal;
    }
}
