using Cloudbill.Core.Accounts;
using Cloudbill.Core.Audit;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Lifecycle;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Suggestions;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Operators;

/// <summary>What a search found: the customer and the field the search text matched.</summary>
public sealed record CustomerMatch(long AccountId, string Email, CustomerMatchField MatchedBy, string MatchedValue);

public enum CustomerMatchField
{
    Email,
    AccountId,
    AccessKeyId,
    InstanceId,
    InstanceName,
    OrderId,
    GatewayTradeNo,
}

/// <summary>An instance and what the engine did to it, newest first.</summary>
public sealed record InstanceFile(Instance Instance, InstanceState State, IReadOnlyList<EngineHistoryEntry> History);

/// <summary>Everything the console shows of one customer; each list is the newest <see cref="CustomerDirectory.ListLength"/> rows.</summary>
public sealed record CustomerFile(
    BillingAccount Account,
    DateTimeOffset? SignInLockedUntil,
    bool LockedByStaff,
    AccountBalance Balance,
    IReadOnlyList<StatementLine> Statement,
    IReadOnlyList<InstanceFile> Instances,
    IReadOnlyList<Order> Orders,
    IReadOnlyList<GatewayPayment> Payments,
    IReadOnlyList<Coupon> Coupons,
    IReadOnlyList<Notification> Messages,
    IReadOnlyList<Suggestion> Suggestions,
    IReadOnlyDictionary<long, SuggestionAnswered> Answers,
    IReadOnlyList<AccessKey> AccessKeys,
    IReadOnlyList<AuditEvent> Audit);

/// <summary>
/// The operator console's reads: find a customer by anything a customer or a gateway would
/// quote, and their whole file. Every field searched is an exact key or a unique index's prefix,
/// so a search costs index lookups however many customers there are (docs/decisions/0038).
/// </summary>
public sealed class CustomerDirectory(CloudbillDbContext db, LedgerService ledger, AccountStatement statement, EngineHistory engine, ProductCatalog catalog, AuditLog audit, TimeProvider clock)
{
    public const int ListLength = 50;
    public const int MaxQueryLength = 256;

