using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;
using Cloudbill.Core;
using Cloudbill.Core.Accounts;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Renewals;
using Cloudbill.Core.Suggestions;
using Cloudbill.Core.TopUps;
using Cloudbill.Server.App.Shared;
using Cloudbill.Server.Hosting;
using Cloudbill.Server.OpenApi;
using Cloudbill.Server.Tests.App;
using Cloudbill.Server.Tests.OpenApi;
using Cloudbill.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cloudbill.Server.Tests.Security;

/// <summary>
/// Tenant isolation, generated from what the server serves: every page of the Blazor route
/// table, every endpoint of the app's endpoint data sources and every action of the API's
/// action table has an entry below. Customer B calls each with customer A's ids (instances,
/// orders, gateway payments, coupons, AccessKeys, messages, ledger postings) and gets the same
/// "not found" answer as for an id that exists nowhere (same status, same body but for the id),
/// nothing of A's in it, and A's data (and everything else) unchanged. A page, endpoint or
/// action added without an entry fails <see cref="Every_page_endpoint_and_API_action_has_an_isolation_entry"/>.
/// </summary>
public sealed class TenantIsolationTests
{
    /// <summary>The kinds of a customer's ids a request can name.</summary>
    public enum IdKind { Instance, Order, Payment, Coupon, AccessKey, Message, Posting }

    /// <summary>How a request reaches the server: a page or endpoint over HTTP with B's session, or a signed API action with B's AccessKey.</summary>
    public sealed record Request(string Method, string Path, IReadOnlyList<KeyValuePair<string, string>>? Form = null, string? Handler = null, bool FollowRedirect = false);

    /// <summary>One way to name another customer's id: built for A's id and for an id that exists nowhere, the answers must agree.</summary>
    public sealed record Probe(string Name, IdKind Kind, Func<TenantIds, string, Request> Build, int? ExpectedStatus = null, string? ExpectedText = null);

    /// <summary>
    /// A page's "not found": the page explains it with a 400 (ProblemResults.SetStatus: .NET sends
    /// a routed component's 404 without a body). Endpoints answer 404 problem+json, the API 404
    /// with the service's *.NotFound code (docs/api.md).
    /// </summary>
    private const int PageNotFound = 400;

    private const int EndpointNotFound = 404;

    /// <summary>What every refusal of a missing id says, in the services' words (OrderErrors, RenewalErrors, CouponErrors, PaymentErrors, AccessKeyErrors, NotificationErrors).</summary>
    private static readonly Regex NotFoundMessage = new("was not found in your|is not one of your vouchers|There is no payment", RegexOptions.CultureInvariant);

    /// <summary>One API action named with an id; the parameters are signed with B's AccessKey.</summary>
    public sealed record ApiProbe(string Name, IdKind Kind, Func<TenantIds, string, Dictionary<string, string>> Parameters, int ExpectedStatus = 404, string? ExpectedText = null);

    /// <summary>
    /// A page, endpoint or action: the probes that name a customer's id, or why it names none
    /// (with a sample request B makes anyway, when it is a safe read, to check A's data does not show).
    /// </summary>
    public sealed record Entry(IReadOnlyList<Probe> Probes, string? NoCustomerId = null, Request? Sample = null);

    public sealed record ApiEntry(IReadOnlyList<ApiProbe> Probes, string? NoCustomerId = null, Dictionary<string, string>? Sample = null);

    /// <summary>B's own instance and the renewal form's fixed fields, for the requests that name only one of A's ids.</summary>
    public sealed record TenantIds(string OwnInstance);

    private static Entry Ids(params Probe[] probes) => new(probes);

    /// <summary>The provider API answers the provider's cloud only: a customer's cookie or AccessKey is 401 there (ProviderApiTests).</summary>
    private const string StaffOnly = "the operator console: staff only, by their own cookie; a customer's session is sent to the staff sign-in (OperatorConsoleTests)";

    private const string ProviderOnly = "the provider's cloud only, by provider key; a customer's session or AccessKey gets 401 (ProviderApiTests)";

    private static Entry None(string reason, string? samplePath = null) =>
        new([], reason, samplePath is null ? null : new Request("GET", samplePath));

    private static Request Get(string path) => new("GET", path);

    private static Request Post(string path, string handler, params (string Name, string Value)[] fields) =>
        new("POST", path, fields.Select(f => KeyValuePair.Create(f.Name, f.Value)).ToList(), handler);

    private static string Token() => ClientToken.New().Value;

    private static string Q(string value) => Uri.EscapeDataString(value);

