using System.Text;
using Cloudbill.Core.Persistence;
using Cloudbill.Server.Tests.App;
using Cloudbill.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace Cloudbill.Server.Tests.Fuzz;

/// <summary>A real server on a fresh SQLite database with the demo customer, and the services to hash its state.</summary>
public sealed class AppFuzzFixture : IAsyncLifetime
{
    private TestDatabase? database;

    public RunningServer Server { get; private set; } = null!;
    public TestServices Services { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        Server = await RunningServer.Start(database, new Dictionary<string, string>
        {
            ["Cloudbill__Payments__SandboxRetryScale"] = "0.001",
            // Nothing but the requests may change the database between two hashes: no engine, no
            // payment poller, and a bought instance stays Creating for the whole run (the simulated
            // provider would otherwise mark it Normal in the background, between two hashes).
            ["Cloudbill__Engine__IntervalSeconds"] = "0",
            ["Cloudbill__Payments__PollerIntervalSeconds"] = "0",
            ["Cloudbill__Provisioning__SimulatedDelaySeconds"] = "3600",
            // The session signs in again after every post that went through, and the forms are posted
            // thousands of times from 127.0.0.1: the rate limits would refuse most of them (WebHardeningTests try the limits).
            ["Cloudbill__RateLimits__SignIn__Requests"] = "1000000",
            ["Cloudbill__RateLimits__SignUp__Requests"] = "1000000",
            ["Cloudbill__RateLimits__SignUpTotal__Requests"] = "1000000",
            ["Cloudbill__RateLimits__TopUp__Requests"] = "1000000",
            ["Cloudbill__RateLimits__AccessKeyCreation__Requests"] = "1000000",
        });
        Services = await TestServices.Start(database, DateTimeOffset.UtcNow);
    }

    public async ValueTask DisposeAsync()
    {
        if (Services is not null)
            await Services.DisposeServicesOnly();
        await Server.DisposeAsync();
        if (database is not null)
            await database.DisposeAsync();
    }
}

/// <summary>The app's fuzz and crafted-input tests share one server and run one after another: a hash compares the database before and after each request.</summary>
[CollectionDefinition(Name)]
public sealed class AppFuzzCollection : ICollectionFixture<AppFuzzFixture>
{
    public const string Name = "App fuzz server";
}

/// <summary>
/// Point 3 of issue 19 for the app: thousands of generated posts to every form of the pages
/// (sign-in, sign-up, sign-out, language switch, access keys, messages, order pay and cancel,
/// purchase, renew now, renewal method, password, suggestions, top-up, order cancel) and generated
/// addresses of the GET forms and lists, with the field names the pages use and hostile values
/// (FsCheck). Every answer is below 500; a refusal is a 4xx page or problem+json; a redirect
/// stays on the site; and a refused post or any GET leaves the ledger, orders, instances and
/// coupons as they were. CI sends 1000; a million:
/// `CLOUDBILL_FUZZ_REQUESTS=1000000 dotnet test --project tests/Cloudbill.Server.Tests -- --filter-class '*FuzzTests*'`.
/// </summary>
[Collection(AppFuzzCollection.Name)]
public class AppFormFuzzTests(AppFuzzFixture fixture)
{
    /// <summary>One generated request: GET or a form post to a path, as the customer or as nobody, with or without a valid antiforgery token.</summary>
    public sealed record FormCall(bool Anonymous, bool Post, string Path, string? Handler, FuzzField[] Fields, bool ValidToken);

    private sealed record Form(bool Anonymous, bool Post, Gen<string> Path, string? Handler, (string Name, string[] Plausible)[] Fields);

    /// <summary>A path segment; never NUL, which the web server itself refuses in a path (an empty 400 before the app).</summary>
    private static Gen<string> Segment(string[] plausible) =>
        Gen.Frequency((3, Gen.Elements(plausible)), (2, FuzzInputs.Hostile(megabyte: false).Where(s => s.Length < 300 && !s.Contains('\0', StringComparison.Ordinal)))).Select(FuzzInputs.Escape);

    private static Gen<string> Query((string Name, string[] Plausible)[] fields) =>
        FuzzInputs.Fields(fields, megabyte: false).Select(f => FuzzInputs.FormEncode(f.Where(x => x.Value.Length < 300)));

