using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cloudbill.Core.Webhooks;

/// <summary>
/// An address of the provider's cloud that hears the lifecycle events (docs/webhooks.md,
/// "Receiving webhooks"), added by the operator (<c>cloudbill webhooks add</c>) or by a host
/// (<see cref="WebhookEndpoints.Add"/>). It gets every event committed after it was added whose
/// type its filter names, each signed with its own secrets.
/// </summary>
public sealed class WebhookEndpoint
{
    public const int UrlMaxLength = 500;
    public const int DescriptionMaxLength = 200;

    public long Id { get; set; }
    public required string Url { get; set; }
    public string Description { get; set; } = "";

    /// <summary>Comma-separated event types; empty means every type.</summary>
    public string EventTypes { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Set when the endpoint was disabled (by the operator, or after a delivery ran out of retries); null while enabled.</summary>
    public DateTimeOffset? DisabledAt { get; set; }

    public string? DisabledReason { get; set; }

    /// <summary>
    /// Every event with an Id up to here has its delivery to this endpoint (or is not for it). Events
    /// after it are found by "no delivery yet", not by Id order alone: on PostgreSQL a transaction can
    /// commit an event with a lower Id after one with a higher Id (sequences are not commit order).
    /// </summary>
    public long FannedThroughEventId { get; set; }

    /// <summary>The highest event Id seen at <see cref="HorizonAt"/>: the cursor moves there once the settle time has passed.</summary>
    public long HorizonEventId { get; set; }

    public DateTimeOffset HorizonAt { get; set; }

    public List<WebhookSecret> Secrets { get; set; } = [];

    public bool Enabled => DisabledAt is null;

    public IReadOnlyList<string> EventFilter => EventTypes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

internal sealed class WebhookEndpointConfiguration : IEntityTypeConfiguration<WebhookEndpoint>
{
    public void Configure(EntityTypeBuilder<WebhookEndpoint> e)
    {
        e.Property(x => x.Url).HasMaxLength(WebhookEndpoint.UrlMaxLength);
        e.Property(x => x.Description).HasMaxLength(WebhookEndpoint.DescriptionMaxLength);
        e.Property(x => x.EventTypes).HasMaxLength(1000);
        e.Property(x => x.DisabledReason).HasMaxLength(300);
        e.HasMany(x => x.Secrets).WithOne().HasForeignKey(s => s.EndpointId).OnDelete(DeleteBehavior.Cascade);
    }
}