    /// <summary>Every page template of the Blazor route table, with how it is called with A's ids.</summary>
    public static readonly IReadOnlyDictionary<string, Entry> Pages = new Dictionary<string, Entry>(StringComparer.Ordinal)
    {
        ["/"] = None("the caller's own console", "/"),
        ["/accesskeys"] = Ids(
            new Probe("disable A's AccessKey", IdKind.AccessKey, (_, id) => Post("/accesskeys", "accesskey-state", ("Input.Command", "disable:" + id))),
            new Probe("enable A's AccessKey", IdKind.AccessKey, (_, id) => Post("/accesskeys", "accesskey-state", ("Input.Command", "enable:" + id)))),
        ["/accesskeys/{KeyId}/delete"] = Ids(
            new Probe("show A's AccessKey for deletion", IdKind.AccessKey, (_, id) => Get($"/accesskeys/{Q(id)}/delete")),
            new Probe("delete A's AccessKey", IdKind.AccessKey, (_, id) => Post($"/accesskeys/{Q(id)}/delete", "accesskey-delete", ("Input.Key", id)))),
        ["/costs"] = None("the caller's own costs", "/costs"),
        ["/costs/forecast"] = None("the caller's own coming renewals", "/costs/forecast"),
        ["/costs/orders"] = Ids(
            new Probe("cancel A's order from the order list", IdKind.Order, (_, id) => Post("/costs/orders", "cancel-order", ("Input.OrderId", id)))),
        ["/costs/spending"] = None("the caller's own spending", "/costs/spending"),
        ["/costs/transactions"] = None("the caller's own ledger", "/costs/transactions"),
        ["/costs/vouchers"] = None("the caller's own vouchers", "/costs/vouchers"),
        ["/costs/vouchers/{CouponId:long}"] = Ids(
            new Probe("show A's voucher", IdKind.Coupon, (_, id) => Get($"/costs/vouchers/{id}"))),
        ["/discover"] = None("the catalog, the same for everyone", "/discover"),
        ["/error"] = None("the error page names nothing of anyone's"),
        ["/instances"] = None("the caller's own instances", "/instances"),
        ["/instances/{RegionId}"] = None("a region of the catalog; the caller's own instances in it", "/instances/cn-hangzhou"),
        ["/messages"] = Ids(
            new Probe("mark A's message read", IdKind.Message, (_, id) => Post("/messages", "messages", ("Input.Read", id), ("Input.Page", "1")))),
        ["/my"] = None("the caller's own account", "/my"),
        ["/not-found"] = None("the not-found page names nothing", "/not-found"),
        ["/orders/{OrderId:long}/pay"] = Ids(
            new Probe("show A's order for payment", IdKind.Order, (_, id) => Get($"/orders/{id}/pay")),
            new Probe("pay A's order from the balance", IdKind.Order, (_, id) => Post($"/orders/{id}/pay", "pay", ("Input.Method", "Balance"), ("Input.ClientToken", Token()))),
            new Probe("pay A's order by Alipay", IdKind.Order, (_, id) => Post($"/orders/{id}/pay", "pay", ("Input.Method", "Alipay"), ("Input.ClientToken", Token()))),
            new Probe("cancel A's order", IdKind.Order, (_, id) => Post($"/orders/{id}/pay", "cancel"))),
        ["/orders/{OrderId:long}/result"] = Ids(
            new Probe("show A's order's result", IdKind.Order, (_, id) => Get($"/orders/{id}/result"))),
        ["/payments/{OutTradeNo}"] = Ids(
            new Probe("show A's gateway payment", IdKind.Payment, (_, id) => Get($"/payments/{Q(id)}"))),
        ["/purchase"] = None("the catalog", "/purchase"),
        ["/purchase/categories"] = None("the catalog", "/purchase/categories"),
        ["/purchase/{ProductCode}"] = None("a product of the catalog; the coupon choice is only carried to Expense Details", "/purchase/ecs"),
        ["/purchase/{ProductCode}/details"] = Ids(
            new Probe("quote a purchase with A's coupon", IdKind.Coupon, (_, id) => Get($"/purchase/ecs/details?region=cn-hangzhou&spec=ecs.g7.large&months=1&coupon={id}")),
            new Probe("buy with A's coupon", IdKind.Coupon, (_, id) => Post("/purchase/ecs/details", "purchase",
                ("Input.Region", "cn-hangzhou"), ("Input.Spec", "ecs.g7.large"), ("Input.Billing", PurchaseSelection.Subscription), ("Input.Months", "1"),
                ("Input.Quantity", "1"), ("Input.Name", "b-web"), ("Input.Auto", "false"), ("Input.Period", ""), ("Input.Coupon", id), ("Input.ClientToken", Token())))),
        ["/renew"] = Ids(
            new Probe("quote a renewal of A's instance", IdKind.Instance, (_, id) => Get($"/renew?ids={Q(id)}&months=1")),
            new Probe("renew A's instance", IdKind.Instance, (_, id) => Post($"/renew?ids={Q(id)}&months=1", "renew", ("Input.Ids", id), ("Input.Months", "1"), ("Input.Day", ""), ("Input.Coupon", "none"), ("Input.ClientToken", Token()))),
            new Probe("quote B's renewal with A's coupon", IdKind.Coupon, (b, id) => Get($"/renew?ids={Q(b.OwnInstance)}&months=1&coupon={id}")),
            new Probe("renew B's instance with A's coupon", IdKind.Coupon, (b, id) => Post($"/renew?ids={Q(b.OwnInstance)}&months=1&coupon={id}", "renew", ("Input.Ids", b.OwnInstance), ("Input.Months", "1"), ("Input.Day", ""), ("Input.Coupon", id), ("Input.ClientToken", Token())))),
        ["/renew/coupons"] = Ids(
            new Probe("list the coupons for A's instance", IdKind.Instance, (_, id) => Get($"/renew/coupons?ids={Q(id)}&months=1")),
            new Probe("list B's coupons choosing A's", IdKind.Coupon, (b, id) => Get($"/renew/coupons?ids={Q(b.OwnInstance)}&months=1&coupon={id}"))),
        ["/renewal-method"] = Ids(
            new Probe("show A's instance's renewal method", IdKind.Instance, (_, id) => Get($"/renewal-method?ids={Q(id)}")),
            new Probe("stop A's instance's renewal", IdKind.Instance, (_, id) => Post($"/renewal-method?ids={Q(id)}", "method", ("Input.Ids", id), ("Input.Method", "NotRenewal"))),
            new Probe("turn on auto-renewal of A's instance", IdKind.Instance, (_, id) => Post($"/renewal-method?ids={Q(id)}", "method", ("Input.Ids", id), ("Input.Method", "AutoRenewal"), ("Input.Period", "1"))),
            new Probe("change B's and A's instance at once", IdKind.Instance, (b, id) => Post($"/renewal-method?ids={Q(b.OwnInstance)}&ids={Q(id)}", "method", ("Input.Ids", b.OwnInstance), ("Input.Ids", id), ("Input.Method", "NotRenewal")))),
        ["/renewals/{Entry}"] = None("the caller's own renewals by product", "/renewals/manage"),
        ["/renewals/{Entry}/{ProductCode}"] = None("the caller's own renewals of a product", "/renewals/urgent/ecs"),
        ["/renewals/{Entry}/{ProductCode}/{RegionId}"] = Ids(
            new Probe("search for A's instance", IdKind.Instance, (_, id) => Get($"/renewals/manage/ecs/cn-hangzhou?q={Q(id)}"), ExpectedStatus: 200, ExpectedText: "No instances match these filters.")),
        ["/service-center"] = None("help pages", "/service-center"),
        ["/service-center/suggestions"] = None("a new suggestion of the caller's; suggestions are never shown back to customers", "/service-center/suggestions"),
        ["/service-center/suggestions/thanks"] = None("a thank-you page", "/service-center/suggestions/thanks"),
        ["/settings"] = None("the caller's own password and language", "/settings"),
        ["/signin"] = None("anonymous sign-in"),
        ["/operator"] = None(StaffOnly, "/operator?q=a"),
        ["/operator/customers/{AccountId:long}"] = None(StaffOnly, "/operator/customers/1"),
        ["/operator/denied"] = None(StaffOnly, "/operator/denied"),
        ["/operator/coupons"] = None(StaffOnly, "/operator/coupons"),
        ["/operator/overview"] = None(StaffOnly, "/operator/overview"),
        ["/operator/instances"] = None(StaffOnly, "/operator/instances"),
        ["/operator/signin"] = None("anonymous staff sign-in"),
        ["/signup"] = None("anonymous sign-up"),
        ["/topup"] = None("a new top-up of the caller's", "/topup"),
    };

