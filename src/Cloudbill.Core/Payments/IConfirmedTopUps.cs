namespace Cloudbill.Core.Payments;

/// <summary>
/// What a confirmed top-up does once its money is on the account's cash, inside the confirmation's
/// transaction. The top-up use case (TopUps.TopUpCredits) implements it; Payments owns the interface
/// so that the gateways do not depend on the use cases above them (docs/decisions/0020).
/// </summary>
public interface IConfirmedTopUps
{
    /// <returns>The payment's outcome, as the customer reads it.</returns>
    Task<string> Credit(GatewayPayment payment, CancellationToken ct);
}
