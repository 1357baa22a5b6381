using Cloudbill.Core;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Renewals;
using Cloudbill.Core.Time;
using Cloudbill.Server.Tests.OpenApi;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using static Cloudbill.Server.Tests.App.AppAssert;

namespace Cloudbill.Server.Tests.App;

/// <summary>
/// One renewal, whatever the surface (docs/decisions/0028): the customer opens Renew Now, the
/// instance is released, expires or gets an unpaid order from another device, and only then is
/// Pay Now tapped (the app) or RenewInstance called (the API). Both surfaces place and pay through
/// RenewalService.RenewNow in one transaction, so the outcome is the same: the same refusal,
/// nothing charged and nothing left behind, or the same renewal from the old expiry.
/// </summary>
public class RenewalRaceTests(AppFixture app) : IClassFixture<AppFixture>
{
    public enum Race { Released, Expired, UnpaidOrderElsewhere }

    /// <summary>What a renewal attempt left: paid or not, the expiry, the instance's paid orders and its unpaid ones, and the balance's change.</summary>
    private sealed record Outcome(bool Renewed, DateTimeOffset? Expiry, int PaidOrders, int UnpaidOrders, Money Charged);

    [Theory]
    [InlineData(Race.Released, "web-hk-01", "api-hk-02")]
    [InlineData(Race.Expired, "cache-hz", "analytics-pg")]
    [InlineData(Race.UnpaidOrderElsewhere, "web-hz-01", "lb-hk")]
    public async Task A_race_between_opening_Renew_Now_and_paying_ends_the_same_in_the_app_and_the_API(Race race, string inApp, string byApi)
    {
        var account = await app.Services.DemoAccount();

        // The app: the page is opened, the race happens, then Pay Now (from the balance).
        var phone = await app.SignedIn();
        var page = phone.Page;
        var appInstance = await app.Services.InstanceNamed(inApp);
        await page.GotoAsync($"/renew?ids={appInstance.Id}&months=1");
        var payable = Yuan(await phone.Text("payable"));
        var before = (await app.Services.Balance(account)).AvailableCredit;
        var appExpiry = await Happen(race, appInstance.Id, account);
        await page.GetByTestId("pay-now").ClickAsync();
        await page.WaitForFunctionAsync("() => location.pathname.endsWith('/result') || !!document.querySelector('[data-testid=renew-error]')");
        var appOutcome = await OutcomeOf(appInstance.Id, account, before, renewed: page.Url.EndsWith("/result", StringComparison.Ordinal));
        var appError = appOutcome.Renewed ? null : await phone.Text("renew-error");

        // The API: the same race on another instance of the same kind, then RenewInstance.
        var apiInstance = await app.Services.InstanceNamed(byApi);
        before = (await app.Services.Balance(account)).AvailableCredit;
        var apiExpiry = await Happen(race, apiInstance.Id, account);
        using var client = new BssTestClient(app.Server.Address, BssTestClient.DemoAccessKeyId, BssTestClient.DemoSecret);
        var (status, body, _) = await client.Call("RenewInstance", new Dictionary<string, string>
        {
            ["InstanceId"] = apiInstance.Id,
            ["ProductCode"] = apiInstance.ProductCode,
            ["RenewPeriod"] = "1",
        });
        var apiOutcome = await OutcomeOf(apiInstance.Id, account, before, renewed: status == 200);

        // The same outcome on both surfaces, each for its own instance.
        var renews = race == Race.Expired;
        Assert.Equal((renews, renews ? 1 : 0, race == Race.UnpaidOrderElsewhere ? 1 : 0), (appOutcome.Renewed, appOutcome.PaidOrders, appOutcome.UnpaidOrders));
        Assert.Equal(appOutcome with { Expiry = null, Charged = Money.Zero }, apiOutcome with { Expiry = null, Charged = Money.Zero });
        // R3.2: a renewal counts from the old expiry, also when expired; a refusal leaves it, and the balance, as they were.
        Assert.Equal(renews ? BusinessCalendar.AddMonths(appExpiry, 1) : appExpiry, appOutcome.Expiry);
        Assert.Equal(renews ? BusinessCalendar.AddMonths(apiExpiry, 1) : apiExpiry, apiOutcome.Expiry);
        Assert.Equal(renews ? payable : Money.Zero, appOutcome.Charged);
        if (renews)
        {
            Assert.True(apiOutcome.Charged.IsPositive);
            return;
        }
        Assert.Equal(Money.Zero, apiOutcome.Charged);
        // The same refusal, each naming its instance: released (R3.5), or held by the other order (R3.3).
        Assert.True(status is >= 400 and < 500, $"RenewInstance answered {status}");
        Assert.Contains(apiInstance.Id, body.GetProperty("Message").GetString(), StringComparison.Ordinal);
        Assert.Contains(appInstance.Id, appError, StringComparison.Ordinal);
        var words = race == Race.Released ? "released" : "unpaid order";
        Assert.Contains(words, body.GetProperty("Message").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains(words, appError, StringComparison.OrdinalIgnoreCase);
        phone.AssertClean(refusalsExpected: true);
    }

    /// <summary>Makes the race happen to the instance; returns its expiry afterwards (what a renewal counts from).</summary>
    private async Task<DateTimeOffset> Happen(Race race, string instanceId, long account)
    {
        switch (race)
        {
            case Race.Released:
                await app.Services.Query(db => db.Instances.Where(i => i.Id == instanceId)
                    .ExecuteUpdateAsync(s => s.SetProperty(i => i.ReleasedAt, i => i.ExpiresAt)));
                break;
            case Race.Expired:
                // Expired yesterday, still in its grace days (R1.5): renewable, from the old expiry.
                // The server runs on the system clock.
                var yesterday = BusinessCalendar.AddDays(TimeProvider.System.GetUtcNow(), -1);
                await app.Services.Query(db => db.Instances.Where(i => i.Id == instanceId)
                    .ExecuteUpdateAsync(s => s.SetProperty(i => i.ExpiresAt, yesterday)));
                break;
            case Race.UnpaidOrderElsewhere:
                // Another device placed a renewal to pay at a gateway: the order holds the instance (R3.3).
                var placed = await app.Services.Run<RenewalService, Result<Order>>((renewals, ct) =>
                    renewals.Place(account, [instanceId], RenewalTerm.ForMonths(1), ClientToken.New(), CouponChoice.None, ct));
                Assert.True(placed.Succeeded, placed.Problem?.Message);
                break;
        }
        return (await app.Services.Reload(instanceId)).ExpiresAt!.Value;
    }

    private async Task<Outcome> OutcomeOf(string instanceId, long account, Money before, bool renewed)
    {
        var orders = await app.Services.Query(db => db.Orders.AsNoTracking().Where(o => o.Lines.Any(l => l.InstanceId == instanceId)).Select(o => o.Status).ToListAsync());
        var after = (await app.Services.Balance(account)).AvailableCredit;
        return new Outcome(renewed, (await app.Services.Reload(instanceId)).ExpiresAt,
            orders.Count(s => s == OrderStatus.Paid), orders.Count(s => s == OrderStatus.Unpaid), before - after);
    }
}
