using System.Collections.Concurrent;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Payments.Alipay;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Cloudbill.Core.Tests.TopUpTests;

namespace Cloudbill.Core.Tests;

/// <summary>
/// A notification that cannot be applied: a database that fails now is a 503 and the gateway's
/// resend applies it; a broken invariant is an error with the trade number, flagged for
/// `reconcile --gateways`, never mistaken for the database being busy.
/// </summary>
public class NotificationFailureTests
{
    private sealed class Capture : ILoggerProvider
    {
        public ConcurrentQueue<(string Category, LogLevel Level, string Message)> Entries { get; } = new();
        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
        public void Dispose()
        {
        }

        /// <summary>What the notify URLs logged (EF's own errors about the failed command are not theirs).</summary>
        public List<(LogLevel Level, string Message)> OfNotifications() =>
            Entries.Where(e => e.Category == typeof(GatewayNotifications).FullName).Select(e => (e.Level, e.Message)).ToList();

        private sealed class Logger(Capture capture, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                    capture.Entries.Enqueue((category, logLevel, formatter(state, exception)));
            }
        }
    }

    private static async Task<(TestServices Test, GatewayDouble Gateways, Capture Log)> Start(DatabaseProvider provider)
    {
        var gateways = new GatewayDouble();
        var log = new Capture();
        var test = await TestServices.Start(provider, GatewayDouble.Start, configure: services =>
        {
            gateways.Install(services);
            services.AddSingleton<ILoggerProvider>(log);
        });
        return (test, gateways, log);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_database_that_fails_now_answers_503_and_the_resend_credits_once(DatabaseProvider provider) // R7.3
    {
        var (test, gateways, log) = await Start(provider);
        await using var _ = test;
        var account = await test.Customer();
        var payment = (await TopUp(test, account, "25.00")).Value.Payment;
        var notice = GatewayDouble.AlipayNotification(payment.OutTradeNo, Money.Parse("25.00"), gateways.Pay(payment.OutTradeNo, Money.Parse("25.00")));

        await test.Query(db => db.Database.ExecuteSqlRawAsync("""ALTER TABLE "JournalTransactions" RENAME TO "JournalTransactionsAway" """));
        var failed = await NotifyAlipay(test, notice);
        await test.Query(db => db.Database.ExecuteSqlRawAsync("""ALTER TABLE "JournalTransactionsAway" RENAME TO "JournalTransactions" """));

        Assert.Equal((503, AlipayNotification.FailureReply), (failed.StatusCode, failed.Body));
        Assert.Null((await Payment(test, payment.OutTradeNo)).Flag);
        Assert.Equal([LogLevel.Warning], log.OfNotifications().Select(e => e.Level));

        var resent = await NotifyAlipay(test, notice);
        Assert.Equal((200, "success"), (resent.StatusCode, resent.Body));
        Assert.Equal(Money.Parse("25.00"), (await test.Balance(account)).Cash);
        Assert.True((await Reconcile(test)).IsClean);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_broken_invariant_is_an_error_with_the_trade_number_and_reconcile_flags_it(DatabaseProvider provider) // R10.3
    {
        var (test, gateways, log) = await Start(provider);
        await using var _ = test;
        var account = await test.Customer();
        var payment = (await TopUp(test, account, "60.00")).Value.Payment;
        var notice = GatewayDouble.AlipayNotification(payment.OutTradeNo, Money.Parse("60.00"), gateways.Pay(payment.OutTradeNo, Money.Parse("60.00")));
        // Broken data: the payment's receipt key already holds another transaction.
        var adjustments = await test.Run<LedgerService, long>((l, ct) => l.SystemAccount(LedgerService.OperatorAdjustmentsCode, LedgerAccountKind.OperatorAdjustments, ct));
        var revenue = await test.Run<LedgerService, long>((l, ct) => l.SystemAccount(LedgerService.RevenueCode, LedgerAccountKind.Revenue, ct));
        var receiptKey = GatewayConfirmations.ReceivedKey(payment);
        Assert.True((await test.Run<LedgerService, Result<PostResult>>((l, ct) => l.Post(receiptKey, "Misfiled", [new(adjustments, Money.Parse("-1.00")), new(revenue, Money.Parse("1.00"))], ct))).Succeeded);

        var reply = await NotifyAlipay(test, notice);

        Assert.Equal((500, AlipayNotification.FailureReply, GatewayNotifications.NotAppliedCode), (reply.StatusCode, reply.Body, reply.RefusedBecause));
        Assert.Equal(Money.Zero, (await test.Balance(account)).Cash);
        var stored = await Payment(test, payment.OutTradeNo);
        Assert.Equal(GatewayPaymentState.Pending, stored.State);
        Assert.StartsWith(GatewayPayment.NotAppliedFlag, stored.Flag, StringComparison.Ordinal);
        Assert.Contains(receiptKey, stored.Flag, StringComparison.Ordinal);
        var error = Assert.Single(log.OfNotifications(), e => e.Level == LogLevel.Error);
        Assert.Contains(payment.OutTradeNo, error.Message, StringComparison.Ordinal);
        Assert.Contains("broke an invariant", error.Message, StringComparison.Ordinal);

        var check = Assert.Single(await test.Run<GatewayReconciliation, IReadOnlyList<GatewayPaymentCheck>>((r, ct) => r.Run(ct)));
        Assert.Contains(check.Mismatches, m => m.StartsWith("notification not applied: ", StringComparison.Ordinal) && m.Contains(receiptKey, StringComparison.Ordinal));
    }
}
