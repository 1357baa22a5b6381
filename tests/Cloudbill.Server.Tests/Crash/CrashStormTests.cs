using System.Globalization;
using Cloudbill.Core.Demo;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Time;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Server.Tests.Crash;

/// <summary>
/// Issue 19, point 4: a storm of Renew Now in the app, RenewInstance over the API, top-ups paid at
/// the sandbox (its notifications duplicated and delayed) and engine runs, while the real server is
/// killed with SIGKILL at random points and started again on the same database. Every client
/// retries with its same ClientToken until it is answered. Afterwards nothing is lost, nothing is
/// doubled, nothing is stuck, and `reconcile --gateways` agrees.
/// CLOUDBILL_CRASH_SEED repeats a run; CLOUDBILL_CRASH_KILLS (default 3) and
/// CLOUDBILL_CRASH_ANSWERS (answers between kills, at most; default 40) make it longer.
/// </summary>
public class CrashStormTests
{
    private const string DemoEmail = "demo@cloudbill.local";
    private const string DemoPassword = "Demo-2026!";

    private sealed record StormSettings(int Seed, int Kills, int AnswersBetweenKills)
    {
        public static StormSettings FromEnvironment() => new(
            Number("CLOUDBILL_CRASH_SEED") ?? Random.Shared.Next(),
            Number("CLOUDBILL_CRASH_KILLS") ?? 3,
            Number("CLOUDBILL_CRASH_ANSWERS") ?? 40);

        private static int? Number(string name) =>
            int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Killed_mid_storm_and_restarted_nothing_is_lost_doubled_or_stuck(DatabaseProvider provider)
    {
        var settings = StormSettings.FromEnvironment();
        var output = TestContext.Current.TestOutputHelper;
        var reproduce = $"CLOUDBILL_CRASH_SEED={settings.Seed} CLOUDBILL_CRASH_KILLS={settings.Kills} CLOUDBILL_CRASH_ANSWERS={settings.AnswersBetweenKills} ({provider})";
        output?.WriteLine($"Crash storm: {reproduce}");
        var random = new Random(settings.Seed);

        await using var database = await TestDatabase.Create(provider);
        var switches = new Dictionary<string, string>
        {
            // Each notification sent 1 to 3 times at once, the first send held back up to 2 s.
            ["reset"] = "true",
            ["duplicate"] = random.Next(1, 4).ToString(CultureInfo.InvariantCulture),
            ["delay"] = (random.Next(0, 2001) / 1000.0).ToString(CultureInfo.InvariantCulture),
        };
        await using var server = new CrashServer(database, async http =>
        {
            var set = await SandboxSwitches.Set(http, switches);
            if (!set.IsSuccessStatusCode)
                throw new InvalidOperationException($"The sandbox refused its switches: {await set.Content.ReadAsStringAsync()}");
        });
        // Migrated and seeded as `migrate` and `seed-demo` would, in this process (two fewer starts of the executable).
        await using var services = await TestServices.Start(database, DateTimeOffset.UtcNow);
        Assert.True((await services.Run<DemoSeeder, Result<DemoSeedResult>>((seeder, ct) => seeder.Seed(ct))).Succeeded);
        var instances = await services.Query(db => db.Instances.AsNoTracking().Where(i => i.ChargeType == ChargeType.Subscription).ToListAsync());
        var initialExpiry = instances.ToDictionary(i => i.Id, i => i.ExpiresAt);
        // Manual Renewal instances are what customers renew by hand; auto-renewal ones the engine renews.
        var renewable = instances.Where(i => i.RenewalMethod == RenewalMethod.ManualRenewal).OrderBy(i => i.Id, StringComparer.Ordinal).ToList();

        await server.Start();
        var journal = new StormJournal();
        using var stop = new CancellationTokenSource();
        var stopped = Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        var engineRuns = new List<ProcessResult>();

        using var phone = new StormClient(server, journal);
        using var secondPhone = new StormClient(server, journal);
        await phone.SignIn(DemoEmail, DemoPassword);
        await secondPhone.SignIn(DemoEmail, DemoPassword);
        using var api = new ApiClient(server, journal);

        // Each client has its own Random from the seed, so a run repeats its choices.
        async Task Phone(StormClient client, Random r)
        {
            while (!stop.IsCancellationRequested)
            {
                var instance = renewable[r.Next(renewable.Count)];
                switch (r.Next(6))
                {
                    case 0 or 1:
                        await client.TopUp((r.Next(10, 50) * 100).ToString(CultureInfo.InvariantCulture) + ".00", r.Next(2) == 0 ? "Alipay" : "UnionPay");
                        break;
                    case 2:
                        await client.RenewInApp(instance.Id, r.Next(1, 4), r.Next(2) == 0 ? "Alipay" : "UnionPay");
                        break;
                    default:
                        await client.RenewInApp(instance.Id, r.Next(1, 4), "Balance");
                        break;
                }
            }
        }
        async Task Script(Random r)
        {
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                var instance = renewable[r.Next(renewable.Count)];
                await api.RenewInstance(instance.Id, instance.ProductCode, r.Next(1, 4), $"crash-{settings.Seed}-{provider}-{n++}");
            }
        }
        async Task Engine()
        {
            // `cloudbill engine run` beside the server, 12 days ahead: auto-renewals fall due, unpaid orders time out (R5.2).
            var at = DateTimeOffset.UtcNow.AddDays(12).ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture);
            while (!stop.IsCancellationRequested)
            {
                await server.WhenUp;
                var run = await CloudbillProcess.Run(server.Settings, "engine", "run", "--at", at);
                lock (engineRuns)
                    engineRuns.Add(run);
                await Task.WhenAny(journal.AnswersReach(journal.Answers + 20), stopped);
            }
        }

