using Cloudbill.Core.Problems;

namespace Cloudbill.Server.OpenApi;

/// <summary>A BSS error as the SDK reads it: an HTTP status and a code (Throttling* codes become ThrottlingError).</summary>
public sealed record BssError(int Status, string Code, string Message);

/// <summary>The gateway-level errors of the API (docs/api.md, "Errors"), named once.</summary>
public static class BssErrors
{
    public static BssError IncompleteSignature(string message) => new(400, "IncompleteSignature", message);

    public static BssError SignatureDoesNotMatch(string message) =>
        new(400, "SignatureDoesNotMatch", message);

    public static BssError AccessKeyNotFound(string accessKeyId) =>
        new(404, "InvalidAccessKeyId.NotFound", $"The AccessKey ID '{accessKeyId}' does not exist or is disabled; check the ID or create a pair with `cloudbill accounts create`.");

    public static BssError TimeStampExpired(string given, int minutes) =>
        new(400, "InvalidTimeStamp.Expired", $"The request time {given} is more than {minutes} minutes away from the server's time; check the caller's clock.");

    public static BssError TimeStampFormat(string given) =>
        new(400, "InvalidTimeStamp.Format", $"The request time '{given}' is not UTC in the form yyyy-MM-ddTHH:mm:ssZ.");

    public static BssError NonceUsed(string nonce) =>
        new(400, "SignatureNonceUsed", $"The signature nonce {nonce} was already used; each request needs a new one.");

    public static BssError MissingParameter(string name) =>
        new(400, "MissingParameter", $"The parameter {name} is required.");

    public static BssError ActionMismatch(string header, string signed) =>
        new(400, "InvalidParameter.ActionMismatch", $"The x-acs-action header '{header}' is not the signed Action parameter '{signed}'; a V1 signature covers the parameters only, so send the same action in both or leave the header out.");

    public static BssError InvalidParameter(string name, string message) =>
        new(400, "InvalidParameter", $"The parameter {name} is invalid: {message}");

    public static BssError ActionNotFound(string action) =>
        new(404, "InvalidAction.NotFound", $"The action '{action}' is not supported by Cloudbill; see docs/api.md for the supported actions.");

    public static BssError InvalidVersion(string version) =>
        new(400, "InvalidVersion", $"Version '{version}' is not supported; use {BssOpenApi.Version}.");

    public static BssError Throttled(string action) =>
        new(400, "Throttling.User", $"Request was denied due to user flow control: too many {action} calls with this AccessKey; retry later.");

    /// <summary>HTTP 429: the key id or the caller's address sent too many unknown keys or wrong signatures (docs/decisions/0025).</summary>
    public static BssError SignatureFailuresThrottled(string accessKeyId) =>
        new(429, "Throttling.SignatureFailures", $"Request was denied: too many requests with an unknown AccessKey or a wrong signature for '{accessKeyId}' or from this address; check the AccessKey pair and retry in a few minutes.");

    public static BssError BodyTooLarge(long limit) =>
        new(413, "InvalidParameter.BodyTooLarge", $"The request body is larger than {limit} bytes.");

    /// <summary>The database failed over or is unreachable (docs/decisions/0034): retryable, with the same ClientToken.</summary>
    public static BssError ServiceUnavailable() =>
        new(503, "ServiceUnavailable", "The database is unavailable (failing over to its standby); the request may not have been done. Retry in a few seconds with the same ClientToken: a renewal or purchase is then done once.");

    public static BssError InternalError() =>
        new(500, "InternalError", "The request failed because of an error in Cloudbill; it was logged. Retry later.");

    /// <summary>
    /// The one place a service's <see cref="Problem"/> becomes a BSS error: its own stable code
    /// (`Instance.NotFound`, `Order.AlreadyPaid`, ...) and message, and a 4xx status by kind.
    /// </summary>
    public static BssError From(Problem problem) => new(problem.Kind switch
    {
        ProblemKind.Invalid => 400,
        ProblemKind.NotFound => 404,
        ProblemKind.Conflict => 409,
        ProblemKind.Forbidden => 403,
    }, problem.Code, problem.Message);
}
