namespace Cloudbill.Core.Audit;

/// <summary>
/// Who is acting in this scope and from where, for every audit row written in it. A scope
/// nobody describes is background work (the engine, the gateway poller); the server describes
/// each request (the customer, the AccessKey, the gateway; its address and request id) and the
/// `cloudbill` verbs describe the operator.
/// </summary>
public sealed class AuditOrigin
{
    public AuditActor Actor { get; private set; } = AuditActor.Engine;
    public string? ActorId { get; private set; }
    public string? SourceAddress { get; private set; }
    public string? RequestId { get; private set; }

    /// <summary>A member of staff's reason for what this scope does next: every row written after it carries it.</summary>
    public string? Reason { get; private set; }

    public void ActAs(AuditActor actor, string? actorId)
    {
        Actor = actor;
        ActorId = Clip(actorId, AuditEvent.ActorIdMaxLength);
    }

    public void FromRequest(string? sourceAddress, string? requestId)
    {
        SourceAddress = Clip(sourceAddress, AuditEvent.AddressMaxLength);
        RequestId = Clip(requestId, AuditEvent.RequestIdMaxLength);
    }

    /// <summary>Gives the reason of a staff action (checked by the caller) to the rows the action writes, whichever feature writes them.</summary>
    public void Because(string reason) => Reason = Clip(reason, AuditEvent.ReasonMaxLength);

    internal static string? Clip(string? text, int length) =>
        text is null || text.Length <= length ? text : text[..(char.IsHighSurrogate(text[length - 1]) ? length - 1 : length)];
}
