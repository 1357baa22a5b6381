using Cloudbill.Core.Ledger;
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
    };

    /// <summary>
    /// The row of a journal transaction that moves a customer's money, or null when it moves only
    /// shared accounts' money: the business key (which names the order, trade or instance) and
    /// the customer's change.
    /// </summary>
    public AuditEvent? OfTransaction(JournalTransaction transaction, AuditEventKind? kind = null)
    {
        var customer = transaction.Postings.Where(p => p.BillingAccountId is not null).ToList();
        if (customer.Count == 0)
            return null;
        var net = new Money(customer.Sum(p => p.AmountFen));
        var detail = net.IsZero
            ? $"{transaction.BusinessKey}: {new Money(customer.Where(p => p.AmountFen > 0).Sum(p => p.AmountFen))} CNY moved between the account's cash and overdue"
            : $"{transaction.BusinessKey}: {(net.IsPositive ? "+" : "")}{net} CNY";
        return New(kind ?? KindOf(transaction.BusinessKey), customer[0].BillingAccountId, detail);
    }

    /// <summary>Adds the rows of the transactions that move a customer's money to the caller's unit of work (see <see cref="OfTransaction"/>).</summary>
    public IReadOnlyList<AuditEvent> AddTransactions(IEnumerable<JournalTransaction> transactions, AuditEventKind? kind = null)
    {
        var rows = transactions.Select(t => OfTransaction(t, kind)).OfType<AuditEvent>().ToList();
        db.AuditEvents.AddRange(rows);
        return rows;
    }

    /// <summary>What a journal transaction is, from its business key (each money path has its own, R10.3).</summary>
    public static AuditEventKind KindOf(string businessKey) => businessKey switch
    {
        _ when businessKey.StartsWith("order:", StringComparison.Ordinal) => AuditEventKind.OrderPaid,
        _ when businessKey.StartsWith("payg:", StringComparison.Ordinal) => AuditEventKind.PayAsYouGoCharged,
        _ when businessKey.StartsWith("opening-balance:", StringComparison.Ordinal) => AuditEventKind.OpeningBalance,
        _ when businessKey.StartsWith("overdue:", StringComparison.Ordinal) || businessKey.EndsWith(":settle", StringComparison.Ordinal) => AuditEventKind.OverdueSettled,
        _ when businessKey.EndsWith(":received", StringComparison.Ordinal) => AuditEventKind.GatewayPaymentReceived,
        _ => AuditEventKind.BalanceChanged,
    };

    /// <summary>
    /// A sign-in attempt: a success, a failure (with whether the email has an account; never what
    /// was typed), and the lockout once when it begins. Attempts refused while locked are not
    /// written again: the lockout row stands for them.
    /// </summary>
    public async Task SignIn(string email, SignInResult result, CancellationToken ct)
    {
        var normalized = email.Trim().ToUpperInvariant();
        var accountId = await db.Users.Where(u => u.NormalizedEmail == normalized).Select(u => (long?)u.BillingAccountId).FirstOrDefaultAsync(ct);
        if (result.Succeeded)
        {
            origin.ActAs(AuditActor.Customer, accountId?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Record(AuditEventKind.SignedIn, accountId, "signed in with the password", ct);
            return;
        }
        if (result.IsLockedOut)
        {
            var since = clock.GetUtcNow() - identity.Value.Lockout.DefaultLockoutTimeSpan;
            if (!await db.AuditEvents.AnyAsync(a => a.AccountId == accountId && a.Kind == AuditEventKind.LockedOut && a.At > since, ct))
                await Record(AuditEventKind.LockedOut, accountId, $"locked for {identity.Value.Lockout.DefaultLockoutTimeSpan.TotalMinutes:0} minutes after {identity.Value.Lockout.MaxFailedAccessAttempts} failed sign-ins", ct);
            return;
        }
        await Record(AuditEventKind.SignInFailed, accountId, accountId is null ? "no account has this email" : "wrong password", ct);
    }

    /// <summary>A refused API signature: counted, and written when <see cref="RepeatedFailures"/> says so, with the key's account when the key exists.</summary>
    public async Task SignatureRejected(string? accessKeyId, string code, CancellationToken ct)
    {
        accessKeyId = AuditOrigin.Clip(accessKeyId, AuditEvent.ActorIdMaxLength);
        if (failures.Count(origin.SourceAddress, "signature:" + code, accessKeyId) is not { } counts)
            return;
        var accountId = accessKeyId is null ? null
            : await db.AccessKeys.Where(k => k.Id == accessKeyId).Select(k => (long?)k.BillingAccountId).FirstOrDefaultAsync(ct);
        var key = accessKeyId is null ? "no AccessKey" : accountId is null ? $"unknown AccessKey {accessKeyId}" : $"AccessKey {accessKeyId}";
        await Record(AuditEventKind.SignatureRejected, accountId,
            $"{code}, {key}; failure {counts.OfThisKind} of this kind and {counts.FromAddress} from this address within {RepeatedFailures.Window.TotalMinutes:0} minutes", ct);
    }

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
