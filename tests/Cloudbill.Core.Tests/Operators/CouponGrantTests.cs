using Cloudbill.Core.Audit;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Operators;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Tests.Operators;

/// <summary>
/// Finance's coupon grants: a list is checked whole before anything is issued (each bad line
/// reported with its number), a form issues once however often it arrives, every coupon has its
/// audit row with the reason, and a revoked coupon expires at once and no longer applies.
/// </summary>
public class CouponGrantTests
{
    private static readonly CouponTerms Terms = new("Outage apology", Money.Parse("20.00"), Money.Zero, ["ecs"], CouponOrderTypes.New | CouponOrderTypes.Renew, ChargeType.Subscription, 30);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_list_with_one_bad_line_issues_nothing_and_a_good_one_issues_once_per_form(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var first = await test.Customer();
        var second = await test.Customer();
        var email = await test.EmailOf(second);

        var bad = $"email\n{first}\n\n{email.ToUpperInvariant()},extra column\nnobody@example.com\n{first}\nnot a customer\n999999";
        var refused = await test.Run<CouponGrants, Result<CouponGrant>>((g, ct) => g.Grant(bad, Terms, ClientToken.New(), "apology for the outage", ct));
        Assert.True(refused.Succeeded, refused.Problem?.Message);
        Assert.Null(refused.Value.Issued);
        Assert.Equal(
            ["line 5 (nobody@example.com): no customer has this email.", "line 6 (" + first + "): the same customer as line 2.", "line 7 (not a customer): it is neither an account ID nor an email.", "line 8 (999999): no customer has this account ID."],
            refused.Value.Errors.Select(e => $"line {e.Line} ({e.Text}): {e.Message}"));
        Assert.Equal(0, await test.Query(db => db.Coupons.CountAsync()));

        var good = $"{first}\r\n{email.ToUpperInvariant()}\r\n";
        var token = ClientToken.New();
        var answers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ =>
            test.Run<CouponGrants, Result<CouponGrant>>((g, ct) => g.Grant(good, Terms, token, "apology for the outage", ct))));
        Assert.All(answers, a => Assert.Equal(2, a.Value.Issued!.Coupons.Count));
        Assert.Equal(1, answers.Count(a => !a.Value.Issued!.AlreadyIssued));

        var coupons = await test.Query(db => db.Coupons.OrderBy(c => c.AccountId).ToListAsync());
        Assert.Equal([first, second], coupons.Select(c => c.AccountId));
        Assert.All(coupons, c => Assert.Equal(("Outage apology", Money.Parse("20.00"), "ecs"), (c.Name, c.Remaining, c.ProductCodes)));
        var audit = await test.Query(db => db.AuditEvents.Where(a => a.Kind == AuditEventKind.CouponIssued).ToListAsync());
        Assert.Equal(2, audit.Count);
        Assert.All(audit, a => Assert.Equal("apology for the outage", a.Reason));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_revoked_coupon_expires_now_once_and_one_held_by_an_unpaid_order_is_not_revoked(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var accountId = await test.Customer();
        var granted = await test.Run<CouponGrants, Result<CouponGrant>>((g, ct) => g.Grant($"{accountId}\n", Terms, ClientToken.New(), "campaign", ct));
        var coupon = Assert.Single(granted.Value.Issued!.Coupons);

        var revoked = await test.Run<CouponGrants, Result<Coupon>>((g, ct) => g.Revoke(accountId, coupon.Id, "issued by mistake", ct));
        Assert.True(revoked.Succeeded, revoked.Problem?.Message);
        var row = await test.Query(db => db.Coupons.SingleAsync(c => c.Id == coupon.Id));
        Assert.Equal((test.Clock.GetUtcNow(), (DateTimeOffset?)test.Clock.GetUtcNow()), (row.ValidTo, row.RevokedAt));
        Assert.Equal(VoucherState.Expired, CouponService.StateOf(row, test.Clock.GetUtcNow()));
        Assert.Equal("issued by mistake", (await test.Query(db => db.AuditEvents.SingleAsync(a => a.Kind == AuditEventKind.CouponRevoked))).Reason);

        var again = await test.Run<CouponGrants, Result<Coupon>>((g, ct) => g.Revoke(accountId, coupon.Id, "again", ct));
        Assert.Equal("Coupon.Revoked", again.Problem?.Code);
        var otherCustomers = await test.Run<CouponGrants, Result<Coupon>>((g, ct) => g.Revoke(accountId + 1, coupon.Id, "wrong account", ct));
        Assert.Equal("Coupon.NotFound", otherCustomers.Problem?.Code);

        var held = await test.Coupon(accountId, "30.00");
        await test.Query(db => db.Coupons.Where(c => c.Id == held.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.FrozenByOrderId, 4242L)));
        var frozen = await test.Run<CouponGrants, Result<Coupon>>((g, ct) => g.Revoke(accountId, held.Id, "campaign over", ct));
        Assert.Equal("Coupon.Frozen", frozen.Problem?.Code);
        Assert.Null(await test.Query(db => db.Coupons.Where(c => c.Id == held.Id).Select(c => c.RevokedAt).SingleAsync()));
    }
}
