using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cloudbill.Core.Persistence;
using Cloudbill.Server.OpenApi;
using Cloudbill.Server.Tests.OpenApi;
using Cloudbill.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace Cloudbill.Server.Tests.Fuzz;

/// <summary>A real server on a fresh SQLite database with the demo customer, throttling off so the fuzz reaches every action.</summary>
public sealed class BssFuzzFixture : IAsyncLifetime
{
    private TestDatabase? database;

    public RunningServer Server { get; private set; } = null!;
    public TestServices Services { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        Server = await RunningServer.Start(database, new Dictionary<string, string>
        {
            // Nothing but the requests may change the database between two hashes: no engine, no
            // payment poller, and a bought instance stays Creating for the whole run (the simulated
            // provider would otherwise mark it Normal in the background, between two hashes).
            ["Cloudbill__Engine__IntervalSeconds"] = "0",
            ["Cloudbill__Payments__PollerIntervalSeconds"] = "0",
            ["Cloudbill__Provisioning__SimulatedDelaySeconds"] = "3600",
            ["Cloudbill__Api__ThrottlingEnabled"] = "false",
            // Unsigned and garbage requests fail their signature from one address: past the limit they would
            // all be 429 Throttling.SignatureFailures before the signature is even checked (BssCraftedInputTests and the API tests try the limit).
            ["Cloudbill__RateLimits__ApiSignatureFailures__Requests"] = "1000000",
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

/// <summary>The API's fuzz and crafted-input tests share one server and run one after another: a hash compares the database before and after each request.</summary>
[CollectionDefinition(Name)]
public sealed class BssFuzzCollection : ICollectionFixture<BssFuzzFixture>
{
    public const string Name = "BSS fuzz server";
}

/// <summary>
/// Point 3 of issue 19: thousands of generated requests (FsCheck) to every BSS action of
/// <see cref="BssActions.All"/>, most of them properly signed (V3) so that they reach the action,
/// with wrong types, extreme numbers, megabyte strings, Unicode edge cases, duplicated and missing
/// parameters and injection strings; and some unsigned or garbage ones. Every answer is below 500
/// and in the BSS shape (an error has Code, Message and RequestId), and a refused request leaves
/// the ledger, orders, instances and coupons as they were (a hash of their rows before and after).
/// CI sends 1000; a million: `CLOUDBILL_FUZZ_REQUESTS=1000000 dotnet test --project tests/Cloudbill.Server.Tests -- --filter-class '*FuzzTests*'`
/// (CLOUDBILL_FUZZ_SEED repeats a run; a failure names its seed).
/// </summary>
[Collection(BssFuzzCollection.Name)]
public class BssApiFuzzTests(BssFuzzFixture fixture)
{
    /// <summary>Each action's parameters as BssActions reads them, with values that make sense for the demo customer.</summary>
    private static Dictionary<string, (string Name, string[] Plausible)[]> Parameters(FuzzInputs.Names names)
    {
        var page = new[] { "1", "2", "2147483647" };
        var size = new[] { "1", "10", "20", "100", "300", "301", "0" };
        var time = new[] { "2026-01-01T00:00:00Z", "2030-12-31T23:59:59Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T00:00Z" };
        var ids = names.InstanceIds.Append(string.Join(',', names.InstanceIds.Take(3))).ToArray();
        var orders = names.OrderIds.Concat(["1", "999999", "0"]).ToArray();
        var renewal = new[] { "AutoRenewal", "ManualRenewal", "NotRenewal" };
        var charge = new[] { "Subscription", "PayAsYouGo" };
        var spec = names.Specs.Select(s => $"InstanceType:{s}").ToArray();
        return new()
        {
            ["QueryAccountBalance"] = [],
            ["QueryAvailableInstances"] =
            [
                ("PageNum", page), ("PageSize", size), ("RenewStatus", renewal), ("SubscriptionType", charge), ("EndTimeStart", time),
                ("EndTimeEnd", time), ("InstanceIDs", ids), ("ProductCode", names.Products), ("Region", names.Regions),
                ("CreateTimeStart", time), ("CreateTimeEnd", time),
            ],
            ["RenewInstance"] = [("InstanceId", names.InstanceIds), ("ProductCode", names.Products), ("RenewPeriod", ["1", "12", "36", "5"]), ("ClientToken", ["fuzz-token-1", "fuzz-token-2"])],
            ["SetRenewal"] = [("InstanceIDs", ids), ("ProductCode", names.Products), ("RenewalStatus", renewal), ("RenewalPeriod", ["1", "12", "100"]), ("RenewalPeriodUnit", ["M", "Y"])],
            ["SetAllExpirationDay"] = [("UnifyExpireDay", ["1", "15", "28"])],
            ["CreateInstance"] =
            [
                ("ProductCode", names.Products), ("SubscriptionType", charge), ("Parameter.1.Code", ["Region", "InstanceType", "Quantity"]),
                ("Parameter.1.Value", names.Regions), ("Parameter.2.Code", ["InstanceType", "Region"]), ("Parameter.2.Value", names.Specs),
                ("Parameter.3.Code", ["Quantity", "Region"]), ("Parameter.3.Value", ["1", "1000", "2147483647"]), ("Period", ["1", "12"]),
                ("PricingCycle", ["1", "2"]), ("RenewalStatus", renewal), ("RenewPeriod", ["1", "12"]), ("ClientToken", ["fuzz-create-1"]),
            ],
            ["GetSubscriptionPrice"] =
            [
                ("ProductCode", names.Products), ("SubscriptionType", charge), ("OrderType", ["NewOrder", "Renewal"]),
                ("ModuleList.1.ModuleCode", ["InstanceType"]), ("ModuleList.1.Config", spec), ("Quantity", ["1", "1000"]),
                ("ServicePeriodQuantity", ["1", "12", "1200"]), ("ServicePeriodUnit", ["Month", "Year"]), ("InstanceId", names.InstanceIds),
                ("Region", names.Regions),
            ],
            ["QueryOrders"] =
            [
                ("OrderType", ["New", "Renew", "Upgrade", "Refund"]), ("PaymentStatus", ["Unpaid", "Paid", "Cancelled"]), ("SubscriptionType", charge),
                ("PageNum", page), ("PageSize", size), ("CreateTimeStart", time), ("CreateTimeEnd", time), ("ProductCode", names.Products),
            ],
            ["GetOrderDetail"] = [("OrderId", orders)],
            ["CancelOrder"] = [("OrderId", orders)],
            ["QueryCashCoupons"] = [("EffectiveOrNot", ["true", "false"]), ("ExpiryTimeStart", time), ("ExpiryTimeEnd", time)],
            ["QueryProductList"] = [("PageNum", page), ("PageSize", size)],
            ["QueryAccountTransactions"] =
            [
                ("PageNum", page), ("PageSize", size), ("CreateTimeStart", time), ("CreateTimeEnd", time), ("TransactionFlow", ["Income", "Expense"]),
                ("TransactionType", ["Payment", "Withdraw", "Refund", "Consumption", "Transfer", "Adjust"]), ("TransactionNumber", ["1", "2"]), ("RecordID", ["1"]),
            ],
        };
    }

    /// <summary>One generated call: how it is sent, to which action, with which fields.</summary>
    public sealed record Call(string Kind, string Action, FuzzField[] Fields, bool InBody);

    private static Gen<Call> Calls(Dictionary<string, (string Name, string[] Plausible)[]> parameters)
    {
        var signed = parameters.Select(a =>
            from fields in FuzzInputs.Fields(a.Value, megabyte: true)
            from inBody in Gen.Elements(true, false)
            select new Call("signed", a.Key, fields, inBody)).ToArray();
        var unknownAction =
            from action in Gen.Frequency((1, Gen.Elements(FuzzInputs.Injections)), (1, FuzzInputs.RandomText), (1, Gen.Constant("queryaccountbalance")))
            select new Call("signed", action, [], false);
        var garbage =
            from kind in Gen.Elements("unsigned", "bad-signature", "wrong-version", "garbage-authorization", "get-v1", "binary-body")
            from action in Gen.Elements(parameters.Keys.ToArray())
            from fields in FuzzInputs.Fields(parameters[action], megabyte: false)
            select new Call(kind, action, fields, false);
        return Gen.Frequency((17, Gen.OneOf(signed)), (1, unknownAction), (2, garbage));
    }

    [Fact]
    public async Task Generated_requests_to_every_action_get_a_4xx_in_the_BSS_shape_and_change_nothing_when_refused()
    {
        var count = FuzzInputs.Requests(1000);
        var seed = FuzzInputs.Seed();
        var names = await FuzzInputs.RealNames(fixture.Services);
        var calls = Calls(Parameters(names));
        using var http = new HttpClient { BaseAddress = fixture.Server.Address, Timeout = TimeSpan.FromSeconds(60) };
        var state = await FuzzInputs.StateHash(fixture.Services);
        var answered = new Dictionary<string, int>(StringComparer.Ordinal);
        var reached = 0;

        foreach (var call in FuzzInputs.Stream(calls, seed, count))
        {
            using var request = Build(call, fixture.Server.Address);
            using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            string Failure(string what) =>
                $"{what} (seed {seed}): {call.Kind} {call.Action} {FuzzInputs.Describe(call.Fields)}\nanswered {status}: {(text.Length > 500 ? text[..500] : text)}\n"
                + string.Join('\n', fixture.Server.Log.Split('\n').Where(l => l.StartsWith("fail:", StringComparison.Ordinal)).TakeLast(3));

            Assert.True(status < 500, Failure("A 5xx"));
            JsonElement body;
            try
            {
                body = JsonDocument.Parse(text).RootElement;
            }
            catch (JsonException)
            {
                Assert.Fail(Failure("Not JSON"));
                throw;
            }
            var code = body.TryGetProperty("Code", out var c) ? c.GetString() : null;
            Assert.True(!string.IsNullOrEmpty(code), Failure("No Code"));
            var key = $"{status} {code}";
            answered[key] = answered.GetValueOrDefault(key) + 1;

            var after = await FuzzInputs.StateHash(fixture.Services);
            if (status == 200)
            {
                Assert.Equal("Success", code);
                Assert.True(body.GetProperty("Success").GetBoolean(), Failure("A 200 that is no success"));
            }
            else
            {
                Assert.True(status is >= 400 and < 500, Failure("Neither success nor a 4xx"));
                Assert.True(body.TryGetProperty("Message", out var m) && !string.IsNullOrWhiteSpace(m.GetString()), Failure("No Message"));
                Assert.True(body.TryGetProperty("RequestId", out var r) && !string.IsNullOrWhiteSpace(r.GetString()), Failure("No RequestId"));
                Assert.True(state == after, Failure("A refused request changed the database"));
            }
            // Past the signature: the action itself answered (a success or its own refusal).
            if (status == 200 || code is "MissingParameter" or "InvalidParameter" || code!.Contains('.', StringComparison.Ordinal) && !code.StartsWith("Invalid", StringComparison.Ordinal))
                reached++;
            state = after;
        }

        // The fuzz is worth something only if most requests got past the signature to the actions.
        Assert.True(reached > count / 2, $"Only {reached} of {count} requests reached an action (seed {seed}): " + string.Join(", ", answered.Select(kv => $"{kv.Key}: {kv.Value}")));
        Assert.Contains(answered.Keys, k => k.StartsWith("200 ", StringComparison.Ordinal));
        Assert.Contains(answered.Keys, k => k.StartsWith("400 InvalidParameter", StringComparison.Ordinal));
    }

    private static HttpRequestMessage Build(Call call, Uri server)
    {
        // Long values go in the body: an address longer than the web server's limit never reaches the API.
        var inQuery = call.InBody ? [] : call.Fields.Where(f => f.Name.Length + f.Value.Length < 200).ToArray();
        var inBody = call.Fields.Except(inQuery).ToArray();
        var raw = FuzzInputs.FormEncode(inQuery);
        switch (call.Kind)
        {
            case "get-v1":
                return new HttpRequestMessage(HttpMethod.Get, $"/?Action={FuzzInputs.Escape(call.Action)}&Version={BssOpenApi.Version}&AccessKeyId={BssTestClient.DemoAccessKeyId}&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&SignatureNonce=1&Timestamp=2026-01-01T00%3A00%3A00Z&Signature=x&{raw}");
            case "unsigned":
                return Unsigned(call.Action, raw, inBody);
            case "binary-body":
                var binary = Unsigned(call.Action, raw, []);
                binary.Content = new ByteArrayContent(RandomNumberGenerator.GetBytes(512));
                binary.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
                return binary;
        }
        var body = inBody.Length > 0 ? Encoding.UTF8.GetBytes(FuzzInputs.FormEncode(inBody)) : [];
        var payloadHash = BssSignatures.PayloadHash(body);
        var version = call.Kind == "wrong-version" ? "2099-01-01" : BssOpenApi.Version;
        var action = new string(call.Action.Where(ch => ch is >= ' ' and <= '~').ToArray());
        const string FormType = "application/x-www-form-urlencoded";
        var headers = new List<(string, string)>();
        // A body's type is signed, as the SDK does (BssTestClient.SignedV3).
        if (body.Length > 0)
            headers.Add(("content-type", FormType));
        headers.AddRange(
        [
            ("host", server.Authority),
            ("x-acs-action", action),
            ("x-acs-content-sha256", payloadHash),
            ("x-acs-date", DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
            ("x-acs-signature-nonce", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))),
            ("x-acs-version", version),
        ]);
        var canonical = BssSignatures.V3CanonicalRequest("POST", BssSignatures.CanonicalQuery(BssSignatures.ParseQuery(raw)), headers, payloadHash);
        var secret = call.Kind == "bad-signature" ? "not-the-secret" : BssTestClient.DemoSecret;
        var signature = BssSignatures.V3Signature(secret, BssSignatures.V3StringToSign(canonical));
        var request = new HttpRequestMessage(HttpMethod.Post, "/" + (raw.Length > 0 ? "?" + raw : ""));
        foreach (var (name, value) in headers.Where(h => h.Item1 is not "host" and not "content-type"))
            request.Headers.TryAddWithoutValidation(name, value);
        request.Headers.TryAddWithoutValidation("Authorization", call.Kind == "garbage-authorization"
            ? $"{BssSignatures.V3Algorithm} Credential=,,SignedHeaders=;;;,Signature=%%%"
            : $"{BssSignatures.V3Algorithm} Credential={BssTestClient.DemoAccessKeyId},SignedHeaders={string.Join(';', headers.Select(h => h.Item1))},Signature={signature}");
        if (body.Length > 0)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(FormType);
        }
        return request;
    }

    private static HttpRequestMessage Unsigned(string action, string raw, FuzzField[] inBody)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/" + (raw.Length > 0 ? "?" + raw : ""));
        request.Headers.TryAddWithoutValidation("x-acs-action", new string(action.Where(ch => ch is >= ' ' and <= '~').ToArray()));
        request.Headers.TryAddWithoutValidation("x-acs-version", BssOpenApi.Version);
        if (inBody.Length > 0)
            request.Content = new StringContent(FuzzInputs.FormEncode(inBody), Encoding.UTF8, "application/x-www-form-urlencoded");
        return request;
    }
}