    /// <summary>Every endpoint outside the pages ("METHODS pattern"), with how it is called with A's ids.</summary>
    public static readonly IReadOnlyDictionary<string, Entry> Endpoints = new Dictionary<string, Entry>(StringComparer.Ordinal)
    {
        ["GET /payments/{outTradeNo}/checkout"] = Ids(
            new Probe("resume A's checkout", IdKind.Payment, (_, id) => Get($"/payments/{Q(id)}/checkout"))),
        ["GET, POST /payments/unionpay/return"] = Ids(
            new Probe("come back from UnionPay naming A's payment", IdKind.Payment, (_, id) => new Request("GET", $"/payments/unionpay/return?orderId={Q(id)}", FollowRedirect: true), PageNotFound),
            new Probe("come back from UnionPay by POST naming A's payment", IdKind.Payment, (_, id) => new Request("POST", "/payments/unionpay/return", [KeyValuePair.Create("orderId", id)], FollowRedirect: true), PageNotFound)),
        ["GET /payments/alipay/return"] = None("verified by Alipay's signature; it only names a trade and sends the browser to /payments/{OutTradeNo}, probed above"),
        ["POST /payments/alipay/notify"] = None("no session: Alipay's signature authenticates it (the signature tests cover it)"),
        ["POST /payments/unionpay/notify"] = None("no session: UnionPay's signature authenticates it (the signature tests cover it)"),
        ["POST /signout"] = None("ends the caller's own session"),
        ["POST /operator/signout"] = None(StaffOnly),
        ["GET /operator/overview.csv"] = None(StaffOnly + "; finance only, every customer's figures by design"),
        ["POST /culture"] = None("the caller's own language"),
        ["* /healthz"] = None("the server's health", "/healthz"),
        ["GET /provider/v1/instances/{id}"] = None(ProviderOnly),
        ["POST /provider/v1/instances/{id}/created"] = None(ProviderOnly),
        ["POST /provider/v1/instances/{id}/failed"] = None(ProviderOnly),
        ["POST /provider/v1/instances/{id}/deleted"] = None(ProviderOnly),
        ["PATCH /provider/v1/instances/{id}"] = None(ProviderOnly),
        ["POST /provider/v1/import"] = None(ProviderOnly),
        ["* /provider/v1/{**rest}"] = None("answers 404 Provider.NoSuchEndpoint to anyone; names nobody's data"),
        ["* /readyz"] = None("whether this node can take traffic: the database, the schema and the engine's lag, no customer's data", "/readyz"),
        ["GET, POST /"] = None("the BSS API's one endpoint: the AccessKey's signature names the caller, and each action is probed in Actions below"),
        ["GET, HEAD {**path:file}"] = None("static files (the development fallback of static web assets)"),
        ["GET /_framework/opaque-redirect"] = None("Blazor's enhanced navigation redirect; it names no id"),
        ["GET, POST /sandbox/alipay/gateway.do"] = None("the simulated Alipay, playing the gateway; not Cloudbill's customer data"),
        ["GET /sandbox/alipay/cashier/{id}"] = None("the simulated Alipay's cashier"),
        ["POST /sandbox/alipay/cashier/{id}"] = None("the simulated Alipay's cashier"),
        ["POST /sandbox/unionpay/gateway/api/frontTransReq.do"] = None("the simulated UnionPay, playing the gateway"),
        ["POST /sandbox/unionpay/gateway/api/backTransReq.do"] = None("the simulated UnionPay, playing the gateway"),
        ["POST /sandbox/unionpay/gateway/api/queryTrans.do"] = None("the simulated UnionPay, playing the gateway"),
        ["GET /sandbox/unionpay/cashier/{id}"] = None("the simulated UnionPay's cashier"),
        ["POST /sandbox/unionpay/cashier/{id}"] = None("the simulated UnionPay's cashier"),
        ["GET /sandbox/"] = None("the sandbox's own page"),
        ["GET /sandbox/switches"] = None("the sandbox's switches"),
        ["POST /sandbox/switches"] = None("the sandbox's switches"),
        ["GET /sandbox/notifications"] = None("the sandbox's delivery log"),
        ["POST /sandbox/cloud/webhooks"] = None("the simulated cloud's webhook receiver: takes only what Cloudbill signed"),
        ["GET /sandbox/cloud/events"] = None("the simulated cloud's own record of what it received (Development only), as a provider's cloud holds it"),
        ["GET /sandbox/cloud/resources"] = None("the simulated cloud's own resources (Development only), as a provider's cloud holds them"),
    };

