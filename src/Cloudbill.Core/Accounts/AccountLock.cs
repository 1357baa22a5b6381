using Cloudbill.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Accounts;

public static class AccountLock
{
    /// <summary>
    /// Serializes money-moving steps of one account inside the current transaction: the version
    /// bump takes the row lock on PostgreSQL (held to commit) and the write lock on SQLite, so a
    /// balance read after it is the latest and no other payer of the account runs meanwhile.
    /// </summary>
    public static async Task Acquire(this CloudbillDbContext db, long accountId, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("The account lock is only meaningful inside a transaction.");
        await db.BillingAccounts.Where(a => a.Id == accountId)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Version, a => a.Version + 1), ct);
    }
}
