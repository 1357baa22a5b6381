using System.Text;
using Cloudbill.Core.Accounts;
using Cloudbill.Core.Renewals;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using static System.FormattableString;

namespace Cloudbill.Bench;

/// <summary>
/// The phone app's Console pages for the big account, rendered by the whole server pipeline in
/// memory (`TestServer`: authentication cookie, routing, the Blazor page with its queries and
/// the HTML), so the time is the server's; signed in once through the real sign-in form.
/// </summary>
public static class PagesBench
{
    private const string Email = "bench-big-account@cloudbill.local";
    private const string Password = "Bench-Pages-2026";

    public static async Task<string> Run(string connectionString, string dataDirectory, int calls, int bigAccount, int instances, Action<string> say, CancellationToken ct)
    {
        await using var app = InMemoryServer.Build(connectionString, dataDirectory);
        await app.StartAsync(ct);
        // The big account's customer, made by the server's own services (its Data Protection keys).
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<CloudbillUser>>();
            if (await users.FindByEmailAsync(Email) is null)
            {
                var created = await users.CreateAsync(new CloudbillUser { UserName = Email, Email = Email, EmailConfirmed = true, BillingAccountId = DataGenerator.BigAccountId }, Password);
                if (!created.Succeeded)
                    throw new InvalidOperationException(string.Join(" ", created.Errors.Select(e => e.Description)));
            }
        }
        using var http = app.GetTestClient();
        var browser = new InMemoryBrowser(http, ct);

        // Sign in through the page, as a phone does: the form's hidden fields, then the post.
        var fields = await browser.FormFields("/signin", "signin");
        fields["Input.Email"] = Email;
        fields["Input.Password"] = Password;
        var (status, _) = await browser.Send(new HttpRequestMessage(HttpMethod.Post, "/signin") { Content = new FormUrlEncodedContent(fields) });
        if (!browser.HasCookie("cloudbill.auth"))
            throw new InvalidOperationException($"Signing in as the big account failed ({(int)status}).");

        // The big account's largest product and region, and one of its instances.
        string product, region, instanceId;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var views = scope.ServiceProvider.GetRequiredService<RenewalViews>();
            var all = (await views.List(DataGenerator.BigAccountId, new RenewalFilter(PageSize: 1), ct)).Value;
            product = all.Products.OrderByDescending(p => p.Count).First().ProductCode;
            var regions = (await views.Regions(DataGenerator.BigAccountId, new RenewalFilter(ProductCode: product, Method: Core.Instances.RenewalMethod.ManualRenewal), ct)).Value;
            region = regions.OrderByDescending(r => r.Count).First().Region.Id;
            instanceId = (await views.List(DataGenerator.BigAccountId, new RenewalFilter(product, region, Core.Instances.RenewalMethod.ManualRenewal), ct)).Value.Instances[0].Id;
        }

        var pages = new (string Name, string Path)[]
        {
            ("Console", "/"),
            ("Urgent Renewal", "/renewals/urgent"),
            ("Renewal Management", "/renewals/manage"),
            ("Product, Manual Renewal, urgent", $"/renewals/urgent/{product}?tab=ManualRenewal&expiry=Urgent"),
            ("Product, Auto-Renewal, all times", $"/renewals/manage/{product}?tab=AutoRenewal&expiry=AllTimes"),
            ("Region, first page", $"/renewals/manage/{product}/{region}?tab=ManualRenewal&expiry=AllTimes"),
            ("Region, page 10", $"/renewals/manage/{product}/{region}?tab=ManualRenewal&expiry=AllTimes&page=10"),
            ("Region, search", $"/renewals/manage/{product}/{region}?tab=ManualRenewal&expiry=AllTimes&q=zz"),
            ("Renew Now", $"/renew?ids={instanceId}&months=1"),
            ("Renewal method", $"/renewal-method?ids={instanceId}"),
            ("My Instances", "/instances"),
            ("My Instances, region", $"/instances/{region}"),
            ("My", "/my"),
        };
        var results = new List<PageTiming>();
        foreach (var (name, path) in pages)
        {
            var timing = await browser.Time(name, path, "appbar", warmUps: 20, calls);
            results.Add(timing);
            say(Invariant($"Page {name}: p50 {timing.P50:F2} ms, p95 {timing.P95:F2} ms"));
        }
        await app.StopAsync(ct);

        var report = new StringBuilder();
        report.AppendLine(Invariant($"The phone app's Console pages as the {bigAccount:N0}-instance account among {instances:N0} instances, rendered by the server pipeline in memory (`TestServer`: sign-in cookie, routing, the static-SSR Blazor page with its queries, the HTML); product `{product}`, region `{region}`; 20 warm-up requests, then {calls:N0} timed, one at a time:"));
        report.AppendLine();
        report.AppendLine("| Page | HTML | p50 | p95 | p99 | Goal p95 < 50 ms |");
        report.AppendLine("|---|---|---|---|---|---|");
        foreach (var r in results)
            report.AppendLine(Invariant($"| {r.Name} | {r.Bytes / 1024.0:F1} KB | {r.P50:F2} ms | {r.P95:F2} ms | {r.P99:F2} ms | {(r.P95 < 50 ? "met" : "NOT met")} |"));
        return report.ToString();
    }
}
