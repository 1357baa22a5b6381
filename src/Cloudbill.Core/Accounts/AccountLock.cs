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

    /// <summary>
    /// The engine's variant: locks, in the current transaction, those of the accounts nobody else
    /// holds and returns them (FOR UPDATE SKIP LOCKED), so the engine never waits on a customer
    /// and leaves the others for its next run. SQLite has one writer: every account is available.
    /// </summary>
    public static async Task<HashSet<long>> LockAvailable(this CloudbillDbContext db, long[] accountIds, DatabaseProvider provider, CancellationToken ct)
    {
        if (provider != DatabaseProvider.Postgres)
            return accountIds.ToHashSet();
        var locked = await db.Database.SqlQuery<long>($"""
            SELECT "Id" AS "Value" FROM "BillingAccounts" WHERE "Id" = ANY({accountIds}) ORDER BY "Id" FOR UPDATE SKIP LOCKED
            """).ToListAsync(ct);
        return locked.ToHashSet();
    }
}
