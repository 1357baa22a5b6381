using Cloudbill.Core.Problems;

namespace Cloudbill.Core.Accounts;

public static class AccountErrors
{
    public static Problem EmailTaken(string email) =>
        Problem.Conflict("Account.EmailTaken", $"An account with the email {email} already exists; sign in or use another email.");

    public static Problem InvalidEmail(string email) =>
        Problem.Invalid("Account.InvalidEmail", $"'{email}' is not an email address.");

    public static Problem WeakPassword(string reasons) =>
        Problem.Invalid("Account.WeakPassword", $"The password was refused: {reasons}");

    public static Problem NegativeBalance(Money balance) =>
        Problem.Invalid("Account.NegativeOpeningBalance", $"The opening balance {balance} is negative; give 0.00 or more.");
}