    private static Form[] Forms(FuzzInputs.Names names)
    {
        var orders = names.OrderIds.Concat(["1", "0", "-1", "9223372036854775807", "x"]).ToArray();
        var ids = names.InstanceIds;
        var months = new[] { "1", "3", "12", "36", "14" };
        var token = new[] { "fuzz-1", "fuzz-2" };
        var page = new[] { "1", "2", "2147483647", "0", "-1" };
        Gen<string> At(string path) => Gen.Constant(path);
        Gen<string> WithQuery(string path, (string, string[])[] query) => Query(query).Select(q => q.Length == 0 ? path : path + "?" + q);
        return
        [
            new(true, true, At("/signin"), "signin", [("Input.Email", [AppFixture.DemoEmail, "nobody@cloudbill.local"]), ("Input.Password", ["wrong-password"])]),
            new(true, true, At("/signup"), "signup", [("Input.Email", ["fuzz@example.com", AppFixture.DemoEmail]), ("Input.Password", ["Fuzz-2026!pass"]), ("Input.Confirm", ["Fuzz-2026!pass"])]),
            new(true, true, At("/signout"), null, []),
            new(false, true, At("/culture"), null, [("culture", ["en-US", "zh-CN", "fr-FR"]), ("returnUrl", ["/", "/my", "//evil.example", "https://evil.example/", "/\\evil.example"])]),
            new(false, true, At("/accesskeys"), "accesskey-state", [("Input.Command", ["disable:nokey", "enable:nokey", "delete:x"])]),
            new(false, true, At("/accesskeys"), "accesskey-create", [("Create.ClientToken", token)]),
            new(false, true, Segment(["LTAInokey"]).Select(k => $"/accesskeys/{k}/delete"), "accesskey-delete", [("Input.Key", ["LTAInokey"])]),
            new(false, true, WithQuery("/messages", [("page", page)]), "messages", [("Input.Read", ["1", "999999"]), ("Input.All", ["true", "false"]), ("Input.Page", page)]),
            new(false, true, Gen.Elements(orders).Select(o => $"/orders/{o}/pay"), "pay", [("Input.Method", ["Balance", "Alipay", "UnionPay"]), ("Input.ClientToken", token)]),
            new(false, true, Gen.Elements(orders).Select(o => $"/orders/{o}/pay"), "cancel", [("Input.ClientToken", token)]),
            new(false, true, Segment(names.Products).SelectMany(p => WithQuery($"/purchase/{p}/details", [("region", names.Regions), ("spec", names.Specs), ("months", months), ("quantity", ["1", "2147483647"])])), "purchase",
                [("Input.Region", names.Regions), ("Input.Spec", names.Specs), ("Input.Billing", ["Subscription", "PayAsYouGo"]), ("Input.Months", months), ("Input.Quantity", ["1", "100", "2147483647"]),
                 ("Input.Name", ["fuzz"]), ("Input.Auto", ["true", "false"]), ("Input.Period", months), ("Input.Coupon", ["none", "best", "1"]), ("Input.ClientToken", token)]),
            new(false, true, WithQuery("/renew", [("ids", ids), ("months", months)]), "renew",
                [("Input.Ids", ids), ("Input.Ids", ids), ("Input.Months", months), ("Input.Day", ["1", "28", "31"]), ("Input.Coupon", ["none", "best"]), ("Input.ClientToken", token)]),
            new(false, true, WithQuery("/renewal-method", [("ids", ids)]), "method", [("Input.Ids", ids), ("Input.Method", ["ManualRenewal", "AutoRenewal", "NotRenewal"]), ("Input.Period", months)]),
            new(false, true, At("/settings"), "password", [("Input.Current", ["wrong-password"]), ("Input.New", ["Fuzz-2026!new"]), ("Input.Confirm", ["Fuzz-2026!new"])]),
            new(false, true, At("/service-center/suggestions"), "suggestion", [("Input.Product", ["ecs"]), ("Input.Text", ["More regions, please."]), ("Input.ClientToken", token)]),
            new(false, true, At("/topup"), "topup", [("Input.Amount", ["100", "500"]), ("Input.CustomAmount", ["0.01", "100000000", "1.005"]), ("Input.Method", ["Alipay", "UnionPay"]), ("Input.ClientToken", token)]),
            new(false, true, WithQuery("/costs/orders", [("page", page)]), "cancel-order", [("Input.OrderId", orders)]),
            // The GET forms and the paged lists: an address is input too.
            new(false, false, Segment(names.Products).SelectMany(p => WithQuery($"/purchase/{p}", [("region", names.Regions), ("spec", names.Specs), ("billing", ["Subscription"]), ("months", months), ("quantity", ["1"]), ("name", ["x"]), ("auto", ["true"]), ("period", months), ("coupon", ["best"])])), null, []),
            new(false, false, Segment(["manage", "urgent"]).SelectMany(e => Segment(names.Products).SelectMany(p => Segment(names.Regions).SelectMany(r =>
                WithQuery($"/renewals/{e}/{p}/{r}", [("q", ["blog"]), ("tab", ["AutoRenewal", "ManualRenewal"]), ("expiry", ["AllTimes", "Urgent", "Custom"]), ("page", page)])))), null, []),
            new(false, false, WithQuery("/renew", [("ids", ids), ("months", months), ("day", ["1", "31"]), ("coupon", ["best"]), ("back", ["/my", "//evil.example"])]), null, []),
            new(false, false, WithQuery("/costs/vouchers", [("amount", ["100.00"]), ("product", names.Products), ("state", ["Available", "UsedUp"]), ("type", ["New"]), ("page", page)]), null, []),
            new(false, false, WithQuery("/costs/orders", [("type", ["New", "Renew"]), ("status", ["Unpaid", "Paid"]), ("page", page)]), null, []),
            new(false, false, WithQuery("/costs/transactions", [("page", page)]), null, []),
            new(false, false, WithQuery("/messages", [("page", page)]), null, []),
            new(false, false, Segment(names.Regions).SelectMany(r => WithQuery($"/instances/{r}", [("page", page)])), null, []),
        ];
    }

