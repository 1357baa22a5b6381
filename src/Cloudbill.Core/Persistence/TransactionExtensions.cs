using Microsoft.EntityFrameworkCore.Storage;

namespace Cloudbill.Core.Persistence;

/// <summary>A unit of work that commits only if it started the database transaction itself.</summary>
public sealed class OwnedTransaction(IDbContextTransaction? owned) : IAsyncDisposable
{
    public Task Commit(CancellationToken ct) => owned?.CommitAsync(ct) ?? Task.CompletedTask;

    public ValueTask DisposeAsync() => owned?.DisposeAsync() ?? ValueTask.CompletedTask;
}

public static class TransactionExtensions
{
    /// <summary>Starts a transaction, or joins the caller's: one business step, one transaction.</summary>
    public static async Task<OwnedTransaction> BeginOrJoinTransaction(this CloudbillDbContext db, CancellationToken ct) =>
        new(db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null);
}