    private static Dictionary<string, string> P(params (string Name, string Value)[] values) => values.ToDictionary(v => v.Name, v => v.Value);

    /// <summary>Every action of <see cref="BssActions.All"/>, with how it is called with A's ids (docs/api.md: a missing id is a 404 with the service's *.NotFound code).</summary>
    public static readonly IReadOnlyDictionary<string, ApiEntry> Actions = new Dictionary<string, ApiEntry>(StringComparer.Ordinal)
    {
        ["QueryAccountBalance"] = new([], "the caller's own balance", P()),
        ["QueryAvailableInstances"] = new(
            [new("list A's instance by id", IdKind.Instance, (_, id) => P(("InstanceIDs", id)), ExpectedStatus: 200, ExpectedText: "\"TotalCount\":0")],
            Sample: P()),
        ["RenewInstance"] = new(
            [new("renew A's instance", IdKind.Instance, (_, id) => P(("InstanceId", id), ("ProductCode", "ecs"), ("RenewPeriod", "1"), ("ClientToken", Token())))]),
        ["SetRenewal"] = new(
            [
                new("stop A's instance's renewal", IdKind.Instance, (_, id) => P(("InstanceIDs", id), ("ProductCode", "ecs"), ("RenewalStatus", "NotRenewal"))),
                new("change B's and A's instance at once", IdKind.Instance, (b, id) => P(("InstanceIDs", b.OwnInstance + "," + id), ("ProductCode", "ecs"), ("RenewalStatus", "AutoRenewal"), ("RenewalPeriod", "1"))),
            ]),
        ["SetAllExpirationDay"] = new([], "renews the caller's own ECS instances; it takes no instance id"),
        ["CreateInstance"] = new([], "creates a new instance of the caller's; it takes no existing id"),
        ["GetSubscriptionPrice"] = new(
            [new("price a renewal of A's instance", IdKind.Instance, (_, id) => P(("InstanceId", id), ("ProductCode", "ecs"), ("SubscriptionType", "Subscription"),
                ("OrderType", "Renewal"), ("ModuleList.1.ModuleCode", "InstanceType"), ("ModuleList.1.Config", "InstanceType:ecs.g7.large")))]),
        ["QueryOrders"] = new([], "the caller's own orders; it filters by no id", P()),
        ["GetOrderDetail"] = new([new("read A's order", IdKind.Order, (_, id) => P(("OrderId", id)))]),
        ["CancelOrder"] = new([new("cancel A's order", IdKind.Order, (_, id) => P(("OrderId", id)))]),
        ["QueryCashCoupons"] = new([], "the caller's own coupons; it filters by no id", P()),
        ["QueryProductList"] = new([], "the catalog", P(("PageNum", "1"))),
        ["QueryAccountTransactions"] = new(
            [new("find A's ledger posting by number", IdKind.Posting, (_, id) => P(("TransactionNumber", id)), ExpectedStatus: 200, ExpectedText: "\"TotalCount\":0")],
            Sample: P()),
    };

    // ---- The coverage: what the server serves equals what the tables above cover. ----

    /// <summary>The page templates of the server's components (the Blazor route table).</summary>
    private static IReadOnlySet<string> PageTemplates() =>
        typeof(ServerHost).Assembly.GetTypes()
            .Where(t => typeof(IComponent).IsAssignableFrom(t))
            .SelectMany(t => t.GetCustomAttributes<RouteAttribute>().Select(r => r.Template))
            .ToHashSet(StringComparer.Ordinal);

    private static string EndpointKey(RouteEndpoint endpoint) =>
        (endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>() is { } methods ? string.Join(", ", methods.HttpMethods) : "*")
        + " " + endpoint.RoutePattern.RawText;

    /// <summary>Static files (the stylesheet, scripts, icons, Blazor's own script): nobody's data.</summary>
    private static bool IsStaticAsset(Microsoft.AspNetCore.Http.Endpoint endpoint) =>
        endpoint.Metadata.Any(m => m.GetType().FullName == "Microsoft.AspNetCore.StaticAssets.StaticAssetDescriptor");