    private static Gen<FormCall> Calls(Form[] forms) => Gen.OneOf(forms.Select(form =>
        from path in form.Path
        from fields in FuzzInputs.Fields(form.Fields, megabyte: true)
        from validToken in Gen.Frequency((19, Gen.Constant(true)), (1, Gen.Constant(false)))
        select new FormCall(form.Anonymous, form.Post, path, form.Handler, fields, validToken)));

    [Fact]
    public async Task Generated_form_posts_and_addresses_get_a_page_or_a_problem_and_refusals_change_nothing()
    {
        var count = FuzzInputs.Requests(1000);
        var seed = FuzzInputs.Seed();
        var names = await FuzzInputs.RealNames(fixture.Services);
        var calls = Calls(Forms(names));
        using var customer = new AppSession(fixture.Server.Address, signedIn: true);
        using var nobody = new AppSession(fixture.Server.Address, signedIn: false);
        await customer.Start();
        await nobody.Start();
        var state = await FuzzInputs.StateHash(fixture.Services);
        var answered = new Dictionary<int, int>();
        var ct = TestContext.Current.CancellationToken;

        foreach (var call in FuzzInputs.Stream(calls, seed, count))
        {
            var session = call.Anonymous ? nobody : customer;
            using var request = new HttpRequestMessage(call.Post ? HttpMethod.Post : HttpMethod.Get, call.Path);
            if (call.Post)
            {
                var fields = new List<FuzzField>();
                if (call.Handler is { } handler)
                    fields.Add(new FuzzField("_handler", handler));
                fields.Add(new FuzzField("__RequestVerificationToken", call.ValidToken ? session.Token : "forged-token"));
                fields.AddRange(call.Fields);
                request.Content = new StringContent(FuzzInputs.FormEncode(fields), Encoding.UTF8, "application/x-www-form-urlencoded");
            }
            using var response = await session.Http.SendAsync(request, ct);
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync(ct);
            var type = response.Content.Headers.ContentType?.MediaType ?? "";
            string Failure(string what) =>
                $"{what} (seed {seed}): {(call.Post ? "POST" : "GET")} {call.Path} {call.Handler} token={call.ValidToken} {FuzzInputs.Describe(call.Fields)}\nanswered {status} {type} {response.Headers.Location}: {(text.Length > 300 ? text[..300] : text)}\n"
                + string.Join('\n', fixture.Server.Log.Split('\n').Where(l => l.StartsWith("fail:", StringComparison.Ordinal)).TakeLast(3));
            answered[status] = answered.GetValueOrDefault(status) + 1;

            Assert.True(status < 500, Failure("A 5xx"));
            if (status is >= 300 and < 400)
            {
                // Blazor's navigation answers with the absolute address of the same site.
                var location = response.Headers.Location?.OriginalString ?? "";
                var local = location.StartsWith('/') && !location.StartsWith("//", StringComparison.Ordinal) && !location.StartsWith("/\\", StringComparison.Ordinal);
                var same = Uri.TryCreate(location, UriKind.Absolute, out var absolute) && absolute.Authority == fixture.Server.Address.Authority;
                Assert.True(local || same, Failure("A redirect off the site"));
            }
            var refused = status >= 400;
            if (refused)
                Assert.True(type is "text/html" or "application/problem+json" && text.Length > 0, Failure("A refusal that is neither a page nor problem+json"));
            var after = await FuzzInputs.StateHash(fixture.Services);
            if (refused || !call.Post)
                Assert.True(state == after, Failure(refused ? "A refused request changed the database" : "A GET changed the database"));
            state = after;

            // A request that was let through may have signed the session in or out: start it again.
            if (call.Post && !refused)
                await session.Start();
        }

        Assert.True(answered.Keys.Any(s => s >= 400), "No request was refused: " + string.Join(", ", answered));
    }
}