    public async Task<IReadOnlyList<CustomerMatch>> Find(string text, CancellationToken ct)
    {
        text = text.Trim();
        if (text.Length is 0 or > MaxQueryLength || text.Any(char.IsControl))
            return [];
        var found = new List<(long AccountId, CustomerMatchField Field, string Value)>();

        // An email, or its beginning, as staff remember it from a ticket.
        var prefix = text.ToUpperInvariant();
        found.AddRange((await db.Users.AsNoTracking().Where(u => u.NormalizedEmail!.StartsWith(prefix))
                .OrderBy(u => u.NormalizedEmail).Take(ListLength).Select(u => new { u.BillingAccountId, u.Email }).ToListAsync(ct))
            .Select(u => (u.BillingAccountId, CustomerMatchField.Email, u.Email!)));
        if (long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            if (await db.BillingAccounts.AsNoTracking().AnyAsync(a => a.Id == number, ct))
                found.Add((number, CustomerMatchField.AccountId, text));
            if (await db.Orders.AsNoTracking().Where(o => o.Id == number).Select(o => (long?)o.AccountId).FirstOrDefaultAsync(ct) is { } orderAccount)
                found.Add((orderAccount, CustomerMatchField.OrderId, text));
        }
        if (await db.AccessKeys.AsNoTracking().Where(k => k.Id == text).Select(k => (long?)k.BillingAccountId).FirstOrDefaultAsync(ct) is { } keyAccount)
            found.Add((keyAccount, CustomerMatchField.AccessKeyId, text));
        if (await db.Instances.AsNoTracking().Where(i => i.Id == text).Select(i => (long?)i.AccountId).FirstOrDefaultAsync(ct) is { } instanceAccount)
            found.Add((instanceAccount, CustomerMatchField.InstanceId, text));
        found.AddRange((await db.Instances.AsNoTracking().Where(i => i.Name == text).Select(i => i.AccountId).Distinct().OrderBy(a => a).Take(ListLength).ToListAsync(ct))
            .Select(a => (a, CustomerMatchField.InstanceName, text)));
        found.AddRange((await db.GatewayPayments.AsNoTracking().Where(p => p.OutTradeNo == text || p.GatewayTradeNo == text)
                .Select(p => p.AccountId).Distinct().OrderBy(a => a).Take(ListLength).ToListAsync(ct))
            .Select(a => (a, CustomerMatchField.GatewayTradeNo, text)));

        var ids = found.Select(f => f.AccountId).Distinct().ToList();
        var emails = await db.BillingAccounts.AsNoTracking().Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Email, ct);
        var matches = found.Where(f => emails.ContainsKey(f.AccountId))
            .DistinctBy(f => (f.AccountId, f.Field))
            .Take(ListLength)
            .Select(f => new CustomerMatch(f.AccountId, emails[f.AccountId], f.Field, f.Value))
            .ToList();
        // A search lists customers as a page does: who looked for what is in the audit log too.
        await audit.Record(AuditEventKind.CustomersSearched, null, $"searched '{text}': {matches.Select(m => m.AccountId).Distinct().Count()} customer(s)", ct);
        return matches;
    }

    public Task<bool> Exists(long accountId, CancellationToken ct) => db.BillingAccounts.AnyAsync(a => a.Id == accountId, ct);

    /// <summary>The customer's file, or null when there is no such account. Opening it is audited: who looked at whose data.</summary>
    public async Task<CustomerFile?> Open(long accountId, CancellationToken ct)
    {
        if (await db.BillingAccounts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == accountId, ct) is not { } account)
            return null;
        await audit.Record(AuditEventKind.CustomerViewed, accountId, "opened the customer's page in the operator console", ct);
        var now = clock.GetUtcNow();

        var lockedUntil = await db.Users.AsNoTracking().Where(u => u.BillingAccountId == accountId).Select(u => u.LockoutEnd).FirstOrDefaultAsync(ct);
        var balance = await ledger.Balance(accountId, ct);
        var lines = (await statement.List(accountId, new StatementFilter(PageSize: ListLength), ct)).Lines;

        var instances = await db.Instances.AsNoTracking().Where(i => i.AccountId == accountId)
            .OrderBy(i => i.ReleasedAt != null).ThenBy(i => i.ExpiresAt).ThenBy(i => i.Id).Take(ListLength).ToListAsync(ct);
        var instanceIds = instances.Select(i => i.Id).ToList();
        var history = await engine.OfInstances(accountId, instanceIds, ListLength * 10, ct);
        var files = instances.Select(i => new InstanceFile(i, StateOf(i, now), history[i.Id].ToList())).ToList();

        var orders = await db.Orders.AsNoTracking().Where(o => o.AccountId == accountId).OrderByDescending(o => o.Id).Take(ListLength).ToListAsync(ct);
        var payments = await db.GatewayPayments.AsNoTracking().Where(p => p.AccountId == accountId).OrderByDescending(p => p.Id).Take(ListLength).ToListAsync(ct);
        var coupons = await db.Coupons.AsNoTracking().Where(c => c.AccountId == accountId).OrderByDescending(c => c.Id).Take(ListLength).ToListAsync(ct);
        var messages = await db.Notifications.AsNoTracking().Where(n => n.AccountId == accountId).OrderByDescending(n => n.Id).Take(ListLength).ToListAsync(ct);
        var suggestions = await db.Suggestions.AsNoTracking().Where(s => s.AccountId == accountId).OrderByDescending(s => s.Id).Take(ListLength).ToListAsync(ct);
        var answerKeys = suggestions.Select(s => SuggestionService.AnswerKey(s.Id)).ToList();
        var answers = (await db.Notifications.AsNoTracking().Where(n => n.AccountId == accountId && answerKeys.Contains(n.CauseKey) && n.Content != null)
                .Select(n => n.Content!).ToListAsync(ct))
            .Select(Notice.Deserialize).OfType<SuggestionAnswered>().ToDictionary(a => a.SuggestionId);
        var keys = await db.AccessKeys.AsNoTracking().Where(k => k.BillingAccountId == accountId).OrderBy(k => k.CreatedAt).Take(ListLength).ToListAsync(ct);
        var events = await db.AuditEvents.AsNoTracking().Where(a => a.AccountId == accountId).OrderByDescending(a => a.Id).Take(ListLength).ToListAsync(ct);
        return new CustomerFile(account, lockedUntil > now ? lockedUntil : null, CustomerLocks.IsLockedByStaff(lockedUntil), balance, lines, files, orders, payments, coupons, messages, suggestions, answers, keys, events);
    }

    private InstanceState StateOf(Instance instance, DateTimeOffset now) =>
        catalog.FindProduct(instance.ProductCode) is { } product
            ? InstanceLifecycle.StateAt(instance, product.Lifecycle, now)
            : new InstanceState(InstanceStatus.Normal, InstancePhase.Running, null, instance.ReleasedAt);
}
