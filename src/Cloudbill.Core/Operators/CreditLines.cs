using Cloudbill.Core.Accounts;
using Cloudbill.Core.Audit;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Operators;

public sealed record CreditLineSet(Money Previous, Money Current, AccountBalance Balance);

/// <summary>
/// Finance staff set how far a customer may go below zero cash (R7.1: Available Credit = cash +
/// credit line − overdue). A credit line is a limit, not money: nothing is posted, and lowering it
/// below what is in use leaves a negative Available Credit, which refuses the next charge (R7.1)
/// until the customer tops up. The change and its reason are one audit row, under the account lock
/// that every charge takes, so no charge is decided on half a change.
/// </summary>
public sealed class CreditLines(CloudbillDbContext db, LedgerService ledger, AuditLog audit, AuditOrigin origin)
{
    public static readonly Money Largest = Money.Parse("10000000.00");

    public async Task<Result<CreditLineSet>> Set(long accountId, Money creditLine, string reason, CancellationToken ct)
    {
        if (creditLine.IsNegative || creditLine > Largest)
            return Problem.Invalid("CreditLine.InvalidAmount", $"A credit line is from 0.00 to {Largest} CNY.");
        if (StaffReason.Give(origin, reason) is { } refused)
            return refused;

        await using var tx = await db.BeginOrJoinTransaction(ct);
        await db.Acquire(accountId, ct);
        if (await db.BillingAccounts.FirstOrDefaultAsync(a => a.Id == accountId, ct) is not { } account)
            return Problem.NotFound("Account.NotFound", "No customer has this account ID.");
        var previous = account.CreditLine;
        if (previous == creditLine)
            return Problem.Conflict("CreditLine.Unchanged", $"The credit line is {creditLine} CNY already.");
        account.CreditLine = creditLine;
        audit.Add(AuditEventKind.CreditLineSet, accountId, $"credit line {previous} CNY -> {creditLine} CNY");
        await db.SaveChangesAsync(ct);
        await tx.Commit(ct);
        return new CreditLineSet(previous, creditLine, await ledger.Balance(accountId, ct));
    }
}
