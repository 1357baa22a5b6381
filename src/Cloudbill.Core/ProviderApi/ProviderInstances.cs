using Cloudbill.Core.Accounts;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Provisioning;
using Cloudbill.Core.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.ProviderApi;

/// <summary>An instance as the provider API answers it.</summary>
public sealed record ProviderInstanceState(string Id, long AccountId, string State, string Product, string Spec, string Region, string Name,
    DateTimeOffset? ExpiresAt, DateTimeOffset? ReleasedAt, long? RefundedFen = null)
{
    public static ProviderInstanceState Of(Instance i, long? refundedFen = null) =>
        new(i.Id, i.AccountId, ProviderErrors.Describe(i), i.ProductCode, i.SpecCode, i.RegionId, i.Name, i.ExpiresAt, i.ReleasedAt, refundedFen);
}

/// <summary>What the provider may change of an instance from outside: its name and its spec (docs/decisions/0032).</summary>
public sealed record InstanceChange(string? Name, string? Spec);

/// <summary>
/// What the provider's cloud reports about instances (docs/webhooks.md, "Provider API"): created,
/// failed (the line refunded through the payment pipeline), deleted or changed outside Cloudbill.
/// Each report is idempotent: a repeat answers the same state and changes nothing.
/// </summary>
public sealed class ProviderInstances(
    CloudbillDbContext db,
    ProvisioningService provisioning,
    OrderPayments payments,
    OrderService orders,
    Notifier notifier,
    ProductCatalog catalog,
    Audit.AuditLog audit,
    TimeProvider clock)
{
    /// <summary>The instance as Cloudbill holds it: what a cloud reconciles its resources against.</summary>
    public async Task<Result<ProviderInstanceState>> Get(string id, CancellationToken ct) =>
        await Find(id, ct) is { } instance ? ProviderInstanceState.Of(instance) : ProviderErrors.InstanceNotFound(id);

    /// <summary>R1.4: Creating → Normal. A repeat for a ready instance answers it again.</summary>
    public async Task<Result<ProviderInstanceState>> Created(string id, CancellationToken ct)
    {
        var instance = await Find(id, ct);
        if (instance is null)
            return ProviderErrors.InstanceNotFound(id);
        if (instance.Provisioning == ProvisioningState.Creating)
            await provisioning.Complete(id, ct);
        else if (instance.Provisioning != ProvisioningState.Ready || instance.ReleasedAt is not null)
            return ProviderErrors.NotCreating(instance, "created");
        return ProviderInstanceState.Of((await Find(id, ct))!);
    }

    /// <summary>
    /// The provider could not create the resource: the instance is marked failed and released
    /// (never renewed, charged or shown as running), its share of the order goes back to the
    /// customer's cash, the customer is told and order.refunded is written, all in one
    /// transaction. A repeat for a failed instance answers it again and changes nothing.
    /// </summary>
    public async Task<Result<ProviderInstanceState>> Failed(string id, string? reason, CancellationToken ct)
    {
        reason = reason?.Trim() ?? "";
        if (reason.Length is < 1 or > 200)
            return ProviderErrors.Reason(reason.Length);
        var found = await Find(id, ct);
        if (found is null)
            return ProviderErrors.InstanceNotFound(id);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Acquire(found.AccountId, ct);
        var instance = await db.Instances.FirstAsync(i => i.Id == id, ct);
        if (instance.Provisioning == ProvisioningState.Failed)
            return ProviderInstanceState.Of(instance, await RefundedFen(instance, ct));
        if (instance.Provisioning != ProvisioningState.Creating || instance.ReleasedAt is not null)
            return ProviderErrors.NotCreating(instance, "failed");
        if (instance.CreatedByOrderId is not { } orderId
            || await db.Orders.Include(o => o.Lines).FirstOrDefaultAsync(o => o.Id == orderId && o.Status == OrderStatus.Paid && o.Type == OrderType.New, ct) is not { } order)
            return ProviderErrors.NotFromOrder(instance);

        var now = clock.GetUtcNow();
        instance.Provisioning = ProvisioningState.Failed;
        Stop(instance, now);
        await CancelUnpaidOf(instance, ct);
        var (refund, _) = await payments.RefundInstance(order, instance.Id, instance.Name, reason, ct);
        audit.Add(Audit.AuditEventKind.OrderRefunded, instance.AccountId, $"order {order.Id} instance {instance.Id} refunded {refund.Cash} to cash (coupon share {refund.CouponShare}): provisioning failed");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return ProviderInstanceState.Of(instance, refund.Cash.Fen);
    }

    /// <summary>
    /// The resource was deleted outside Cloudbill: the instance is released now and its unpaid
    /// order cancelled, as the engine's release does; nothing is refunded. A repeat answers the
    /// released instance again.
    /// </summary>
    public async Task<Result<ProviderInstanceState>> Deleted(string id, CancellationToken ct)
    {
        var found = await Find(id, ct);
        if (found is null)
            return ProviderErrors.InstanceNotFound(id);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Acquire(found.AccountId, ct);
        var instance = await db.Instances.FirstAsync(i => i.Id == id, ct);
        if (instance.ReleasedAt is not null || instance.Provisioning == ProvisioningState.Failed)
            return ProviderInstanceState.Of(instance);

        var now = clock.GetUtcNow();
        Stop(instance, now);
        await CancelUnpaidOf(instance, ct);
        notifier.Add(instance.AccountId, $"instance:{instance.Id}:deleted-at-provider", new InstanceDeletedAtProvider(instance.Id, instance.Name, instance.ProductCode, now));
        db.LifecycleEvents.Add(LifecycleEvents.Create($"instance:{instance.Id}:deleted-at-provider", instance.AccountId, now, new InstanceReleasedEvent(instance.Id, "deleted_at_provider", now)));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return ProviderInstanceState.Of(instance);
    }

    /// <summary>
    /// The resource was changed outside Cloudbill: a new name (R1.7's rules) or a new spec of the
    /// same product sold in the instance's region (later renewals are priced by it). Nothing else:
    /// expiry, renewal and ownership are Cloudbill's. The same change twice changes nothing more.
    /// </summary>
    public async Task<Result<ProviderInstanceState>> Changed(string id, InstanceChange change, CancellationToken ct)
    {
        if (change.Name is null && change.Spec is null)
            return ProviderErrors.NothingToChange();
        var instance = await db.Instances.FirstOrDefaultAsync(i => i.Id == id, ct);
        if (instance is null)
            return ProviderErrors.InstanceNotFound(id);
        if (instance.ReleasedAt is not null || instance.Provisioning == ProvisioningState.Failed)
            return ProviderErrors.AlreadyReleased(instance);
        if (change.Name is not null)
        {
            var name = InstanceNames.Validate(change.Name, 1);
            if (!name.Succeeded)
                return name.Problem!;
            if (name.Value is null)
                return Problem.Invalid("Instance.NameLength", $"The instance name is empty; use {InstanceNames.MinLength} to {InstanceNames.MaxLength} characters.");
            instance.Name = name.Value;
        }
        if (change.Spec is not null)
        {
            if (catalog.FindProduct(instance.ProductCode)?.FindSpec(change.Spec) is not { } spec || !spec.IsSoldIn(instance.RegionId))
                return ProviderErrors.UnknownSpec(instance, change.Spec);
            instance.SpecCode = spec.Code;
        }
        await db.SaveChangesAsync(ct);
        return ProviderInstanceState.Of(instance);
    }

    /// <summary>Released now: it leaves the renewal views, and the engine's passes never claim it again.</summary>
    private static void Stop(Instance instance, DateTimeOffset now)
    {
        instance.Release(now);
        instance.NextDueAt = null;
        instance.PayAsYouGoDueAt = null;
    }

    private async Task CancelUnpaidOf(Instance instance, CancellationToken ct)
    {
        if (instance.UnpaidOrderId is { } orderId && await db.Orders.Include(o => o.Lines).FirstOrDefaultAsync(o => o.Id == orderId && o.Status == OrderStatus.Unpaid, ct) is { } unpaid)
            await orders.CancelUnpaid(unpaid, CancelReason.InstanceReleased, ct);
    }

    private async Task<long?> RefundedFen(Instance instance, CancellationToken ct)
    {
        var key = $"order:{instance.CreatedByOrderId}:refunded:{instance.Id}";
        var data = await db.LifecycleEvents.AsNoTracking().Where(e => e.Key == key).Select(e => e.Data).FirstOrDefaultAsync(ct);
        return data is null ? null : System.Text.Json.JsonDocument.Parse(data).RootElement.GetProperty("amount_fen").GetInt64();
    }

    private Task<Instance?> Find(string id, CancellationToken ct) =>
        id.Length > 64 ? Task.FromResult<Instance?>(null) : db.Instances.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, ct);
}
