using Cloudbill.Core.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cloudbill.Core.Audit;

/// <summary>
/// Writes the audit log (docs/decisions/0027). Where an event changes something, its row is
/// added to the caller's unit of work (<see cref="Add"/>) and commits with the change, in the
/// caller's transaction; an event that changes nothing else (a refusal) is written on its own
/// (<see cref="Record"/>). Nothing here updates or deletes a row, and the database refuses both.
/// </summary>
public sealed class AuditLog(CloudbillDbContext db, AuditOrigin origin, RepeatedFailures failures, IOptions<IdentityOptions> identity, TimeProvider clock)
{
    // For the events of the features above Audit, written beside them (Ledger/LedgerAuditing, Accounts/AccountAuditing).
    internal CloudbillDbContext Db => db;
    internal AuditOrigin Origin => origin;
    internal RepeatedFailures Failures => failures;
    internal IdentityOptions Identity => identity.Value;
    internal TimeProvider Clock => clock;

    /// <summary>The row, added to the context: the caller's next save writes it with its own change.</summary>
    public AuditEvent Add(AuditEventKind kind, long? accountId, string detail)
    {
        var row = New(kind, accountId, detail);
        db.AuditEvents.Add(row);
        return row;
    }

    /// <summary>Writes the row now (in the caller's transaction, if there is one), and leaves nothing tracked.</summary>
    public async Task Record(AuditEventKind kind, long? accountId, string detail, CancellationToken ct)
    {
        var row = Add(kind, accountId, detail);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        finally
        {
            db.Entry(row).State = EntityState.Detached;
        }
    }

    /// <summary>The row of an event, not added: for the engine's set-based writes.</summary>
    public AuditEvent New(AuditEventKind kind, long? accountId, string detail) => new()
    {
        At = clock.GetUtcNow(),
        AccountId = accountId,
        Actor = origin.Actor,
        ActorId = origin.ActorId,
        Kind = kind,
        SourceAddress = origin.SourceAddress,
        RequestId = origin.RequestId,
        Detail = AuditOrigin.Clip(detail, AuditEvent.DetailMaxLength)!,
        Reason = origin.Reason,
    };

    /// <summary>A refused gateway notification, counted as signature failures are, with the payment's account when it names one of ours.</summary>
    public async Task NotificationRejected(string gateway, string? outTradeNo, long? accountId, string code, CancellationToken ct)
    {
        outTradeNo = AuditOrigin.Clip(outTradeNo, 64);
        if (failures.Count(origin.SourceAddress, $"notification:{gateway}:{code}", outTradeNo) is not { } counts)
            return;
        var trade = outTradeNo is null ? "no trade" : $"trade {outTradeNo}";
        await Record(AuditEventKind.NotificationRejected, accountId,
            $"{gateway} {code}, {trade}; failure {counts.OfThisKind} of this kind and {counts.FromAddress} from this address within {RepeatedFailures.Window.TotalMinutes:0} minutes", ct);
    }
}
