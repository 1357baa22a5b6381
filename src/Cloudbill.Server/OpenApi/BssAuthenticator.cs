using System.Globalization;
using System.Runtime.ExceptionServices;
using Cloudbill.Core.Accounts;
using Cloudbill.Core.Persistence;

namespace Cloudbill.Server.OpenApi;

/// <summary>Who signed a request: the AccessKey and the billing account it belongs to.</summary>
public sealed record BssCaller(string AccessKeyId, long AccountId);

/// <summary>What the authenticator needs from a request, so tests can build one without HTTP.</summary>
public sealed record BssSignedRequest(
    string Method,
    string? RawQuery,
    IReadOnlyList<BssParameter> Query,
    IReadOnlyList<BssParameter> Form,
    Func<string, string?> Header,
    ReadOnlyMemory<byte> Body)
{
    /// <summary>The client's address (after a known proxy), for counting its failed signatures.</summary>
    public string? SourceAddress { get; init; }
}

/// <summary>
/// Checks a request's signature (V3 ACS3-HMAC-SHA256 or V1 HMAC-SHA1), its timestamp and its
/// nonce, in that order, so that only a correctly signed request can use up a nonce.
/// </summary>
public sealed class BssAuthenticator(AccessKeyService accessKeys, AccessKeySecrets secrets, CloudbillDbContext db, DatabaseSettings database, BssApiOptions options, Core.Audit.AuditLog audit, TimeProvider clock,
    BssSignatureFailures? failures = null)
{
    private readonly SignatureNonces nonces = SignatureNonces.For(database, db);

    /// <summary>The SDK always signs these; without any of them the signature proves too little.</summary>
    private static readonly string[] RequiredV3Headers = ["host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"];

    public async Task<(BssCaller? Caller, BssError? Error)> Authenticate(BssSignedRequest request, CancellationToken ct)
    {
        var (caller, error, _) = await Authenticate(request, readAlongside: null, ct);
        return (caller, error);
    }

    /// <summary>
    /// Authenticates, and may run <paramref name="readAlongside"/>, an action that changes nothing,
    /// while the key-and-nonce statement is on its way (PostgreSQL, once the database has named the
    /// key's account to this node: docs/decisions/0023), so a read does not queue behind the
    /// nonce's round trip. <c>ReadDone</c> says that it ran for the returned caller and that its
    /// answer stands; when false the caller runs the action itself. On a refusal whatever the read
    /// found is the caller's to discard.
    /// </summary>
    public async Task<(BssCaller? Caller, BssError? Error, bool ReadDone)> Authenticate(BssSignedRequest request, Func<BssCaller, Task>? readAlongside, CancellationToken ct)
    {
        var judged = await Judge(request, readAlongside, ct);
        // Every refusal is counted; the first of a kind and every Nth get an audit row (RepeatedFailures).
        if (judged.Item2 is { } refused)
            await audit.SignatureRejected(ClaimedAccessKeyId(request), refused.Code, ct);
        return judged;
    }

    /// <summary>The AccessKey id a request claims to be signed with (V3 Credential, V1 AccessKeyId), before anything is checked.</summary>
    private static string? ClaimedAccessKeyId(BssSignedRequest request)
    {
        if (request.Header("Authorization") is { } authorization && authorization.StartsWith("ACS3-", StringComparison.Ordinal))
        {
            var credential = authorization.Split(',').Select(p => p.Trim()).FirstOrDefault(p => p.Contains("Credential=", StringComparison.Ordinal));
            return credential?[(credential.IndexOf("Credential=", StringComparison.Ordinal) + "Credential=".Length)..];
        }
        return request.Query.FirstOrDefault(p => p.Key == "AccessKeyId").Value;
    }

    private async Task<(BssCaller?, BssError?, bool)> Judge(BssSignedRequest request, Func<BssCaller, Task>? readAlongside, CancellationToken ct)
    {
        var authorization = request.Header("Authorization");
        if (authorization is not null && authorization.StartsWith("ACS3-", StringComparison.Ordinal))
            return await V3(request, authorization, readAlongside, ct);
        if (IsV1(authorization, request.Query))
            return await V1(request, readAlongside, ct);
        return Denied(BssErrors.IncompleteSignature("The request is not signed: send an ACS3-HMAC-SHA256 Authorization header or the V1 Signature parameters."));
    }

    /// <summary>
    /// Whether a request is checked as a V1 (HMAC-SHA1) one: no V3 Authorization, a Signature
    /// parameter. Its signature covers the parameters only, so what it does must come from them.
    /// </summary>
    public static bool IsV1(string? authorization, IReadOnlyList<BssParameter> query) =>
        !(authorization is not null && authorization.StartsWith("ACS3-", StringComparison.Ordinal)) && query.Any(p => p.Key == "Signature");

    private static (BssCaller?, BssError?, bool) Denied(BssError error) => (null, error, false);

    private async Task<(BssCaller?, BssError?, bool)> V3(BssSignedRequest request, string authorization, Func<BssCaller, Task>? readAlongside, CancellationToken ct)
    {
        if (!authorization.StartsWith(BssSignatures.V3Algorithm + " ", StringComparison.Ordinal))
            return Denied(BssErrors.IncompleteSignature($"Only {BssSignatures.V3Algorithm} is supported among the V3 algorithms."));
        string? credential = null, signedHeaders = null, signature = null;
        foreach (var part in authorization[(BssSignatures.V3Algorithm.Length + 1)..].Split(','))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
                continue;
            var name = part[..equals].Trim();
            var value = part[(equals + 1)..].Trim();
            switch (name)
            {
                case "Credential": credential = value; break;
                case "SignedHeaders": signedHeaders = value; break;
                case "Signature": signature = value; break;
            }
        }
        if (string.IsNullOrEmpty(credential) || string.IsNullOrEmpty(signedHeaders) || string.IsNullOrEmpty(signature))
            return Denied(BssErrors.IncompleteSignature("The Authorization header needs Credential, SignedHeaders and Signature."));

        var names = signedHeaders.Split(';');
        var missing = RequiredV3Headers.FirstOrDefault(h => !names.Contains(h, StringComparer.Ordinal));
        if (missing is not null)
            return Denied(BssErrors.IncompleteSignature($"The header {missing} must be signed (listed in SignedHeaders)."));
        // With a body, content-type decides whether its parameters are read (a form) or not: an
        // unsigned one could be added after signing to slip parameters in. The SDK signs it.
        if (!request.Body.IsEmpty && !names.Contains("content-type", StringComparer.Ordinal))
            return Denied(BssErrors.IncompleteSignature("The header content-type must be signed (listed in SignedHeaders) when the request has a body."));
        var headers = new List<(string, string)>(names.Length);
        foreach (var name in names)
        {
            if (request.Header(name) is not { } value)
                return Denied(BssErrors.IncompleteSignature($"The signed header {name} is missing from the request."));
            headers.Add((name, value));
        }

        var payloadHash = BssSignatures.PayloadHash(request.Body.Span);
        if (!string.Equals(request.Header("x-acs-content-sha256"), payloadHash, StringComparison.Ordinal))
            return Denied(BssErrors.SignatureDoesNotMatch("The x-acs-content-sha256 header is not the SHA-256 of the request body."));

        var canonical = BssSignatures.V3CanonicalRequest(request.Method, BssSignatures.CanonicalQuery(request.Query), headers, payloadHash);
        var stringToSign = BssSignatures.V3StringToSign(canonical);
        return await Verified(credential, request.SourceAddress, secret => BssSignatures.SameSignature(BssSignatures.V3Signature(secret, stringToSign), signature),
            request.Header("x-acs-date")!, request.Header("x-acs-signature-nonce")!, readAlongside, ct);
    }

    private async Task<(BssCaller?, BssError?, bool)> V1(BssSignedRequest request, Func<BssCaller, Task>? readAlongside, CancellationToken ct)
    {
        string? Get(string name) => request.Query.FirstOrDefault(p => p.Key == name).Value;
        foreach (var name in new[] { "AccessKeyId", "SignatureMethod", "SignatureVersion", "SignatureNonce", "Timestamp" })
        {
            if (string.IsNullOrEmpty(Get(name)))
                return Denied(BssErrors.IncompleteSignature($"The V1 signature parameter {name} is missing."));
        }
        if (Get("SignatureMethod") != "HMAC-SHA1" || Get("SignatureVersion") != "1.0")
            return Denied(BssErrors.IncompleteSignature("Only SignatureMethod HMAC-SHA1 with SignatureVersion 1.0 is supported for V1 signatures."));

        var accessKeyId = Get("AccessKeyId")!;
        var stringToSign = BssSignatures.V1StringToSign(request.Method, request.Query.Concat(request.Form));
        var signature = Get("Signature")!;
        return await Verified(accessKeyId, request.SourceAddress, secret => BssSignatures.SameSignature(BssSignatures.V1Signature(secret, stringToSign), signature),
            Get("Timestamp")!, Get("SignatureNonce")!, readAlongside, ct);
    }

    /// <summary>
    /// The signature checked with the key's secret (this node's copy, or the stored one when
    /// there is none or it does not match), then the timestamp and the nonce. A key id or address
    /// that keeps failing is refused before the stored key is read and decrypted.
    /// </summary>
    private async Task<(BssCaller?, BssError?, bool)> Verified(string accessKeyId, string? sourceAddress, Func<string, bool> signedWith, string timestamp, string nonce, Func<BssCaller, Task>? readAlongside, CancellationToken ct)
    {
        if (secrets.Find(accessKeyId) is not { } secret || !signedWith(secret))
        {
            if (failures is not null && failures.IsRefused(accessKeyId, sourceAddress))
                return Denied(BssErrors.SignatureFailuresThrottled(accessKeyId));
            var key = await accessKeys.Resolve(accessKeyId, ct);
            if (key is null)
            {
                secrets.Forget(accessKeyId);
                failures?.Failed(accessKeyId, sourceAddress);
                return Denied(BssErrors.AccessKeyNotFound(accessKeyId));
            }
            secrets.Remember(accessKeyId, key.Value.Secret);
            if (!signedWith(key.Value.Secret))
            {
                failures?.Failed(accessKeyId, sourceAddress);
                return Denied(SignatureMismatch());
            }
        }
        return await Fresh(accessKeyId, timestamp, nonce, readAlongside, ct);
    }

    private static BssError SignatureMismatch() =>
        BssErrors.SignatureDoesNotMatch("The request signature does not match the one Cloudbill computed; check the AccessKey secret and that the request is not changed after signing (Host included).");

    /// <summary>
    /// The timestamp within the allowed skew, the key still enabled, and a nonce never seen with
    /// this key while a replay could pass that check. The caller's account comes from the
    /// database in the same read: a read alongside may start with the account this node
    /// remembers, but it stands only if the database names that same account.
    /// </summary>
    private async Task<(BssCaller?, BssError?, bool)> Fresh(string accessKeyId, string timestamp, string nonce, Func<BssCaller, Task>? readAlongside, CancellationToken ct)
    {
        if (!DateTimeOffset.TryParseExact(timestamp, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var sent))
            return Denied(BssErrors.TimeStampFormat(timestamp));
        var now = clock.GetUtcNow();
        var skew = TimeSpan.FromMinutes(options.MaxClockSkewMinutes);
        if (sent < now - skew || sent > now + skew)
            return Denied(BssErrors.TimeStampExpired(timestamp, options.MaxClockSkewMinutes));
        if (nonce.Length > SignatureNonce.MaxLength)
            return Denied(BssErrors.IncompleteSignature($"The signature nonce is longer than {SignatureNonce.MaxLength} characters."));

        if (readAlongside is null || !nonces.ConfirmsBesideReads || secrets.FindAccount(accessKeyId) is not { } knownAccount)
            return Judged(accessKeyId, nonce, await nonces.Use(accessKeyId, nonce, now, ct), readDone: false);

        // The read runs on the request's context while the key and the nonce go over a connection
        // of their own; it changes nothing, so if the answer is a refusal it is simply not given.
        var confirming = nonces.Use(accessKeyId, nonce, now, ct);
        var reading = Captured(readAlongside, new BssCaller(accessKeyId, knownAccount));
        NonceUse confirmed;
        ExceptionDispatchInfo? readFailure;
        try
        {
            confirmed = await confirming;
        }
        finally
        {
            // Never leave the read running on the context after this method has returned.
            readFailure = await reading;
        }
        var judged = Judged(accessKeyId, nonce, confirmed, readDone: confirmed.AccountId == knownAccount);
        if (judged.Item3)
            readFailure?.Throw();
        return judged;
    }

    /// <summary>The refusals of the key-and-nonce statement; an account it names is remembered for the next request's read.</summary>
    private (BssCaller?, BssError?, bool) Judged(string accessKeyId, string nonce, NonceUse used, bool readDone)
    {
        if (used.AccountId is not { } accountId)
        {
            secrets.Forget(accessKeyId);
            return Denied(BssErrors.AccessKeyNotFound(accessKeyId));
        }
        secrets.RememberAccount(accessKeyId, accountId);
        if (!used.FirstUse)
            return Denied(BssErrors.NonceUsed(nonce));
        return (new BssCaller(accessKeyId, accountId), null, readDone);
    }

    /// <summary>The read's failure kept for later: it is thrown only if the request turns out to be allowed.</summary>
    private static async Task<ExceptionDispatchInfo?> Captured(Func<BssCaller, Task> read, BssCaller caller)
    {
        try
        {
            await read(caller);
            return null;
        }
#pragma warning disable CA1031 // Rethrown by the caller once the key and the nonce are confirmed.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return ExceptionDispatchInfo.Capture(e);
        }
    }
}
