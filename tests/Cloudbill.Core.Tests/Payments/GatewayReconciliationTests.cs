using Cloudbill.Core.Ledger;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Testing;
using static Cloudbill.Core.Tests.TopUpTests;

namespace Cloudbill.Core.Tests;

/// <summary>`reconcile --gateways`: every payment on both sides, mismatches flagged (issue #5 point 8).</summary>
public class GatewayReconciliationTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Flags_payments_paid_but_not_credited_credited_twice_and_amounts_that_differ(DatabaseProvider provider) // R10.3
    {
        var (test, gateways) = await Start(provider);
        await using var _ = test;
        var account = await test.Customer();
        var credited = (await TopUp(test, account, "10.00")).Value.Payment;
        await NotifyAlipay(test, GatewayDouble.AlipayNotification(credited.OutTradeNo, Money.Parse("10.00"), gateways.Pay(credited.OutTradeNo, Money.Parse("10.00"))));
        var waiting = (await TopUp(test, account, "20.00", "UnionPay")).Value.Payment;
        var lost = (await TopUp(test, account, "30.00")).Value.Payment;
        gateways.Pay(lost.OutTradeNo, Money.Parse("30.00")); // paid, notification lost, poller not run yet
        var twice = (await TopUp(test, account, "40.00")).Value.Payment;
        await NotifyAlipay(test, GatewayDouble.AlipayNotification(twice.OutTradeNo, Money.Parse("40.00"), gateways.Pay(twice.OutTradeNo, Money.Parse("40.00"))));
        // An operator's hand-made second receipt under the same trade number.
        var (cash, _) = await test.Run<LedgerService, (long, long)>((l, ct) => l.OpenCustomerAccounts(account, ct));
        var clearing = await test.Run<LedgerService, long>((l, ct) => l.SystemAccount(LedgerService.AlipayClearingCode, LedgerAccountKind.AlipayClearing, ct));
        await test.Run<LedgerService, Result<PostResult>>((l, ct) => l.Post($"alipay:{twice.OutTradeNo}:manual", "Typed in again", [new(clearing, Money.Parse("-40.00")), new(cash, Money.Parse("40.00"))], ct));
        var differs = (await TopUp(test, account, "50.00")).Value.Payment;
        gateways.Pay(differs.OutTradeNo, Money.Parse("5.00"));

        var checks = (await test.Run<GatewayReconciliation, IReadOnlyList<GatewayPaymentCheck>>((r, ct) => r.Run(ct))).ToDictionary(c => c.Payment.OutTradeNo);

        Assert.Equal([], checks[credited.OutTradeNo].Mismatches);
        Assert.Equal(Money.Parse("10.00"), checks[credited.OutTradeNo].Credited);
        Assert.Equal([], checks[waiting.OutTradeNo].Mismatches);
        Assert.Equal(GatewayTradeState.NotPaid, checks[waiting.OutTradeNo].AtGateway.State);
        Assert.Equal(["paid at the gateway but not credited"], checks[lost.OutTradeNo].Mismatches);
        Assert.Equal(["credited twice: 80.00 received for a 40.00 payment"], checks[twice.OutTradeNo].Mismatches);
        Assert.Equal(["paid at the gateway but not credited", "amounts differ: 5.00 at the gateway, 50.00 here"], checks[differs.OutTradeNo].Mismatches);

        // The gateway unreachable: nothing can be confirmed, and it says so.
        gateways.Down = true;
        var blind = await test.Run<GatewayReconciliation, IReadOnlyList<GatewayPaymentCheck>>((r, ct) => r.Run(ct));
        Assert.All(blind, c => Assert.StartsWith("the gateway's state is unknown: ", c.Mismatches[0], StringComparison.Ordinal));
    }
}
