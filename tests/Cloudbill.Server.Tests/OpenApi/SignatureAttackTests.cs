using System.Text.Json;
using Cloudbill.Core.Accounts;
using Cloudbill.Core.Audit;
using Cloudbill.Core.Persistence;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Server.Tests.OpenApi;

/// <summary>
/// Requests an attacker could make with what a network path shows (docs/api.md, errors): each is
/// refused with its BSS code before any action runs, nothing changes, and the refusal is in the
/// audit log with the key's account, the address and the request id the answer carried; then
/// `cloudbill audit` shows it.
/// </summary>
public class SignatureAttackTests
{
    private const string DemoEmail = "demo@cloudbill.local";

    private static string? Code(JsonElement body) => body.GetProperty("Code").GetString();

    private static string? RequestId(JsonElement body) => body.GetProperty("RequestId").GetString();

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Every_signature_attack_is_refused_with_its_code_changes_nothing_and_is_in_the_audit_log(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.Create(provider);
        var env = CloudbillProcess.DatabaseSettings(database);
        // Disposed after the server (it drops the database).
        await using var test = await TestServices.Start(database);
        Assert.Equal(0, (await CloudbillProcess.Run(env, "seed-demo")).ExitCode);
        await using var server = await RunningServer.Start(database, new Dictionary<string, string> { ["Cloudbill__Engine__IntervalSeconds"] = "0" });
        var demo = await test.Query(db => db.BillingAccounts.Where(a => a.Email == DemoEmail).Select(a => a.Id).SingleAsync());
        // A key the customer deleted: its secret is still known to whoever copied it.
        var deleted = await test.Run<AccessKeyService, AccessKeyPair>((k, ct) => k.Add(demo, new AccessKeyPair("LTAIdeletedkey000000001", "DeletedSecret0000000000000001"), ct));
        await test.Run<AccessKeyService, Core.Problems.Result<string>>((k, ct) => k.Delete(demo, deleted.AccessKeyId, ct));

        using var client = new BssTestClient(server.Address, BssTestClient.DemoAccessKeyId, BssTestClient.DemoSecret);
        var instances = await client.Call("QueryAvailableInstances", new Dictionary<string, string> { ["PageSize"] = "1" });
        var instanceId = instances.Body.GetProperty("Data").GetProperty("InstanceList")[0].GetProperty("InstanceID").GetString()!;
        var renew = new Dictionary<string, string> { ["InstanceId"] = instanceId, ["ProductCode"] = "ecs", ["RenewPeriod"] = "1" };
        var before = await test.BusinessSnapshot();

        var answers = new List<(string Attack, int Status, JsonElement Body)>();
        async Task Attack(string name, BssTestClient signer, HttpRequestMessage request)
        {
            var (status, body, _) = await signer.Send(request);
            answers.Add((name, status, body));
        }

        using (var wrong = new BssTestClient(server.Address, BssTestClient.DemoAccessKeyId, "NotTheSecret000000000000000001"))
            await Attack("wrong secret", wrong, wrong.SignedV3("RenewInstance", renew));

        var parameter = client.SignedV3("RenewInstance", renew);
        parameter.RequestUri = new Uri(parameter.RequestUri!.ToString().Replace("RenewPeriod=1", "RenewPeriod=12", StringComparison.Ordinal), UriKind.Relative);
        await Attack("parameter changed", client, parameter);

        var header = client.SignedV3("RenewInstance", renew);
        header.Headers.Remove("x-acs-date");
        header.Headers.TryAddWithoutValidation("x-acs-date", DateTimeOffset.UtcNow.AddSeconds(-30).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
        await Attack("header changed", client, header);

        var body = client.SignedV3("RenewInstance", renew, body: "RenewPeriod=1"u8.ToArray());
        // The same signed content-type: only the body's bytes differ from what was signed.
        var signedType = body.Content!.Headers.ContentType;
        body.Content = new ByteArrayContent("RenewPeriod=36"u8.ToArray());
        body.Content.Headers.ContentType = signedType;
        await Attack("body changed", client, body);

        var unsigned = client.SignedV3("RenewInstance", renew);
        var authorization = unsigned.Headers.GetValues("Authorization").Single();
        unsigned.Headers.Remove("Authorization");
        unsigned.Headers.TryAddWithoutValidation("Authorization", authorization.Replace("x-acs-signature-nonce;", "", StringComparison.Ordinal));
        await Attack("required header unsigned", client, unsigned);

        var date = DateTimeOffset.UtcNow;
        var nonce = Guid.NewGuid().ToString("N");
        Assert.Equal(200, (await client.Send(client.SignedV3("QueryAccountBalance", date: date, nonce: nonce))).Status);
        await Attack("replayed nonce", client, client.SignedV3("RenewInstance", renew, date: date, nonce: nonce));

        await Attack("old timestamp", client, client.SignedV3("RenewInstance", renew, date: DateTimeOffset.UtcNow.AddMinutes(-16)));
        await Attack("future timestamp", client, client.SignedV3("RenewInstance", renew, date: DateTimeOffset.UtcNow.AddMinutes(16)));

        using (var unknown = new BssTestClient(server.Address, "LTAInobody0000000000001", "AnySecret00000000000000000001"))
            await Attack("unknown AccessKey", unknown, unknown.SignedV3("RenewInstance", renew));
        using (var gone = new BssTestClient(server.Address, deleted.AccessKeyId, deleted.AccessKeySecret))
            await Attack("deleted AccessKey", gone, gone.SignedV3("RenewInstance", renew));

        Assert.Equal(
        [
            ("wrong secret", 400, "SignatureDoesNotMatch"), ("parameter changed", 400, "SignatureDoesNotMatch"), ("header changed", 400, "SignatureDoesNotMatch"),
            ("body changed", 400, "SignatureDoesNotMatch"), ("required header unsigned", 400, "IncompleteSignature"), ("replayed nonce", 400, "SignatureNonceUsed"),
            ("old timestamp", 400, "InvalidTimeStamp.Expired"), ("future timestamp", 400, "InvalidTimeStamp.Expired"),
            ("unknown AccessKey", 404, "InvalidAccessKeyId.NotFound"), ("deleted AccessKey", 404, "InvalidAccessKeyId.NotFound"),
        ], answers.Select(a => (a.Attack, a.Status, Code(a.Body))));
        Assert.All(answers, a => Assert.False(a.Body.TryGetProperty("Data", out _)));
        Assert.Equal(before, await test.BusinessSnapshot());
        Assert.Equal("5000.00", (await client.Call("QueryAccountBalance")).Body.GetProperty("Data").GetProperty("AvailableCashAmount").GetString());

        // The first refusal of each kind per key and address is written, with the request id its answer carried.
        var rows = await test.Query(db => db.AuditEvents.AsNoTracking().Where(e => e.Kind == AuditEventKind.SignatureRejected).OrderBy(e => e.Id).ToListAsync());
        var firsts = answers.GroupBy(a => (Code(a.Body), a.Attack.Contains("AccessKey", StringComparison.Ordinal) ? a.Attack : "demo")).Select(g => g.First()).ToList();
        Assert.Equal(firsts.Select(a => RequestId(a.Body)), rows.Select(r => r.RequestId));
        Assert.Equal(firsts.Select(a => Code(a.Body)), rows.Select(r => r.Detail.Split(',')[0]));
        Assert.All(rows, r => Assert.Equal(("127.0.0.1", AuditActor.Anonymous), (r.SourceAddress, r.Actor)));
        Assert.Equal([demo, demo, demo, demo, null, demo], rows.Select(r => r.AccountId));
        Assert.Contains("unknown AccessKey LTAInobody0000000000001", rows[4].Detail, StringComparison.Ordinal);
        Assert.Contains($"AccessKey {deleted.AccessKeyId}", rows[5].Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(rows, r => r.Detail.Contains("Secret", StringComparison.Ordinal));

        // The operator reads it with `cloudbill audit`.
        var audit = await CloudbillProcess.Run(env, "audit", "--account", DemoEmail);
        Assert.Equal(0, audit.ExitCode);
        Assert.Contains("SignatureRejected", audit.Output, StringComparison.Ordinal);
        Assert.Contains(RequestId(answers[0].Body)!, audit.Output, StringComparison.Ordinal);
        Assert.Contains("OpeningBalance", audit.Output, StringComparison.Ordinal);
        Assert.Contains("Operator", audit.Output, StringComparison.Ordinal);
        var nobody = await CloudbillProcess.Run(env, "audit", "--account", "nobody@example.com");
        Assert.Equal(2, nobody.ExitCode);
        Assert.Contains("cloudbill: no account has the email 'nobody@example.com'.", nobody.Error, StringComparison.Ordinal);
        var future = await CloudbillProcess.Run(env, "audit", "--since", "2099-01-01");
        Assert.Equal(0, future.ExitCode);
        Assert.Contains("No audit events since 2099-01-01.", future.Output, StringComparison.Ordinal);
    }
}
