using Cloudbill.Core.Problems;

namespace Cloudbill.Core.Ledger;

public static class LedgerErrors
{
    public static Problem Unbalanced(string businessKey, Money sum) =>
        Problem.Invalid("Ledger.Unbalanced", $"Transaction '{businessKey}' does not balance: its postings sum to {sum}, not 0.00.");

    public static Problem Empty(string businessKey) =>
        Problem.Invalid("Ledger.Empty", $"Transaction '{businessKey}' has no non-zero postings.");

    public static Problem UnknownAccount(long id) =>
        Problem.NotFound("Ledger.UnknownAccount", $"Ledger account {id} does not exist.");
}
