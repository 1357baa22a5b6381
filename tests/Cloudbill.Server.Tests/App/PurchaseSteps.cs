using Cloudbill.Core;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Provisioning;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Cloudbill.Server.Tests.App;

/// <summary>
/// A server whose sandbox cloud reports new instances created only after an hour, so a test
/// sees a new instance as Creating and then marks it created as the cloud would report it.
/// </summary>
public sealed class PurchaseAppFixture : AppFixture
{
    protected override IReadOnlyDictionary<string, string> ExtraSettings =>
        new Dictionary<string, string> { ["Cloudbill__Provisioning__SimulatedDelaySeconds"] = "3600" };

    /// <summary>The provider reports the instance created (R1.4: Creating → Normal).</summary>
    public Task<bool> Provisioned(string instanceId) =>
        Services.Run<ProvisioningService, bool>((s, ct) => s.Complete(instanceId, ct));
}

/// <summary>The Purchase steps 1 to 4 of docs/procedures.md, in English, shared by the purchase tests.</summary>
internal static class PurchaseSteps
{
    /// <summary>A new customer with a balance, signed in on a phone.</summary>
    public static async Task<(long Account, AppPage Phone)> Customer(AppFixture app, string balance, string locale = "en-US")
    {
        var account = await app.Services.Customer(balance);
        return (account, await app.SignedIn(await app.Services.EmailOf(account), "Secret-2026", locale));
    }

    /// <summary>Discover, Purchase Products, the image icon, Compute, Elastic Compute Service's Buy Now.</summary>
    public static async Task OpenEcs(AppPage phone, string? screenshots = null)
    {
        var page = phone.Page;
        await phone.Tap(phone.Link("Discover"), path => path == "/discover");
        if (screenshots is not null)
            await Check(phone, screenshots + "-discover");
        await phone.Tap(phone.Link("Purchase Products"), path => path == "/purchase");
        if (screenshots is not null)
            await Check(phone, screenshots + "-purchase-products");
        // The image icon: a button with an accessible name.
        Assert.Equal("Cloud Products", await page.GetByTestId("categories-icon").GetAttributeAsync("aria-label"));
        await phone.Tap(page.GetByTestId("categories-icon"), path => path == "/purchase/categories");
        await phone.Tap(page.GetByTestId("categories").GetByRole(AriaRole.Link, new() { Name = "Compute", Exact = true }), path => path == "/purchase/categories?category=Compute");
        // Compute is the first category, Elastic Compute Service its first product.
        Assert.Equal("Compute", (await page.GetByTestId("categories").GetByRole(AriaRole.Link).First.InnerTextAsync()).Trim());
        var ecs = page.Locator("[data-product=ecs]");
        Assert.Equal("Elastic Compute Service (ECS)", (await ecs.Locator("h3").InnerTextAsync()).Trim());
        if (screenshots is not null)
            await Check(phone, screenshots + "-cloud-products");
        await phone.Tap(ecs.GetByRole(AriaRole.Link, new() { Name = "Buy Now" }), path => path == "/purchase/ecs");
    }

    /// <summary>Step 4: Hong Kong (China), ecs.g7.large, 1 Year, the quantity and the name, then View Details.</summary>
    public static async Task ConfigureEcs(AppPage phone, string name, bool autoRenewal = false, string? screenshots = null)
    {
        var page = phone.Page;
        // Note: auto-renewal is off by default (manual renewal).
        Assert.False(await page.GetByLabel("Auto-Renewal", new() { Exact = true }).IsCheckedAsync());
        Assert.False(await page.GetByLabel("Auto-renewal period").IsVisibleAsync());
        await phone.Tap(phone.Button("Hong Kong (China)"), path => path.Contains("region=cn-hongkong", StringComparison.Ordinal));
        await phone.Tap(page.GetByTestId("specs").GetByRole(AriaRole.Link, new() { Name = "ecs.g7.large · 2 vCPU 8 GiB" }), path => path.Contains("spec=ecs.g7.large", StringComparison.Ordinal));
        await phone.Tap(phone.Button("1 Year"), path => path.Contains("months=12", StringComparison.Ordinal));
        await page.GetByLabel("Quantity").FillAsync("1");
        await page.GetByLabel("Instance Name").FillAsync(name);
        if (autoRenewal)
        {
            await page.GetByLabel("Auto-Renewal", new() { Exact = true }).CheckAsync();
            // Enabling it asks its period.
            await page.GetByLabel("Auto-renewal period").SelectOptionAsync("3");
        }
        if (screenshots is not null)
            await Check(phone, screenshots + "-configure");
        await phone.Tap(page.GetByTestId("view-details"), path => path.StartsWith("/purchase/ecs/details?", StringComparison.Ordinal));
    }

    public static async Task Check(AppPage phone, string screenshot)
    {
        await phone.Screenshot(screenshot);
        await phone.AssertAccessible();
    }

    public static Task<Instance> InstanceNamed(AppFixture app, long account, string name) =>
        app.Services.Query(db => db.Instances.AsNoTracking().SingleAsync(i => i.AccountId == account && i.Name == name));

    /// <summary>A coupon for any product, new purchases, no minimum unless given.</summary>
    public static Task<Coupon> Voucher(AppFixture app, long account, string amount, string minimum = "0.00", string products = "",
        CouponOrderTypes types = CouponOrderTypes.New | CouponOrderTypes.Renew, ChargeType subscription = ChargeType.Subscription,
        DateTimeOffset? validFrom = null, TimeSpan? validFor = null) =>
        app.Services.Coupon(account, amount, minimum, products, types, subscription, validFor, validFrom);

    public static Money Monthly(AppFixture app, string spec, string region) =>
        app.Services.Services.GetRequiredService<Core.Catalog.ProductCatalog>().GetProduct("ecs").FindSpec(spec)!.PricesByRegion[region].Monthly;
}
