using Cloudbill.Core.Problems;

namespace Cloudbill.Core.Ledger;

public static class LedgerErrors
{
    public static Problem Unbalanced(string businessKey, Money sum) =>
        Problem.Invalid("Ledger.Unbalanced", $"Transaction '{businessKey}' does not balance: its postings sum to {sum}, not 0.00.");

    public static Problem Empty(string businessKey) =>
        Problem.Invalid("Ledger.Empty", $"Transaction '{businessKey}' has no non-zero postings.");

    public static Problem KeyReused(string businessKey, long transactionId) =>
        Problem.Conflict("Ledger.KeyReused", $"The business key '{businessKey}' is already used by transaction {transactionId} with other postings; nothing was posted. A retry must post the same amounts to the same accounts, and a new transaction needs a new key.");

    public static Problem UnknownAccount(long id) =>
        Problem.NotFound("Ledger.UnknownAccount", $"Ledger account {id} does not exist.");
}
