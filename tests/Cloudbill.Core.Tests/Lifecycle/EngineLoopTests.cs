using System.Collections.Concurrent;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Renewals;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Cloudbill.Core.Tests.RenewNowTests;

namespace Cloudbill.Core.Tests;

/// <summary>
/// The engine's one claim loop: the subscription lifecycle, the pay-as-you-go hours and the order
/// time-outs are claimed and isolated the same way (R4.7).
/// </summary>
public class EngineLoopTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private static readonly DateTimeOffset Start = TestServices.DefaultStart;

    /// <summary>The errors the engine logged, with the message as formatted.</summary>
    private sealed class ErrorLog : ILoggerProvider
    {
        public ConcurrentQueue<string> Errors { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(ErrorLog log) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (logLevel >= LogLevel.Error)
                    log.Errors.Enqueue(formatter(state, exception));
            }
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_failing_pay_as_you_go_instance_stays_due_and_is_logged_while_an_order_times_out_in_the_same_run(DatabaseProvider provider) // R4.7, R5.2, R8.1
    {
        var log = new ErrorLog();
        await using var test = await TestServices.Start(provider, configure: services => services.AddSingleton<ILoggerProvider>(log));
        var account = await test.Customer("100.00");
        var other = await test.Customer("500.00");
        var broken = await test.PayAsYouGoInstance(account, "i-paygbrokenloop00001");
        var fine = await test.PayAsYouGoInstance(other, "i-paygfineloop0000001");
        var server = await test.Instance(account, Shanghai(2027, 6, 1), name: "server");
        var unpaid = (await test.Run<RenewalService, Result<Order>>((s, ct) => s.Place(account, [server.Id], RenewalTerm.ForMonths(1), new ClientToken("left-unpaid"), CouponChoice.None, ct))).Value;
        await test.RunEvery(Hour, Start + 3 * Hour);
        // A cursor moved back (a restored backup, a bug): charging the broken instance's third hour
        // again fails on its business key every time, a repeatable fault of that one instance.
        await test.Query(db => db.Instances.Where(i => i.Id == broken.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.ChargedUntil, Start + 2 * Hour).SetProperty(i => i.PayAsYouGoDueAt, Start + 3 * Hour)));

        // Seven days later, one run: the unpaid order's time-out and the other instance's hours go on.
        test.Clock.SetUtcNow(Start + TimeSpan.FromDays(7) + TimeSpan.FromMinutes(30));
        var report = await test.Engine();

        Assert.Equal(1, report.Counts["order time-out"]);
        var cancelled = await test.Query(db => db.Orders.AsNoTracking().SingleAsync(o => o.Id == unpaid.Id));
        Assert.Equal((OrderStatus.Cancelled, CancelReason.Timeout), (cancelled.Status, cancelled.CancelReason));
        Assert.Null((await test.Reload(server.Id)).UnpaidOrderId);
        Assert.Equal(7 * 24, (await test.ChargeKeys(fine.Id)).Count);
        Assert.Equal(Money.Parse("394.16"), (await test.Balance(other)).Cash);            // 500.00 − 168 × 0.63

        // The broken instance stays due, nothing of it was posted again, and the error names it.
        var stuck = await test.Reload(broken.Id);
        Assert.Equal((Start + 2 * Hour, Start + 3 * Hour), (stuck.ChargedUntil, stuck.PayAsYouGoDueAt));
        Assert.Equal(3, (await test.ChargeKeys(broken.Id)).Count);
        Assert.Equal(Money.Parse("98.11"), (await test.Balance(account)).Cash);          // 100.00 − 3 × 0.63
        Assert.Contains(log.Errors, e => e.Contains(broken.Id, StringComparison.Ordinal) && e.Contains("stays due", StringComparison.Ordinal));
        Assert.True(await test.LedgerIsClean());

        // The next run tries it again and leaves it due again; the order is not timed out twice.
        var again = await test.Engine();
        Assert.False(again.Counts.ContainsKey("order time-out"));
        Assert.Equal(Start + 3 * Hour, (await test.Reload(broken.Id)).PayAsYouGoDueAt);
        Assert.Equal(2, log.Errors.Count(e => e.Contains(broken.Id, StringComparison.Ordinal) && e.Contains("stays due", StringComparison.Ordinal)));
    }
}
