using Cloudbill.Core.Accounts;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Customers;

public sealed record NewCustomer(CloudbillUser User, BillingAccount Account, AccessKeyPair AccessKey);

/// <summary>Customers: an Identity user, its billing account, its ledger accounts and an AccessKey pair.</summary>
public sealed class AccountService(
    CloudbillDbContext db,
    UserManager<CloudbillUser> users,
    LedgerService ledger,
    AccessKeyService accessKeys,
    Audit.AuditLog audit,
    TimeProvider clock)
{
    /// <summary>
    /// Creates a customer in one transaction. A positive opening balance is granted from the
    /// operator's adjustments account, under a business key tied to the new account.
    /// </summary>
    public async Task<Result<NewCustomer>> Create(string email, string password, Money openingBalance, AccessKeyPair? accessKey, CancellationToken ct)
    {
        email = email.Trim();
        if (!System.Net.Mail.MailAddress.TryCreate(email, out var parsed) || parsed.Address != email)
            return AccountErrors.InvalidEmail(email);
        if (openingBalance.IsNegative)
            return AccountErrors.NegativeBalance(openingBalance);
        if (await users.FindByEmailAsync(email) is not null || await db.BillingAccounts.AnyAsync(a => a.Email == email, ct))
            return AccountErrors.EmailTaken(email);

        await using var tx = await db.BeginOrJoinTransaction(ct);
        var account = new BillingAccount { Email = email, CreatedAt = clock.GetUtcNow() };
        db.BillingAccounts.Add(account);
        await db.SaveChangesAsync(ct);
        await audit.Record(Audit.AuditEventKind.AccountCreated, account.Id, $"account {account.Id}", ct);

        var user = new CloudbillUser { UserName = email, Email = email, EmailConfirmed = true, BillingAccountId = account.Id };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
            return AccountErrors.WeakPassword(string.Join(" ", created.Errors.Select(e => e.Description)));

        var (cash, _) = await ledger.OpenCustomerAccounts(account.Id, ct);
        if (openingBalance.IsPositive)
        {
            var adjustments = await ledger.SystemAccount(LedgerService.OperatorAdjustmentsCode, LedgerAccountKind.OperatorAdjustments, ct);
            var posted = await ledger.Post($"opening-balance:{account.Id}", $"Opening balance for {email}",
                [new PostingLine(adjustments, -openingBalance), new PostingLine(cash, openingBalance)], ct);
            if (!posted.Succeeded)
                return posted.Problem!;
        }

        var pair = accessKey is null ? await accessKeys.Create(account.Id, ct) : await accessKeys.Add(account.Id, accessKey, ct);
        await tx.Commit(ct);
        return new NewCustomer(user, account, pair);
    }
    /// <summary>
    /// A customer imported from the provider's system (docs/decisions/0032), in the caller's
    /// transaction: the billing account with the provider's id and name, an Identity user with
    /// no password (nobody can sign in as it until the operator or a password reset sets one),
    /// and its ledger accounts. No AccessKey: the customer creates one once signed in. The
    /// caller has checked the email and the id are free; the opening balance is the caller's.
    /// </summary>
    public async Task<Result<BillingAccount>> CreateImported(string email, string externalId, string? name, CancellationToken ct)
    {
        await using var tx = await db.BeginOrJoinTransaction(ct);
        var account = new BillingAccount { Email = email, ExternalId = externalId, Name = name, CreatedAt = clock.GetUtcNow() };
        db.BillingAccounts.Add(account);
        await db.SaveChangesAsync(ct);
        await audit.Record(Audit.AuditEventKind.AccountCreated, account.Id, $"account {account.Id} imported as {externalId}", ct);
        var user = new CloudbillUser { UserName = email, Email = email, EmailConfirmed = true, BillingAccountId = account.Id };
        var created = await users.CreateAsync(user);
        if (!created.Succeeded)
            return AccountErrors.WeakPassword(string.Join(" ", created.Errors.Select(e => e.Description)));
        await ledger.OpenCustomerAccounts(account.Id, ct);
        await tx.Commit(ct);
        return account;
    }
}
