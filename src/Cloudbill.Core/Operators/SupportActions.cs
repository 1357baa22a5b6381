using Cloudbill.Core.Accounts;
using Cloudbill.Core.Audit;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Renewals;
using Cloudbill.Core.Suggestions;

namespace Cloudbill.Core.Operators;

/// <summary>
/// What support staff do for a customer, each through the feature that owns it (the same calls the
/// customer's own app makes, with the same checks) and each with the staff member's reason on the
/// audit rows it writes (<see cref="StaffReason"/>).
/// </summary>
public sealed class SupportActions(RenewalService renewals, AccessKeyService keys, SuggestionService suggestions, MessageCenter messages, AuditOrigin origin)
{
    /// <summary>R2 on the customer's behalf: the customer's own rules apply (a period for auto-renewal, not on an expired instance, not while overdue).</summary>
    public Task<Result<int>> ChangeRenewalMethod(long accountId, string instanceId, RenewalMethod method, int? autoRenewPeriodMonths, string reason, CancellationToken ct) =>
        StaffReason.Then(origin, reason, () => renewals.SetRenewalMethod(accountId, [instanceId], method, autoRenewPeriodMonths, ct));

    /// <summary>An extension after an outage: whole days at no charge, a ¥0.00 Renew order through the one pipeline (<see cref="RenewalService.Extend"/>); once per form.</summary>
    public Task<Result<PaymentOutcome>> ExtendInstance(long accountId, string instanceId, int days, ClientToken token, string reason, CancellationToken ct) =>
        StaffReason.Then(origin, reason, () => renewals.Extend(accountId, instanceId, days, token, ct));

    /// <summary>Turns a customer's AccessKey off (a leaked secret) or on again; the API refuses a disabled pair from its next request.</summary>
    public Task<Result<AccessKeySummary>> SetAccessKeyEnabled(long accountId, string accessKeyId, bool enabled, string reason, CancellationToken ct) =>
        StaffReason.Then(origin, reason, () => keys.SetEnabled(accountId, accessKeyId, enabled, ct));

    /// <summary>Sends a message's email again; the Message Center entry stays as it was.</summary>
    public Task<Result<Notification>> ResendEmail(long accountId, long notificationId, string reason, CancellationToken ct) =>
        StaffReason.Then(origin, reason, () => messages.ResendEmail(accountId, notificationId, ct));

    /// <summary>Answers a suggestion in the customer's Message Center; the answer is also the audit row's reason.</summary>
    public async Task<Result<Notification>> AnswerSuggestion(long accountId, long suggestionId, string? answer, CancellationToken ct)
    {
        origin.Because((answer ?? "").Trim());
        return await suggestions.Answer(accountId, suggestionId, answer, ct);
    }
}
