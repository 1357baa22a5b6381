using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cloudbill.Core.Webhooks;

/// <summary>
/// A change billing made that the provider's cloud must hear about (docs/webhooks.md), written in
/// the same transaction as the change (a transactional outbox): committed together or not at
/// all, so a crash loses none and invents none. Written once per cause under the unique
/// <see cref="Key"/> (the engine action's key, "order:12:paid"), so a second engine run or a retry
/// finds it written. <see cref="Id"/> orders the events: those of one instance are delivered in
/// that order.
/// </summary>
public sealed class LifecycleEvent
{
    public long Id { get; set; }

    /// <summary>What made the event, unique: the same cause never makes a second event.</summary>
    public required string Key { get; set; }

    /// <summary>The stable id receivers deduplicate by (the <c>webhook-id</c> header): derived from <see cref="Key"/>.</summary>
    public required string EventId { get; set; }

    /// <summary>One of <see cref="LifecycleEventTypes"/>: "instance.renewed".</summary>
    public required string Type { get; set; }

    public DateTimeOffset OccurredAt { get; set; }
    public long AccountId { get; set; }

    /// <summary>The instance the event is about, when it is about one: its events are delivered in order.</summary>
    public string? InstanceId { get; set; }

    /// <summary>The event's <c>data</c> object as JSON (docs/webhooks.md).</summary>
    public required string Data { get; set; }

    /// <summary>"evt_" and 24 hex digits of the key's SHA-256: the same cause has the same id on every node.</summary>
    public static string EventIdOf(string key) =>
        "evt_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 12));
}

/// <summary>The table of <see cref="LifecycleEvent"/>; found by <c>ApplyConfigurationsFromAssembly</c> (Persistence/CloudbillDbContext).</summary>
internal sealed class LifecycleEventConfiguration : IEntityTypeConfiguration<LifecycleEvent>
{
    public void Configure(EntityTypeBuilder<LifecycleEvent> e)
    {
        e.Property(x => x.Key).HasMaxLength(200);
        e.Property(x => x.EventId).HasMaxLength(32);
        e.Property(x => x.Type).HasMaxLength(64);
        e.Property(x => x.InstanceId).HasMaxLength(64);
        e.Property(x => x.Data).HasMaxLength(4000);
        e.HasIndex(x => x.Key).IsUnique();
        e.HasIndex(x => x.EventId).IsUnique();
        e.HasIndex(x => new { x.AccountId, x.Id });
        e.HasIndex(x => x.OccurredAt);
    }
}
