using Cloudbill.Core.Accounts;
using Cloudbill.Core.Audit;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Operators;

public sealed record BalanceAdjusted(long TransactionId, Money Amount, Money CashAfter, bool AlreadyPosted);

/// <summary>
/// Finance staff add to or take from a customer's cash (a goodwill credit, a correction). Nothing
/// is edited in place: each adjustment is a new journal transaction between the customer's cash and
/// the operator adjustments account, under a business key made of the form's client token, so a
/// second click or a resent form posts it once (R10.3). A deduction takes at most the cash there is;
/// an overdue amount stays as it is (the customer's next payment settles it).
/// </summary>
public sealed class BalanceAdjustments(CloudbillDbContext db, LedgerService ledger, AuditLog audit, AuditOrigin origin)
{
    public static readonly Money Largest = Money.Parse("1000000.00");

    public async Task<Result<BalanceAdjusted>> Adjust(long accountId, Money amount, string reason, ClientToken token, CancellationToken ct)
    {
        reason = reason.Trim();
        if (amount.IsZero || amount > Largest || amount < -Largest)
            return Problem.Invalid("Adjustment.InvalidAmount", $"An adjustment is a non-zero amount from -{Largest} to {Largest} CNY.");
        if (StaffReason.Give(origin, reason) is { } refused)
            return refused;
        if (!await db.BillingAccounts.AnyAsync(a => a.Id == accountId, ct))
            return Problem.NotFound("Account.NotFound", "No customer has this account ID.");

        await using var tx = await db.BeginOrJoinTransaction(ct);
        await db.Acquire(accountId, ct);
        var key = $"adjustment:{accountId}:{token.Value}";
        var (cash, _) = await ledger.OpenCustomerAccounts(accountId, ct);
        var alreadyPosted = await db.JournalTransactions.AnyAsync(t => t.BusinessKey == key, ct);
        var before = await ledger.Balance(accountId, ct);
        if (!alreadyPosted && amount.IsNegative && before.Cash + amount < Money.Zero)
            return Problem.Conflict("Adjustment.ExceedsCash", $"The cash balance is {before.Cash} CNY; a deduction takes at most that.");

        var adjustments = await ledger.SystemAccount(LedgerService.OperatorAdjustmentsCode, LedgerAccountKind.OperatorAdjustments, ct);
        // The customer reads the description on their statement; staff's reason stays in the audit log.
        var posted = await ledger.Post(key, "Balance adjustment by the provider", [new PostingLine(cash, amount), new PostingLine(adjustments, -amount)], ct);
        if (!posted.Succeeded)
            return posted.Problem!.Code == "Ledger.KeyReused"
                ? Problem.Conflict("Adjustment.FormUsed", "This form was already used for another amount; nothing was posted. Reload the page for a new one.")
                : posted.Problem;
        if (!posted.Value.AlreadyPosted)
            audit.Add(AuditEventKind.BalanceAdjusted, accountId, $"{(amount.IsPositive ? "+" : "")}{amount} CNY ({key})");
        await db.SaveChangesAsync(ct);
        await tx.Commit(ct);
        var after = await ledger.Balance(accountId, ct);
        return new BalanceAdjusted(posted.Value.Transaction.Id, amount, after.Cash, posted.Value.AlreadyPosted);
    }
}
