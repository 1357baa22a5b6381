namespace Cloudbill.Core.Orders;

/// <summary>`Cloudbill:Orders` (bound as part of <c>CloudbillOptions</c>).</summary>
public sealed class OrderOptions
{
    /// <summary>R5.2: an unpaid order is cancelled automatically after this many days.</summary>
    public int UnpaidLifetimeDays { get; set; } = 7;
}