        var clients = new List<Task>
        {
            Phone(phone, new Random(random.Next())),
            Phone(secondPhone, new Random(random.Next())),
            Script(new Random(random.Next())),
            Script(new Random(random.Next())),
            Engine(),
        };

        // The kills: each after a random number of answers, wherever the requests then are.
        for (var kill = 1; kill <= settings.Kills; kill++)
        {
            await WhileClientsRun(journal.AnswersReach(journal.Answers + random.Next(5, settings.AnswersBetweenKills + 1)), clients, () => $"{reproduce}, {journal.Answers} answers\n{server.Log}");
            await server.Kill();
            output?.WriteLine($"Kill {kill} after {journal.Answers} answers");
            await server.Start();
        }
        await WhileClientsRun(journal.AnswersReach(journal.Answers + 20), clients, () => $"{reproduce}, {journal.Answers} answers\n{server.Log}");
        await stop.CancelAsync();
        // Every client finishes what it started: the operations in flight are answered.
        var finished = Task.WhenAll(clients);
        if (await Task.WhenAny(finished, Task.Delay(TimeSpan.FromSeconds(120), TestContext.Current.CancellationToken)) != finished)
            Assert.Fail($"{reproduce}: the clients did not finish within 120 s of the end of the storm ({journal.Answers} answers).\n{server.Log}");
        await finished;

        output?.WriteLine($"{journal.Answers} answers, {journal.Retries} retries, {journal.PaidOrders.Count} orders and {journal.PaidTrades.Count} gateway payments confirmed to the clients, {journal.Refusals.Count} refusals:");
        foreach (var refusal in journal.Refusals.GroupBy(r => r).OrderByDescending(g => g.Count()).Take(20))
            output?.WriteLine($"  {refusal.Count()} × {refusal.Key}");

        Assert.True(journal.ServerErrors.IsEmpty, $"{reproduce}: 5xx answers:\n{string.Join('\n', journal.ServerErrors)}\n{server.Log}");
        Assert.DoesNotContain("An unhandled exception has occurred", server.Log, StringComparison.Ordinal);
        Assert.All(engineRuns, run => Assert.True(run.ExitCode == 0, $"{reproduce}: engine run exited {run.ExitCode}: {run.Output}{run.Error}"));
        // The storm did what it is for: renewals both ways and gateway payments went through across the kills.
        Assert.True(journal.PaidOrders.Keys.Any(t => t.StartsWith("crash-", StringComparison.Ordinal)), $"{reproduce}: no RenewInstance was paid.");
        Assert.True(journal.PaidOrders.Keys.Any(t => !t.StartsWith("crash-", StringComparison.Ordinal)), $"{reproduce}: no Renew Now was paid in the app.");
        Assert.NotEmpty(journal.PaidTrades);

