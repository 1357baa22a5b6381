using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cloudbill.Core.Webhooks;

/// <summary>One POST of a delivery: when, what came back (a status code or the error), and how long it took.</summary>
public sealed class WebhookAttempt
{
    public const int ErrorMaxLength = 300;

    public long Id { get; set; }
    public long DeliveryId { get; set; }
    public long EndpointId { get; set; }
    public DateTimeOffset At { get; set; }

    /// <summary>The receiver's HTTP status; null when none came (a refused connection, a time-out).</summary>
    public int? StatusCode { get; set; }

    public string? Error { get; set; }
    public int LatencyMs { get; set; }
}

internal sealed class WebhookAttemptConfiguration : IEntityTypeConfiguration<WebhookAttempt>
{
    public void Configure(EntityTypeBuilder<WebhookAttempt> e)
    {
        e.Property(x => x.Error).HasMaxLength(WebhookAttempt.ErrorMaxLength);
        e.HasIndex(x => new { x.EndpointId, x.Id });
        e.HasIndex(x => x.DeliveryId);
        e.HasOne<WebhookDelivery>().WithMany().HasForeignKey(x => x.DeliveryId).OnDelete(DeleteBehavior.Cascade);
    }
}
