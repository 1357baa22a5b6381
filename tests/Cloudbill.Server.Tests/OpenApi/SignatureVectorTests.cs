using System.Text;
using Cloudbill.Server.OpenApi;

namespace Cloudbill.Server.Tests.OpenApi;

/// <summary>Requests captured from the official SDK 4.1.1 (V3 and V1), secret `testSecret`: every vector reproduced.</summary>
public class SignatureVectorTests
{
    private const string Secret = "testSecret";
    private const string SignedHeaders = "host;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version";

    private static List<(string, string)> Headers(string action, string date, string nonce, string payloadHash = BssSignatures.EmptyPayloadHash, string? contentType = null)
    {
        var headers = new List<(string, string)>();
        if (contentType is not null)
            headers.Add(("content-type", contentType));
        headers.AddRange([
            ("host", "127.0.0.1:18080"),
            ("x-acs-action", action),
            ("x-acs-content-sha256", payloadHash),
            ("x-acs-credentials-provider", "static_ak"),
            ("x-acs-date", date),
            ("x-acs-signature-nonce", nonce),
            ("x-acs-version", "2017-12-14"),
        ]);
        return headers;
    }

    private static string V3(string rawQuery, List<(string, string)> headers, string payloadHash = BssSignatures.EmptyPayloadHash)
    {
        var canonical = BssSignatures.V3CanonicalRequest("POST", BssSignatures.CanonicalQuery(BssSignatures.ParseQuery(rawQuery)), headers, payloadHash);
        return BssSignatures.V3Signature(Secret, BssSignatures.V3StringToSign(canonical));
    }

