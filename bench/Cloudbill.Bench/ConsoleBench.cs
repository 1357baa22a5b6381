using System.Text;
using Cloudbill.Core.Operators;
using Cloudbill.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using static System.FormattableString;

namespace Cloudbill.Bench;

/// <summary>
/// The operator console's lists on the bench's data (issue 22: each page under 100 ms at p95 on the
/// server), rendered by the whole server pipeline in memory as <see cref="PagesBench"/> does; a
/// member of finance staff signed in once through the staff sign-in form with an authenticator code.
/// </summary>
public static class ConsoleBench
{
    private const string Email = "bench-finance@cloudbill.local";
    private const string Password = "Bench-Console-2026";

    public static async Task<string> Run(string connectionString, string dataDirectory, int calls, int bigAccount, int instances, Action<string> say, CancellationToken ct)
    {
        await using var app = InMemoryServer.Build(connectionString, dataDirectory);
        await app.StartAsync(ct);
        string key;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var staff = scope.ServiceProvider.GetRequiredService<StaffAccounts>();
            var added = await staff.Add(Email, StaffRole.Finance, Password, ct);
            key = added.Succeeded ? added.Value.AuthenticatorKey
                : (await staff.ResetAuthenticator(Email, ct)).Value.AuthenticatorKey;
        }
        using var http = app.GetTestClient();
        var browser = new InMemoryBrowser(http, ct);

        // The staff sign-in form, with the code an authenticator app shows now (the server's TOTP runs on the real clock).
        var fields = await browser.FormFields("/operator/signin", "staff-signin");
        fields["Input.Email"] = Email;
        fields["Input.Password"] = Password;
        fields["Input.Code"] = Totp.Code(key, DateTimeOffset.UtcNow);
        var (status, _) = await browser.Send(new HttpRequestMessage(HttpMethod.Post, "/operator/signin") { Content = new FormUrlEncodedContent(fields) });
        if (!browser.HasCookie("cloudbill.operator"))
            throw new InvalidOperationException($"Signing in as staff failed ({(int)status}).");

        // A product and a region of the data, and the cursor of page 20 of the whole list.
        string product, region, deepCursor;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var list = scope.ServiceProvider.GetRequiredService<InstanceList>();
            var first = (await list.Page(new InstanceListFilter(PageSize: 1), ct)).Value.Instances[0];
            (product, region) = (first.ProductCode, first.RegionId);
            string? cursor = null;
            for (var n = 0; n < 19; n++)
                cursor = (await list.Page(new InstanceListFilter(After: cursor), ct)).Value.Next;
            deepCursor = cursor!;
        }

        var pages = new (string Name, string Path)[]
        {
            ("Instances, first page", "/operator/instances"),
            ("Instances, page 20", $"/operator/instances?after={Uri.EscapeDataString(deepCursor)}"),
            ("Instances, expiring within 15 days", "/operator/instances?state=ExpiringSoon"),
            ("Instances, expired", "/operator/instances?state=Expired"),
            ("Instances, released", "/operator/instances?state=Released"),
            ("Instances, product + region + manual", $"/operator/instances?product={product}&region={region}&method=ManualRenewal"),
            ("Instances, pay-as-you-go", "/operator/instances?charge=PayAsYouGo"),
            ($"Customer page, the {bigAccount:N0}-instance account", $"/operator/customers/{DataGenerator.BigAccountId}"),
            ("Find by email prefix", "/operator?q=bench-big"),
            ("Finance overview, today", "/operator/overview?period=Today"),
        };
        var results = new List<PageTiming>();
        foreach (var (name, path) in pages)
        {
            var timing = await browser.Time(name, path, "console-bar", warmUps: 10, calls);
            results.Add(timing);
            say(Invariant($"Console {name}: p50 {timing.P50:F2} ms, p95 {timing.P95:F2} ms"));
        }
        await app.StopAsync(ct);

        var report = new StringBuilder();
        report.AppendLine(Invariant($"The operator console as a member of finance staff, on {instances:N0} instances, rendered by the server pipeline in memory (`TestServer`: the staff cookie and its per-request check, routing, the static-SSR page with its queries, the HTML); product `{product}`, region `{region}`; 10 warm-up requests, then {calls:N0} timed, one at a time:"));
        report.AppendLine();
        report.AppendLine("| Page | HTML | p50 | p95 | p99 | Goal p95 < 100 ms |");
        report.AppendLine("|---|---|---|---|---|---|");
        foreach (var r in results)
            report.AppendLine(Invariant($"| {r.Name} | {r.Bytes / 1024.0:F1} KB | {r.P50:F2} ms | {r.P95:F2} ms | {r.P99:F2} ms | {(r.P95 < 100 ? "met" : "NOT met")} |"));
        return report.ToString();
    }
}
