using Cloudbill.Core.Audit;
using Cloudbill.Core.Problems;

namespace Cloudbill.Core.Operators;

/// <summary>
/// Every staff action asks why; the reason goes into each audit row the action writes
/// (<see cref="AuditEvent.Reason"/>, through <see cref="AuditOrigin.Because"/>), whichever feature
/// writes it.
/// </summary>
public static class StaffReason
{
    public const int MaxLength = AuditEvent.ReasonMaxLength;

    /// <summary>The reason's refusal, or null when it is one: required, at most <see cref="MaxLength"/>, no control characters but line breaks and tabs.</summary>
    public static Problem? Check(string reason) =>
        reason.Length == 0 ? Problem.Invalid("Staff.ReasonRequired", "Say why: the reason goes into the audit log.")
        : reason.Length > MaxLength ? Problem.Invalid("Staff.ReasonTooLong", $"A reason is at most {MaxLength} characters.")
        : reason.Any(c => char.IsControl(c) && c is not ('\r' or '\n' or '\t')) ? Problem.Invalid("Staff.ReasonInvalid", "A reason has no control characters.")
        : null;

    /// <summary>Checks the reason (trimmed) and, when it is one, hands it to the audit rows the action writes next.</summary>
    public static Problem? Give(AuditOrigin origin, string reason)
    {
        reason = reason.Trim();
        if (Check(reason) is { } refused)
            return refused;
        origin.Because(reason);
        return null;
    }

    /// <summary>The action, with the reason on its audit rows; the reason's refusal instead when it is none.</summary>
    public static async Task<Result<T>> Then<T>(AuditOrigin origin, string reason, Func<Task<Result<T>>> action) =>
        Give(origin, reason) is { } refused ? refused : await action();
}
