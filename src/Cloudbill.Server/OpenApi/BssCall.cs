using System.Runtime.ExceptionServices;

namespace Cloudbill.Server.OpenApi;

/// <summary>One authenticated call to an action: who signed it, which action (as signed), and its business parameters.</summary>
public sealed record BssCall(BssCaller Caller, string Action, BssParameters Parameters);

/// <summary>
/// The API's state of one request, set by the authentication step (<see cref="BssAuthentication"/>)
/// and read by the quota and the endpoint.
/// </summary>
public sealed class BssRequestFeature(string requestId)
{
    /// <summary>The id every answer carries and the audit log records.</summary>
    public string RequestId { get; } = requestId;

    /// <summary>Set once the signature, the timestamp and the nonce are checked.</summary>
    public BssCall? Call { get; set; }

    /// <summary>The answer of a read that ran beside the nonce and stands (docs/decisions/0023), given once the quota allows the call.</summary>
    public BssOutcome? ReadAnswer { get; set; }

    /// <summary>That read's failure, thrown only for a call the quota allows.</summary>
    public ExceptionDispatchInfo? ReadFailure { get; set; }
}
