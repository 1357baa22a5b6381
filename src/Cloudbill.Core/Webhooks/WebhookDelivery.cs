using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cloudbill.Core.Webhooks;

public enum WebhookDeliveryState
{
    Pending,
    Delivered,
    Failed,
}

/// <summary>
/// One event on its way to one endpoint, unique per (event, endpoint): the fan-out of two nodes
/// at once makes one row. <see cref="NextAttemptAt"/> is when it is due; a node that sends it
/// first moves it a lease ahead with a conditional update (the claim), so a second node leaves it.
/// </summary>
public sealed class WebhookDelivery
{
    public long Id { get; set; }
    public long EndpointId { get; set; }
    public long LifecycleEventId { get; set; }

    /// <summary>The event's instance, copied: a later event of it waits while an earlier one is pending.</summary>
    public string? InstanceId { get; set; }

    public WebhookDeliveryState State { get; set; }
    public int AttemptCount { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> e)
    {
        e.Property(x => x.InstanceId).HasMaxLength(64);
        e.HasIndex(x => new { x.LifecycleEventId, x.EndpointId }).IsUnique();
        e.HasIndex(x => new { x.EndpointId, x.State, x.NextAttemptAt });
        e.HasIndex(x => new { x.EndpointId, x.InstanceId, x.State });
        e.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(x => x.EndpointId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<LifecycleEvent>().WithMany().HasForeignKey(x => x.LifecycleEventId).OnDelete(DeleteBehavior.Restrict);
    }
}
