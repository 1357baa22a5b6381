using System.Globalization;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Persistence;
using Cloudbill.Testing;
using Npgsql;

namespace Cloudbill.Server.Tests;

/// <summary>R4.7 across processes: nodes sharing one PostgreSQL, running at the same time, never do the same work twice.</summary>
public class EngineProcessTests
{
    private static DateTimeOffset Shanghai(int y, int m, int d, int h = 0) => new DateTimeOffset(y, m, d, h, 0, 0, TimeSpan.FromHours(8)).ToUniversalTime();

    private static async Task<TestServices> Arrange()
    {
        var test = await TestServices.Start(DatabaseProvider.Postgres);
        var rich = await test.Customer("5000.00");
        var poor = await test.Customer("50.00");
        await test.Coupon(rich, "100.00", orderTypes: CouponOrderTypes.Renew, validFor: TimeSpan.FromDays(3650));
        for (var i = 0; i < 8; i++)
        {
            await test.Instance(rich, Shanghai(2026, 12, 10 + i), RenewalMethod.AutoRenewal, 1, id: $"i-richauto{i:D11}");
            await test.Instance(poor, Shanghai(2026, 12, 10 + i), RenewalMethod.AutoRenewal, 1, id: $"i-poorauto{i:D11}");
            await test.Instance(rich, Shanghai(2026, 11, 20 + i), id: $"i-richmanual{i:D9}");
            await test.Instance(poor, Shanghai(2026, 11, 1 + i), RenewalMethod.NotRenewal, id: $"i-poornot{i:D12}");
        }
        return test;
    }

    [Fact]
    public async Task Two_engine_processes_on_one_PostgreSQL_leave_what_one_process_leaves()
    {
        await using var single = await Arrange();
        await using var twice = await Arrange();
        var at = Shanghai(2026, 12, 12, 12).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

        var one = await CloudbillProcess.Run(CloudbillProcess.DatabaseSettings(single.Database), "engine", "run", "--at", at);

        // A barrier: while this transaction holds the migrations history table, each process
        // stops at its schema check, before the engine. Both are seen waiting there at once, then
        // released together, so their engine runs overlap (not one after the other).
        var ct = TestContext.Current.CancellationToken;
        await using var barrier = new NpgsqlConnection(twice.Database.ConnectionString);
        await barrier.OpenAsync(ct);
        await using var hold = await barrier.BeginTransactionAsync(ct);
        await using (var take = new NpgsqlCommand("""LOCK TABLE "__EFMigrationsHistory" IN ACCESS EXCLUSIVE MODE""", barrier, hold))
            await take.ExecuteNonQueryAsync(ct);
        var runs = Task.WhenAll(
            CloudbillProcess.Run(CloudbillProcess.DatabaseSettings(twice.Database), "engine", "run", "--at", at),
            CloudbillProcess.Run(CloudbillProcess.DatabaseSettings(twice.Database), "engine", "run", "--at", at));
        // Two processes starting on a loaded machine can take long: the lock queue is the signal, not a deadline.
        var waiting = 0L;
        await Eventually.Until(async () =>
        {
            await using var count = new NpgsqlCommand("""SELECT count(*) FROM pg_locks WHERE relation = '"__EFMigrationsHistory"'::regclass AND NOT granted""", barrier, hold);
            waiting = (long)(await count.ExecuteScalarAsync(ct))!;
            return waiting >= 2 || runs.IsCompleted;
        }, "both engine runs queued on the schema check", pause: TimeSpan.FromMilliseconds(50));
        Assert.Equal(2, waiting);
        await hold.CommitAsync(ct);
        var both = await runs;

        Assert.Equal(0, one.ExitCode);
        Assert.All(both, r => Assert.Equal(0, r.ExitCode));
        Assert.Matches(@"auto-renewal charged\s+│\s+\d+", one.Output);
        Assert.Matches(@"reminder\s+│\s+\d+", one.Output);
        Assert.Matches(@"release\s+│\s+\d+", one.Output);
        var actions = Total(one.Output);
        Assert.True(actions > 40, one.Output);
        Assert.Equal(actions, Total(both[0].Output) + Total(both[1].Output));
        Assert.Equal(await single.BusinessSnapshot(), await twice.BusinessSnapshot());

        var again = await CloudbillProcess.Run(CloudbillProcess.DatabaseSettings(twice.Database), "engine", "run", "--at", at);
        Assert.Contains("0 action(s)", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Engine_run_refuses_a_time_without_an_offset()
    {
        var result = await CloudbillProcess.Run(new Dictionary<string, string>(), "engine", "run", "--at", "2026-12-01T08:00:00");
        Assert.Equal((2, "cloudbill: --at: '2026-12-01T08:00:00' is not an ISO-8601 time with an offset, e.g. 2026-12-01T08:00:00+08:00 or 2026-12-01T00:00:00Z."), (result.ExitCode, result.Error.Trim()));
    }

    private static int Total(string output) =>
        int.Parse(System.Text.RegularExpressions.Regex.Match(output, @"done, (\d+) action\(s\)").Groups[1].Value, CultureInfo.InvariantCulture);
}