    [Fact]
    public void The_worked_example_QueryAvailableInstances_gives_its_canonical_request_string_to_sign_and_signature()
    {
        const string query = "?CreateTimeStart=2024-01-01T00%3A00%3A00Z&EndTimeEnd=2025-12-31T23%3A59%3A59Z&InstanceIDs=i-abc123%2Ci-def456&PageNum=1&PageSize=20&ProductCode=rds&ProductType=rds&Region=cn-hangzhou&RenewStatus=ManualRenewal&SubscriptionType=Subscription";
        var headers = Headers("QueryAvailableInstances", "2026-11-26T11:45:31Z", "9f26eb1a736085c885a59ca10f71253cf44a534cbabb050cb8bba31b155ce4c1");
        var canonicalQuery = BssSignatures.CanonicalQuery(BssSignatures.ParseQuery(query));
        Assert.Equal(query[1..], canonicalQuery);

        var canonical = BssSignatures.V3CanonicalRequest("POST", canonicalQuery, headers, BssSignatures.EmptyPayloadHash);
        Assert.Equal(
            "POST\n/\n" + query[1..] + "\nhost:127.0.0.1:18080\nx-acs-action:QueryAvailableInstances\n"
            + "x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nx-acs-credentials-provider:static_ak\n"
            + "x-acs-date:2026-11-26T11:45:31Z\nx-acs-signature-nonce:9f26eb1a736085c885a59ca10f71253cf44a534cbabb050cb8bba31b155ce4c1\nx-acs-version:2017-12-14\n\n"
            + SignedHeaders + "\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            canonical);
        Assert.Equal("ACS3-HMAC-SHA256\n4d6236d749975b6c5551164a297d71c522d8530f92273e68927e55e4d81c65b7", BssSignatures.V3StringToSign(canonical));
        Assert.Equal("dd928c56dff5242402c5aedfa6725ea3ef370da794924572be297c6564e83236", V3(query, headers));
    }

    [Fact]
    public void QueryAccountBalance_without_parameters_signs_an_empty_query_line()
    {
        var headers = Headers("QueryAccountBalance", "2026-11-26T11:45:31Z", "20e8dea18ce19107cc2fa975ee12befc8645d43fcbf5556f470fc2f496813a90");
        Assert.Equal("c620b8c947376827961dac4b84397937ebaac5c5b94c55a810694cacc9bb984c", V3("", headers));
    }

    [Fact]
    public void Special_characters_are_decoded_from_the_wire_and_re_encoded_per_RFC_3986()
    {
        const string wire = "?PageNum=1&ProductCode=a%20b*c!d%27e(f)g~h%2Bi%2Fj%3Ak%3Dl%26m%E4%B8%AD";
        Assert.Equal("PageNum=1&ProductCode=a%20b%2Ac%21d%27e%28f%29g~h%2Bi%2Fj%3Ak%3Dl%26m%E4%B8%AD", BssSignatures.CanonicalQuery(BssSignatures.ParseQuery(wire)));
        var headers = Headers("QueryAvailableInstances", "2026-11-26T11:45:31Z", "8bb03be8dc160ca10f8ec072eb8b8057648b68c3a952d39c5637d7dfbeba9d58");
        var canonical = BssSignatures.V3CanonicalRequest("POST", BssSignatures.CanonicalQuery(BssSignatures.ParseQuery(wire)), headers, BssSignatures.EmptyPayloadHash);
        Assert.Equal("ACS3-HMAC-SHA256\nde7940aea82c3efcbc20a13b3fd9d995f548538ce5484087b16612e9e78811b6", BssSignatures.V3StringToSign(canonical));
        Assert.Equal("c35f8cc6614f994a916640188d4052617ee2b1b2ac72fa54789378776072a57d", V3(wire, headers));
    }

    [Fact]
    public void A_form_body_is_covered_by_its_payload_hash_and_not_by_the_canonical_query()
    {
        var body = Encoding.UTF8.GetBytes("BillingCycle=2024-01&MaxResults=10&ProductCode.1=rds&ProductCode.2=ecs");
        var hash = BssSignatures.PayloadHash(body);
        Assert.Equal("c253de96c6959f4763171ebbd63b8a5a6738ee9bab821ee78d792169caebdd28", hash);
        var headers = Headers("DescribeProductAmortizedCostByConsumePeriod", "2026-11-26T11:45:31Z", "44c704a920279f271ca69dd0113a3b09ebf1684ea9afef40be9429cbbac586b9", hash, "application/x-www-form-urlencoded");
        Assert.Equal("b64dfeb57f5bca27efb7dd649fea4d109b7c850fa86c37ceef534f215d8fdd69", V3("", headers, hash));
    }

    [Fact]
    public void Keys_sort_in_ordinal_order_so_item_10_follows_item_1()
    {
        var query = BssSignatures.ParseQuery("ModuleList.10.Config=b&ModuleList.1.Config=a&ModuleList.2.Config=c");
        Assert.Equal("ModuleList.1.Config=a&ModuleList.10.Config=b&ModuleList.2.Config=c", BssSignatures.CanonicalQuery(query));
    }

    [Fact]
    public void The_V1_example_QueryAccountBalance_gives_its_string_to_sign_and_signature()
    {
        const string wire = "?Action=QueryAccountBalance&Format=json&Version=2017-12-14&Timestamp=2026-11-26T11%3A45%3A44Z&SignatureNonce=88544eb65e74f0ef4645428822377a29cc932a93fbbd7eb6e9bbeeb32692a6d3&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&AccessKeyId=testAKID&Signature=gO2y8YmAafxTw8fbg0iIQpJlJoE%3D";
        var parameters = BssSignatures.ParseQuery(wire);
        var stringToSign = BssSignatures.V1StringToSign("POST", parameters);
        Assert.Equal(
            "POST&%2F&AccessKeyId%3DtestAKID%26Action%3DQueryAccountBalance%26Format%3Djson%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D88544eb65e74f0ef4645428822377a29cc932a93fbbd7eb6e9bbeeb32692a6d3%26SignatureVersion%3D1.0%26Timestamp%3D2026-11-26T11%253A45%253A44Z%26Version%3D2017-12-14",
            stringToSign);
        Assert.Equal("gO2y8YmAafxTw8fbg0iIQpJlJoE=", BssSignatures.V1Signature(Secret, stringToSign));
        Assert.Equal(parameters.Single(p => p.Key == "Signature").Value, BssSignatures.V1Signature(Secret, stringToSign));
    }

    [Fact]
    public void A_wrong_secret_matches_none_of_the_vectors()
    {
        var headers = Headers("QueryAccountBalance", "2026-11-26T11:45:31Z", "20e8dea18ce19107cc2fa975ee12befc8645d43fcbf5556f470fc2f496813a90");
        var canonical = BssSignatures.V3CanonicalRequest("POST", "", headers, BssSignatures.EmptyPayloadHash);
        Assert.False(BssSignatures.SameSignature(BssSignatures.V3Signature("wrongSecret", BssSignatures.V3StringToSign(canonical)), "c620b8c947376827961dac4b84397937ebaac5c5b94c55a810694cacc9bb984c"));
        Assert.False(BssSignatures.SameSignature("gO2y8YmAafxTw8fbg0iIQpJlJoE=", BssSignatures.V1Signature("wrongSecret", "POST&%2F&x")));
    }
}