    /// <summary>The built app's endpoints: the pages (component endpoints) and everything else, static files left out.</summary>
    private static (IReadOnlySet<string> Pages, IReadOnlySet<string> Others) EndpointsOf(WebApplication app)
    {
        var endpoints = app.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints)
            .Concat(((IEndpointRouteBuilder)app).DataSources.SelectMany(s => s.Endpoints))
            .OfType<RouteEndpoint>()
            .Where(e => !IsStaticAsset(e))
            .Distinct()
            .ToList();
        var pages = endpoints.Where(e => e.Metadata.GetMetadata<ComponentTypeMetadata>() is not null).Select(e => e.RoutePattern.RawText!).ToHashSet(StringComparer.Ordinal);
        var others = endpoints.Where(e => e.Metadata.GetMetadata<ComponentTypeMetadata>() is null).Select(EndpointKey).ToHashSet(StringComparer.Ordinal);
        return (pages, others);
    }

    private static void AssertCovers(string what, IEnumerable<string> served, IEnumerable<string> covered)
    {
        var missing = served.Except(covered, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var stale = covered.Except(served, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0 && stale.Count == 0,
            $"The tenant isolation table of {what} does not match what the server serves.\n"
            + (missing.Count == 0 ? "" : $"Served but without an entry (add how B calls it with A's id, or why it names no customer's id): {string.Join(", ", missing)}\n")
            + (stale.Count == 0 ? "" : $"Entries for nothing served (remove them): {string.Join(", ", stale)}\n"));
    }

    [Fact]
    public async Task Every_page_endpoint_and_API_action_has_an_isolation_entry()
    {
        await using var host = await IsolationHost.Build(DatabaseProvider.Sqlite, start: false);
        var (pages, others) = EndpointsOf(host.App);

        AssertCovers("pages (the Blazor route table)", PageTemplates(), Pages.Keys);
        // The route table and the endpoints the app maps for it agree: no page is served that the table misses.
        AssertCovers("pages (the app's component endpoints)", pages, Pages.Keys);
        AssertCovers("endpoints", others, Endpoints.Keys);
        AssertCovers("API actions (BssActions.All)", BssActions.All.Keys, Actions.Keys);
        foreach (var (name, entry) in Pages.Concat(Endpoints))
            Assert.True(entry.Probes.Count > 0 != entry.NoCustomerId is not null, $"{name}: either probes or a reason it names no customer's id, not both.");
        foreach (var (name, entry) in Actions)
            Assert.True(entry.Probes.Count > 0 != entry.NoCustomerId is not null, $"{name}: either probes or a reason it names no customer's id, not both.");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Customer_B_naming_customer_A_ids_anywhere_gets_not_found_and_changes_nothing(DatabaseProvider provider)
    {
        await using var host = await IsolationHost.Build(provider, start: true);
        var services = host.Services;
        var a = await Arrange(host, services, "a");
        var b = await Arrange(host, services, "b");
        var tenant = new TenantIds(b.Instances[0]);
        var missing = await MissingIds(services);

        using var session = await Session.SignIn(host.Address, b.Email, AccountTestData.Password);
        using var api = new BssTestClient(host.Address, b.Key.AccessKeyId, b.Key.AccessKeySecret);
        var before = await State(services);
        var aBefore = await AccountState(services, a.AccountId);
        var failures = new List<string>();
        var probes = 0;

        async Task Check(string name, IdKind kind, int expectedStatus, string? expectedText, Func<string, Task<Answer>> call)
        {
            var absent = missing[kind];
            var none = await call(absent);
            foreach (var id in a.Of(kind))
            {
                probes++;
                var answer = await call(id);
                var label = $"{name} ({kind} {id})";
                if (answer.Status != expectedStatus)
                    failures.Add($"{label}: {answer.Status}, expected {expectedStatus}:\n{Excerpt(answer.Body)}");
                else if (Normalize(answer, id) != Normalize(none, absent))
                    failures.Add($"{label}: the answer differs from the one for an id that does not exist ({absent}):\n{Diff(Normalize(answer, id), Normalize(none, absent))}");
                if (expectedText is not null && !answer.Body.Contains(expectedText, StringComparison.Ordinal))
                    failures.Add($"{label}: the answer lacks {expectedText}:\n{Excerpt(answer.Body)}");
                if (expectedStatus >= 400 && !NotFoundMessage.IsMatch(answer.Body))
                    failures.Add($"{label}: the answer does not say the id was not found:\n{Excerpt(answer.Body)}");
                if (a.Secrets.Where(s => s != id).FirstOrDefault(s => answer.Body.Contains(s, StringComparison.Ordinal) || (answer.Location ?? "").Contains(s, StringComparison.Ordinal)) is { } leaked)
                    failures.Add($"{label}: the answer shows A's {leaked}");
            }
        }

        foreach (var (template, entry, notFound) in Pages.Select(p => (p.Key, p.Value, PageNotFound)).Concat(Endpoints.Select(e => (e.Key, e.Value, EndpointNotFound))))
        {
            foreach (var probe in entry.Probes)
                await Check($"{template}: {probe.Name}", probe.Kind, probe.ExpectedStatus ?? notFound, probe.ExpectedText, id => session.Send(probe.Build(tenant, id)));
            if (entry.Sample is { } sample)
            {
                var answer = await session.Send(sample);
                if (answer.Status >= 500 || answer.Status == 404)
                    failures.Add($"{template}: B's own {sample.Path} answers {answer.Status}");
                if (a.Secrets.FirstOrDefault(s => answer.Body.Contains(s, StringComparison.Ordinal)) is { } leaked)
                    failures.Add($"{template}: B's own {sample.Path} shows A's {leaked}");
            }
        }
        foreach (var (action, entry) in Actions)
        {
            foreach (var probe in entry.Probes)
                await Check($"{action}: {probe.Name}", probe.Kind, probe.ExpectedStatus, probe.ExpectedText, async id => Answer.From(await api.Call(action, probe.Parameters(tenant, id))));
            if (entry.Sample is { } sample)
            {
                var answer = Answer.From(await api.Call(action, sample));
                if (answer.Status != 200)
                    failures.Add($"{action}: B's own call answers {answer.Status}: {Excerpt(answer.Body)}");
                if (a.Secrets.FirstOrDefault(s => answer.Body.Contains(s, StringComparison.Ordinal)) is { } leaked)
                    failures.Add($"{action}: B's own call shows A's {leaked}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of the isolation checks failed:\n\n" + string.Join("\n\n", failures)
            + "\n\nThe server logged:\n" + string.Join("\n", host.Failures()));
        // Every kind of id was tried, for each of A's rows of that kind.
        Assert.True(probes >= 60, $"Only {probes} probes ran.");
        Assert.Equal(aBefore, await AccountState(services, a.AccountId));
        Assert.Equal(before, await State(services));
        Assert.Empty(host.Failures());
    }

    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    // ---- The two customers and their rows. ----

    /// <summary>A customer with a row of every kind a request can name, and every text of theirs that must not show to another.</summary>
    private sealed record Tenant(long AccountId, string Email, IReadOnlyList<string> Instances, IReadOnlyList<string> Orders, IReadOnlyList<string> Payments,
        IReadOnlyList<string> Coupons, IReadOnlyList<string> Keys, IReadOnlyList<string> Messages, IReadOnlyList<string> Postings, AccessKeyPair Key, IReadOnlyList<string> Texts)
    {
        public IReadOnlyList<string> Of(IdKind kind) => kind switch
        {
            IdKind.Instance => Instances,
            IdKind.Order => Orders,
            IdKind.Payment => Payments,
            IdKind.Coupon => Coupons,
            IdKind.AccessKey => Keys,
            IdKind.Message => Messages,
            IdKind.Posting => Postings,
        };

        /// <summary>What of this customer's must not show in another's answers: ids that are not plain numbers, names and texts.</summary>
        public IEnumerable<string> Secrets => Instances.Concat(Payments).Concat(Keys).Append(Email).Concat(Texts);
    }

    private static async Task<Tenant> Arrange(IsolationHost host, TestServices services, string who)
    {
        var now = services.Clock.GetUtcNow();
        var accountId = await services.Customer("1000.00");
        var email = await services.EmailOf(accountId);
        var manual = await services.Instance(accountId, now.AddDays(20), name: $"{who}-secret-web-{Guid.NewGuid():N}"[..24]);
        var auto = await services.Instance(accountId, now.AddDays(45), RenewalMethod.AutoRenewal, 1, name: $"{who}-secret-db-{Guid.NewGuid():N}"[..23]);
        var unfrozen = await services.Coupon(accountId, who == "a" ? "37.00" : "11.00");
        var frozen = await services.Coupon(accountId, who == "a" ? "23.00" : "13.00");

        var (unpaid, paid, orderTrade, topUpTrade, pair, disabled) = await host.Run(async sp =>
        {
            var renewals = sp.GetRequiredService<RenewalService>();
            var unpaid = (await renewals.Place(accountId, [manual.Id], RenewalTerm.ForMonths(1), ClientToken.New(), CouponChoice.Use(frozen.Id), CancellationToken.None)).Value;
            var paid = (await renewals.RenewNow(accountId, [auto.Id], RenewalTerm.ForMonths(1), ClientToken.New(), CouponChoice.None, CancellationToken.None)).Value.Order;
            var orderTrade = (await sp.GetRequiredService<GatewayCheckouts>().StartOrderPayment(accountId, unpaid.Id, "Alipay", PaymentDevice.Phone, Token(), CancellationToken.None)).Value.Payment.OutTradeNo;
            var topUpTrade = (await sp.GetRequiredService<TopUpCheckouts>().Start(accountId, "88.00", "UnionPay", PaymentDevice.Phone, Token(), CancellationToken.None)).Value.Payment.OutTradeNo;
            var keys = sp.GetRequiredService<AccessKeyService>();
            // The account came with one pair (whose secret only its creator saw): that one is disabled, a second signs A's own calls.
            var disabled = Assert.Single(await keys.List(accountId, CancellationToken.None)).Id;
            var pair = (await keys.CreateForCustomer(accountId, ClientToken.New(), CancellationToken.None)).Value;
            Assert.True((await keys.SetEnabled(accountId, disabled, false, CancellationToken.None)).Succeeded);
            return (unpaid, paid, orderTrade, topUpTrade, pair, disabled);
        });
        var title = $"{who}-secret-message-{Guid.NewGuid():N}"[..30];
        var message = await services.Message(accountId, NotificationKind.ExpiryReminder, title, now, manual.Id, unpaid.Id);
        var suggestion = $"{who}-secret-suggestion-{Guid.NewGuid():N}";
        await services.Run<SuggestionService, Result<Suggestion>>((s, ct) => s.Submit(accountId, "rds", suggestion, ClientToken.New(), ct));

        // A posting of the paid renewal, as QueryAccountTransactions numbers it.
        using var own = new BssTestClient(host.Address, pair.AccessKeyId, pair.AccessKeySecret);
        var (status, statement, _) = await own.Call("QueryAccountTransactions", P());
        Assert.Equal(200, status);
        var postings = statement.GetProperty("Data").GetProperty("AccountTransactionsList").GetProperty("AccountTransactionsList").EnumerateArray()
            .Select(t => t.GetProperty("TransactionNumber").GetString()!).ToList();
        Assert.NotEmpty(postings);

        return new Tenant(accountId, email, [manual.Id, auto.Id], [unpaid.Id.ToString(CultureInfo.InvariantCulture), paid.Id.ToString(CultureInfo.InvariantCulture)], [orderTrade, topUpTrade],
            [unfrozen.Id.ToString(CultureInfo.InvariantCulture), frozen.Id.ToString(CultureInfo.InvariantCulture)], [pair.AccessKeyId, disabled], [message.Id.ToString(CultureInfo.InvariantCulture)], postings.Take(2).ToList(), pair,
            [manual.Name, auto.Name, unfrozen.Name, frozen.Name, title, suggestion]);
    }

    /// <summary>An id of each kind that exists for no one, shaped like a real one.</summary>
    private static async Task<Dictionary<IdKind, string>> MissingIds(TestServices services)
    {
        var catalog = services.Services.GetRequiredService<ProductCatalog>();
        var (orders, coupons, messages, postings) = await services.Query(async db => (
            await db.Orders.MaxAsync(o => o.Id), await db.Coupons.MaxAsync(c => c.Id), await db.Notifications.MaxAsync(n => n.Id), await db.Postings.MaxAsync(p => p.Id)));
        return new Dictionary<IdKind, string>
        {
            [IdKind.Instance] = InstanceIds.New(catalog.GetProduct("ecs").InstanceIdPrefix),
            [IdKind.Order] = (orders + 1000).ToString(CultureInfo.InvariantCulture),
            [IdKind.Payment] = "CB" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(13)),
            [IdKind.Coupon] = (coupons + 1000).ToString(CultureInfo.InvariantCulture),
            [IdKind.AccessKey] = "LTAI5t" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(9)),
            [IdKind.Message] = (messages + 1000).ToString(CultureInfo.InvariantCulture),
            [IdKind.Posting] = (postings + 1000).ToString(CultureInfo.InvariantCulture),
        };
    }

    // ---- What must not change. ----

    /// <summary>A's rows a request could change: balance, orders, instances, coupons, gateway payments, AccessKeys, read marks, suggestions, sign-in.</summary>
    private static async Task<string> AccountState(TestServices services, long accountId)
    {
        var balance = await services.Balance(accountId);
        var rows = await services.Query(async db =>
        {
            var lines = new List<string> { $"B {balance.Cash} {balance.Overdue} {balance.AvailableCredit}" };
            lines.AddRange((await db.Orders.AsNoTracking().Where(o => o.AccountId == accountId).OrderBy(o => o.Id).ToListAsync())
                .Select(o => $"O {o.Id} {o.Status} {o.Payable} {o.CouponId} {o.CancelReason} {o.PaidAt?.UtcTicks}"));
            lines.AddRange((await db.Instances.AsNoTracking().Where(i => i.AccountId == accountId).OrderBy(i => i.Id).ToListAsync())
                .Select(i => $"I {i.Id} {i.ExpiresAt?.UtcTicks} {i.RenewalMethod} {i.AutoRenewPeriodMonths} {i.UnpaidOrderId} {i.Provisioning} {i.ReleasedAt?.UtcTicks} {i.Version}"));
            lines.AddRange((await db.Coupons.AsNoTracking().Where(c => c.AccountId == accountId).OrderBy(c => c.Id).ToListAsync())
                .Select(c => $"C {c.Id} {c.Remaining} {c.FrozenByOrderId}"));
            lines.AddRange((await db.GatewayPayments.AsNoTracking().Where(p => p.AccountId == accountId).OrderBy(p => p.Id).ToListAsync())
                .Select(p => $"G {p.OutTradeNo} {p.State} {p.Amount} {p.OrderId}"));
            lines.AddRange((await db.AccessKeys.AsNoTracking().Where(k => k.BillingAccountId == accountId).OrderBy(k => k.Id).ToListAsync())
                .Select(k => $"K {k.Id} {k.Enabled} {k.DeletedAt?.UtcTicks}"));
            lines.AddRange((await db.Notifications.AsNoTracking().Where(n => n.AccountId == accountId).OrderBy(n => n.Id).ToListAsync())
                .Select(n => $"N {n.Id} {n.ReadAt?.UtcTicks}"));
            lines.AddRange((await db.Suggestions.AsNoTracking().Where(s => s.AccountId == accountId).OrderBy(s => s.Id).ToListAsync())
                .Select(s => $"S {s.Id} {s.Text}"));
            return lines;
        });
        Assert.Contains(rows, l => l.StartsWith("G ", StringComparison.Ordinal));
        return string.Join("\n", rows);
    }

    /// <summary>Everything: a refused request changes no one's rows, B's included.</summary>
    private static async Task<string> State(TestServices services) =>
        await services.AccountSnapshot() + "\n" + await services.Query(async db =>
            string.Join("\n", (await db.GatewayPayments.AsNoTracking().OrderBy(p => p.Id).ToListAsync()).Select(p => $"G {p.OutTradeNo} {p.State} {p.Version}")));

    // ---- Answers, compared without what differs by design. ----

    public sealed record Answer(int Status, string? Location, string ContentType, string Body)
    {
        public static Answer From((int Status, System.Text.Json.JsonElement Body, string ContentType) api) =>
            new(api.Status, null, api.ContentType, api.Body.GetRawText());
    }

    /// <summary>
    /// An answer as compared: the id named replaced (when it is not a bare number, which could
    /// also be part of other numbers), request ids, antiforgery and client tokens removed, and
    /// every number made one (a page shows times and B's own amounts; what must not differ is
    /// everything else: the status, the message, the markup).
    /// </summary>
    private static string Normalize(Answer answer, string id)
    {
        var text = $"{answer.Status} {answer.ContentType} {answer.Location}\n{answer.Body}";
        text = Regex.Replace(text, "(name=\"(?:__RequestVerificationToken|[A-Za-z.]*ClientToken)\"\\s+value=\")[^\"]*\"", "$1\"");
        text = Regex.Replace(text, "\"(?:requestId|traceId|RequestId)\"\\s*:\\s*\"[^\"]*\"", "\"requestId\":\"\"");
        if (!id.All(char.IsAsciiDigit))
            text = text.Replace(id, "{id}", StringComparison.Ordinal).Replace(Uri.EscapeDataString(id), "{id}", StringComparison.Ordinal);
        return Regex.Replace(text, "[0-9]+", "#");
    }

    /// <summary>The part of an answer worth reading: a page's alert, else its start.</summary>
    private static string Excerpt(string body)
    {
        var alert = body.IndexOf("role=\"alert\"", StringComparison.Ordinal);
        var start = alert < 0 ? 0 : Math.Max(0, alert - 200);
        return body.Length - start <= 1500 ? body[start..] : body.Substring(start, 1500) + "…";
    }

    private static string Diff(string one, string other)
    {
        var a = one.Split('\n');
        var b = other.Split('\n');
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var x = i < a.Length ? a[i] : "(end)";
            var y = i < b.Length ? b[i] : "(end)";
            if (x != y)
                return $"line {i + 1}:\n  with A's id: {Excerpt(x)}\n  missing id:  {Excerpt(y)}";
        }
        return "(equal)";
    }

    /// <summary>A browser's session as plain HTTP: the cookies, and an antiforgery token from a page's form.</summary>
    private sealed class Session : IDisposable
    {
        private readonly HttpClient http;
        private string token = "";

        private Session(Uri address)
        {
            http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        }

        public static async Task<Session> SignIn(Uri address, string email, string password)
        {
            var session = new Session(address);
            var page = await session.Send(new Request("GET", "/signin"));
            var signedIn = await session.Send(new Request("POST", "/signin", [KeyValuePair.Create("Input.Email", email), KeyValuePair.Create("Input.Password", password)], "signin") with { }, TokenOf(page.Body));
            Assert.True(signedIn.Status == 302 && signedIn.Location == "/", $"Sign-in as {email}: {signedIn.Status} {signedIn.Location}\n{Excerpt(signedIn.Body)}");
            // A signed-in page's token: the token is bound to the user.
            session.token = TokenOf((await session.Send(new Request("GET", "/accesskeys"))).Body);
            return session;
        }

        private static string TokenOf(string html) =>
            Regex.Match(html, "name=\"__RequestVerificationToken\"\\s+value=\"([^\"]+)\"") is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : throw new InvalidOperationException("No antiforgery token in the page:\n" + Excerpt(html));

        public Task<Answer> Send(Request request) => Send(request, token);

        private async Task<Answer> Send(Request request, string antiforgery)
        {
            using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Path);
            message.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,*/*;q=0.8");
            if (request.Method == "POST")
            {
                var fields = new List<KeyValuePair<string, string>>(request.Form ?? []);
                if (request.Handler is not null)
                    fields.Add(KeyValuePair.Create("_handler", request.Handler));
                fields.Add(KeyValuePair.Create("__RequestVerificationToken", antiforgery));
                message.Content = new FormUrlEncodedContent(fields);
            }
            using var response = await http.SendAsync(message);
            var body = await response.Content.ReadAsStringAsync();
            // The app's own redirects, as a path: the server's address is the same for every answer.
            var location = response.Headers.Location is { } l ? (l.IsAbsoluteUri && l.Authority == http.BaseAddress!.Authority ? l.PathAndQuery : l.OriginalString) : null;
            if (request.FollowRedirect && (int)response.StatusCode is 301 or 302 or 303 && location is not null)
            {
                var next = await Send(new Request("GET", location), antiforgery);
                return next with { Location = location + " → " + next.Location };
            }
            return new Answer((int)response.StatusCode, location, response.Content.Headers.ContentType?.MediaType ?? "", body);
        }

        public void Dispose() => http.Dispose();
    }

    /// <summary>The real web host in this process (its endpoints are read from it) on a test database, with the services to arrange and check.</summary>
    private sealed class IsolationHost : IAsyncDisposable
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> failures = new();

        public required WebApplication App { get; init; }
        public required TestDatabase Database { get; init; }
        public Uri Address { get; private init; } = null!;
        public TestServices Services { get; private set; } = null!;
        private bool started;

        public IReadOnlyList<string> Failures() => failures.ToList();

        public static async Task<IsolationHost> Build(DatabaseProvider provider, bool start)
        {
            var database = await TestDatabase.Create(provider);
            var port = CloudbillProcess.FreePort();
            IsolationHost? host = null;
            var app = ServerHost.Build(["--urls", $"http://127.0.0.1:{port}"], builder =>
            {
                // The sandbox plays the gateways, so A can have pending gateway payments; nothing but
                // B's requests may change the database between the snapshots (no engine, no poller).
                InProcessServer.Configure(builder, database);
                builder.Logging.AddProvider(new FailureLog(message => host?.failures.Enqueue(message)));
            });
            host = new IsolationHost { App = app, Database = database, Address = new Uri($"http://127.0.0.1:{port}") };
            if (start)
            {
                await ServerHost.Prepare(app.Services, app.Logger, TestContext.Current.CancellationToken);
                await app.StartAsync(TestContext.Current.CancellationToken);
                host.started = true;
                host.Services = await TestServices.Start(database, DateTimeOffset.UtcNow);
            }
            return host;
        }

        /// <summary>A use case on the server's own services (the gateways are configured there).</summary>
        public async Task<T> Run<T>(Func<IServiceProvider, Task<T>> action)
        {
            await using var scope = App.Services.CreateAsyncScope();
            return await action(scope.ServiceProvider);
        }

        public async ValueTask DisposeAsync()
        {
            if (Services is not null)
                await Services.DisposeServicesOnly();
            if (started)
                await App.StopAsync();
            await App.DisposeAsync();
            await Database.DisposeAsync();
        }
    }

    /// <summary>Errors the server logs: B's requests must cause none.</summary>
    private sealed class FailureLog(Action<string> record) : Microsoft.Extensions.Logging.ILoggerProvider, Microsoft.Extensions.Logging.ILogger
    {
        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => this;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel >= Microsoft.Extensions.Logging.LogLevel.Error;
        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                record($"{logLevel}: {formatter(state, exception)} {exception}");
        }
        public void Dispose()
        {
        }
    }
}
