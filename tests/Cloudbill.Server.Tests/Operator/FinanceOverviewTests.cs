using Cloudbill.Core;
using Cloudbill.Core.Audit;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Lifecycle;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Renewals;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Cloudbill.Server.Tests.Operator;

/// <summary>
/// The finance overview on a database of its own: today's top-ups, renewals, failed auto-renewals
/// and their reasons, overdue accounts and unconfirmed payments, each figure the sum of the rows
/// it links to, the rows exported as CSV, and the ledger checked on demand. Support is sent away.
/// </summary>
public sealed class FinanceOverviewTests(OperatorFixture app) : IClassFixture<OperatorFixture>
{
    [Fact]
    public async Task Finance_reads_todays_figures_their_rows_and_a_csv_and_the_ledger_is_clean()
    {
        // The server's clock is the real one: the rows are written at the test's now (the fixture's
        // start), the server's today. The engine's failed auto-renewal as it records one (the
        // engine's own run is OperatorConsoleTests'; its due times depend on the hour).
        var failing = await app.Services.Customer("0.00", creditLine: "50.00");
        var instance0 = await app.Services.Instance(failing, app.Services.Clock.GetUtcNow().AddDays(3), RenewalMethod.AutoRenewal, 1, name: "web-fails");
        await app.Services.Query(async db =>
        {
            db.EngineActions.Add(new EngineAction
            {
                Key = $"autorenew:{instance0.Id}:test",
                Kind = EngineActionKind.AutoRenewal,
                AccountId = failing,
                InstanceId = instance0.Id,
                DueAt = app.Services.Clock.GetUtcNow(),
                DoneAt = app.Services.Clock.GetUtcNow(),
                Outcome = "failed: InsufficientCredit: Available Credit ¥50.00 short of ¥330.00",
            });
            return await db.SaveChangesAsync();
        });
        const int failures = 1;

        var renewing = await app.Services.Customer("1000.00");
        var instance = await app.Services.Instance(renewing, app.Services.Clock.GetUtcNow().AddDays(20));
        var renewed = await app.Services.Run<RenewalService, Result<PaymentOutcome>>((r, ct) =>
            r.RenewNow(renewing, [instance.Id], RenewalTerm.ForMonths(1), ClientToken.New(), CouponChoice.None, ct));
        Assert.True(renewed.Succeeded, renewed.Problem?.Message);
        var overdue = await app.Services.Customer("0.00");
        await app.Services.MakeOverdue(overdue, "12.34");
        await app.Services.Query(db => db.BillingAccounts.Where(a => a.Id == overdue).ExecuteUpdateAsync(s => s.SetProperty(a => a.OverdueSince, app.Services.Clock.GetUtcNow())));
        var topUp = await Payment(renewing, "120.00", GatewayPaymentState.Credited);
        var pending = await Payment(renewing, "10.00", GatewayPaymentState.Pending);

        var console = await app.SignedInStaff(app.Finance);
        await console.Page.GotoAsync("/operator/overview?period=Today");
        Assert.Equal(("1", "¥120.00"), await Figure(console, "TopUps"));
        Assert.Equal(("1", "¥330.00"), await Figure(console, "Renewals"));
        Assert.Equal(("0", "¥0.00"), await Figure(console, "Purchases"));
        Assert.Equal(("1", "—"), await Figure(console, "AutoRenewalFailures"));
        Assert.Equal(("1", "¥12.34"), await Figure(console, "OverdueAccounts"));
        Assert.Equal(("1", "¥10.00"), await Figure(console, "UnconfirmedPayments"));
        Assert.Equal([$"InsufficientCredit: {failures}"], await console.Page.GetByTestId("failure-reasons").Locator("li").AllInnerTextsAsync());
        await console.Checks.AssertAccessible();
        await console.Checks.Screenshot("operator-overview-en");

        // A figure's rows: the trade number behind the top-up, linked to its customer.
        await console.Page.GetByTestId("figure-TopUps").GetByTestId("figure-link").ClickAsync();
        await console.Page.WaitForURLAsync("**figure=TopUps**", new() { WaitUntil = WaitUntilState.Commit });
        var row = await console.Page.GetByTestId("row").InnerTextAsync();
        Assert.Contains(topUp.OutTradeNo, row, StringComparison.Ordinal);
        Assert.Contains("¥120.00", row, StringComparison.Ordinal);
        await console.Page.GotoAsync("/operator/overview?period=Today&figure=UnconfirmedPayments");
        Assert.Contains(pending.OutTradeNo, await console.Page.GetByTestId("row").InnerTextAsync(), StringComparison.Ordinal);

        // The CSV of a figure, as finance downloads it; the export is audited.
        var csv = await console.Page.APIRequest.GetAsync("/operator/overview.csv?period=Today&figure=Renewals");
        Assert.Equal(200, csv.Status);
        Assert.StartsWith("text/csv", csv.Headers["content-type"], StringComparison.Ordinal);
        var lines = (await csv.TextAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("time,account_id,reference,detail,amount_cny", lines[0]);
        Assert.Single(lines[1..]);
        Assert.EndsWith($",{renewing},order {renewed.Value.Order.Id},\"ecs, Balance\",330.00", lines[1], StringComparison.Ordinal);
        Assert.Equal(1, await app.Services.Query(db => db.AuditEvents.CountAsync(a => a.Kind == AuditEventKind.OverviewExported && a.ActorId == app.Finance.Email)));
        var bad = await console.Page.APIRequest.GetAsync("/operator/overview.csv?period=Yesterday&figure=Renewals");
        Assert.Equal(400, bad.Status);

        await console.Page.GotoAsync("/operator/overview?period=ThisMonth&reconcile=true");
        Assert.StartsWith("Clean: ", await console.Page.GetByTestId("reconcile-result").InnerTextAsync(), StringComparison.Ordinal);
        console.Checks.AssertClean(refusalsExpected: true);

        var zh = await app.SignedInStaff(app.Finance, "zh-CN");
        await zh.Page.GotoAsync("/operator/overview?period=Today");
        Assert.Equal("财务概览", await zh.Page.Locator("h1").InnerTextAsync());
        await zh.Checks.AssertAccessible();
        await zh.Checks.Screenshot("operator-overview-zh");

        // Support has no overview: the page and its CSV are finance's.
        var support = await app.SignedInStaff(app.Support);
        await support.Page.GotoAsync("/operator/overview");
        Assert.EndsWith("/operator/denied", new Uri(support.Page.Url).AbsolutePath, StringComparison.Ordinal);
        var refused = await support.Page.APIRequest.GetAsync("/operator/overview.csv?period=Today&figure=TopUps", new() { MaxRedirects = 0 });
        Assert.NotEqual(200, refused.Status);
    }

    [Fact]
    public async Task Any_member_of_staff_lists_every_instance_with_filters_and_a_bad_filter_gets_a_reason()
    {
        var accountId = await app.Services.Customer("0.00");
        var soon = await app.Services.Instance(accountId, app.Services.Clock.GetUtcNow().AddDays(3), name: "list-expiring-soon");
        await app.Services.Instance(accountId, app.Services.Clock.GetUtcNow().AddDays(90), name: "list-later");

        foreach (var (locale, suffix) in new[] { ("en-US", "en"), ("zh-CN", "zh") })
        {
            var console = await app.SignedInStaff(app.Viewer, locale);
            await console.Page.GotoAsync("/operator/instances");
            await console.Checks.AssertAccessible();
            await console.Checks.Screenshot($"operator-instances-{suffix}");
            console.Checks.AssertClean();
        }

        var viewer = await app.SignedInStaff(app.Viewer);
        await viewer.Page.GotoAsync("/operator/instances");
        await viewer.Page.Locator("#f-state").SelectOptionAsync("ExpiringSoon");
        await viewer.Page.Locator("#f-product").SelectOptionAsync("ecs");
        await viewer.Page.GetByTestId("filter-submit").ClickAsync();
        await viewer.Page.WaitForURLAsync("**state=ExpiringSoon**", new() { WaitUntil = WaitUntilState.Commit });
        var rows = await viewer.Page.GetByTestId("list-row").AllInnerTextsAsync();
        Assert.Contains(rows, r => r.Contains(soon.Id, StringComparison.Ordinal) && r.Contains("list-expiring-soon", StringComparison.Ordinal));
        Assert.DoesNotContain(rows, r => r.Contains("list-later", StringComparison.Ordinal));

        var bad = await viewer.Page.GotoAsync("/operator/instances?state=Sleeping");
        Assert.Equal(400, bad!.Status);
        Assert.Equal("state is one of Live, ExpiringSoon, Expired, Released.", await viewer.Page.GetByTestId("list-error").InnerTextAsync());
        var cursor = await viewer.Page.GotoAsync("/operator/instances?after=not-a-cursor");
        Assert.Equal(400, cursor!.Status);
        viewer.Checks.AssertClean(refusalsExpected: true);
    }

    private static async Task<(string Count, string Amount)> Figure(ConsolePage console, string figure)
    {
        var row = console.Page.GetByTestId("figure-" + figure);
        return (await row.GetByTestId("figure-count").InnerTextAsync(), await row.GetByTestId("figure-amount").InnerTextAsync());
    }

    private Task<GatewayPayment> Payment(long accountId, string amount, GatewayPaymentState state) => app.Services.Query(async db =>
    {
        var now = app.Services.Clock.GetUtcNow();
        var payment = new GatewayPayment
        {
            AccountId = accountId,
            Gateway = PaymentGateway.Alipay,
            Purpose = GatewayPaymentPurpose.TopUp,
            OutTradeNo = "T" + Guid.NewGuid().ToString("N")[..20],
            ClientToken = Guid.NewGuid().ToString("N"),
            Amount = Money.Parse(amount),
            State = state,
            CreatedAt = now,
            TxnTime = now,
            PayBy = now.AddMinutes(30),
            GatewayTradeNo = state == GatewayPaymentState.Credited ? "2026" + Random.Shared.NextInt64(1_000_000_000_000, 9_999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
            ConfirmedAt = state == GatewayPaymentState.Credited ? now : null,
        };
        db.GatewayPayments.Add(payment);
        await db.SaveChangesAsync();
        return payment;
    });
}