        // Every payment the cashier confirmed is credited, by a notification or the poller's query, once.
        var trades = journal.PaidTrades.Keys.ToList();
        var deadline = DateTime.UtcNow.AddSeconds(120);
        List<GatewayPayment> confirmed;
        while (true)
        {
            confirmed = await services.Query(db => db.GatewayPayments.AsNoTracking().Where(p => trades.Contains(p.OutTradeNo)).ToListAsync());
            if (confirmed.Count == trades.Count && confirmed.All(p => p.State == GatewayPaymentState.Credited) || DateTime.UtcNow > deadline)
                break;
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
        Assert.True(confirmed.Count == trades.Count && confirmed.All(p => p.State == GatewayPaymentState.Credited),
            $"{reproduce}: paid at the gateway but not credited: {string.Join(", ", confirmed.Where(p => p.State != GatewayPaymentState.Credited).Select(p => $"{p.OutTradeNo} {p.State}"))}; unknown: {string.Join(", ", trades.Except(confirmed.Select(p => p.OutTradeNo)))}");

        var payments = await services.Query(db => db.GatewayPayments.AsNoTracking().ToListAsync());
        var orders = await services.Query(db => db.Orders.AsNoTracking().Include(o => o.Lines).ToListAsync());
        var keys = await services.Query(db => db.JournalTransactions.AsNoTracking().Select(t => t.BusinessKey).ToListAsync());
        var keyCounts = keys.GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
        int Posted(string key) => keyCounts.GetValueOrDefault(key);

        foreach (var payment in payments)
        {
            var expected = payment.State == GatewayPaymentState.Credited ? 1 : 0;
            Assert.True(Posted(GatewayConfirmations.ReceivedKey(payment)) == expected,
                $"{reproduce}: {payment.OutTradeNo} ({payment.State}) received {Posted(GatewayConfirmations.ReceivedKey(payment))} time(s)");
            // Nothing is left where no one will look at it again.
            Assert.True(payment.State is not (GatewayPaymentState.Pending or GatewayPaymentState.Refunding) || payment.NextQueryAt is not null,
                $"{reproduce}: {payment.OutTradeNo} is {payment.State} and the poller will never ask about it again.");
        }
        foreach (var order in orders)
        {
            Assert.True(Posted(OrderPayments.PaymentKey(order.Id)) == (order.Status == OrderStatus.Paid ? 1 : 0),
                $"{reproduce}: order {order.Id} ({order.Status}) paid {Posted(OrderPayments.PaymentKey(order.Id))} time(s)");
        }
        foreach (var (token, orderId) in journal.PaidOrders)
        {
            var order = orders.Single(o => o.Id == orderId);
            Assert.True(order.Status == OrderStatus.Paid && order.ClientToken == token, $"{reproduce}: order {orderId} was answered paid to {token} but is {order.Status} ({order.ClientToken})");
        }
        foreach (var token in journal.Tokens.Distinct())
            Assert.True(orders.Count(o => o.ClientToken == token) <= 1, $"{reproduce}: client token {token} placed {orders.Count(o => o.ClientToken == token)} orders");

        // Every renewal applied once: each instance's expiry is its first expiry plus the months of its paid renewals, in the order they were paid.
        var now = await services.Query(db => db.Instances.AsNoTracking().Where(i => i.ChargeType == ChargeType.Subscription).ToListAsync());
        foreach (var instance in now)
        {
            var renewals = orders.Where(o => o.Status == OrderStatus.Paid && o.Type == OrderType.Renew)
                .SelectMany(o => o.Lines.Where(l => l.InstanceId == instance.Id).Select(l => (o.PaidAt, o.Id, l.Months)))
                .OrderBy(r => r.PaidAt).ThenBy(r => r.Id).ToList();
            var expected = renewals.Aggregate(initialExpiry[instance.Id], (expiry, r) => BusinessCalendar.AddMonths(expiry!.Value, r.Months));
            Assert.True(instance.ExpiresAt == expected,
                $"{reproduce}: {instance.Id} expires {instance.ExpiresAt:O}, expected {expected:O} from {initialExpiry[instance.Id]:O} + {string.Join(" + ", renewals.Select(r => $"{r.Months} (order {r.Id})"))}");
            // An instance is held only by an order that can still be paid or cancelled.
            if (instance.UnpaidOrderId is { } held)
                Assert.True(orders.Single(o => o.Id == held).Status == OrderStatus.Unpaid, $"{reproduce}: {instance.Id} is held by order {held}, which is {orders.Single(o => o.Id == held).Status}");
        }

        // No unpaid order is stuck: each times out by its PayBy (R5.2) and can be cancelled now.
        foreach (var unpaid in orders.Where(o => o.Status == OrderStatus.Unpaid))
        {
            Assert.True(unpaid.PayBy > unpaid.CreatedAt, $"{reproduce}: order {unpaid.Id} has no time-out");
            var (status, body) = await api.Call("CancelOrder", new() { ["OrderId"] = unpaid.Id.ToString(CultureInfo.InvariantCulture) });
            Assert.True(status == 200, $"{reproduce}: CancelOrder {unpaid.Id}: {status} {body}");
        }
        Assert.Equal(0, await services.Query(db => db.Instances.CountAsync(i => i.UnpaidOrderId != null)));

        // The operator's check agrees: every balance, every transaction, every gateway payment.
        var reconcile = await CloudbillProcess.Run(server.Settings, "reconcile", "--gateways");
        output?.WriteLine(reconcile.Output);
        Assert.True(reconcile.ExitCode == 0, $"{reproduce}: reconcile --gateways exited {reconcile.ExitCode}:\n{reconcile.Output}{reconcile.Error}");
        Assert.DoesNotContain("mismatch", reconcile.Output, StringComparison.OrdinalIgnoreCase);

        // And the restarted server still answers the customer: the balance the ledger holds.
        var (balanceStatus, balance) = await api.Call("QueryAccountBalance", new());
        Assert.Equal(200, balanceStatus);
        Assert.False(string.IsNullOrEmpty(balance.GetProperty("Data").GetProperty("AvailableAmount").GetString()));
    }

    /// <summary>Waits for <paramref name="signal"/>, failing at once if a client failed (its exception, not a hang).</summary>
    private static async Task WhileClientsRun(Task signal, List<Task> clients, Func<string> describe)
    {
        // A server that stops answering for two minutes is stuck, whatever the machine's load.
        var stuck = Task.Delay(TimeSpan.FromSeconds(120), TestContext.Current.CancellationToken);
        var first = await Task.WhenAny(clients.Append(signal).Append(stuck));
        if (first == stuck)
            Assert.Fail($"No answers for 120 s: {describe()}");
        if (first != signal)
            await first;
        await signal;
    }
}
