using System.Globalization;
using Cloudbill.Core.Audit;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Operators;

public enum RecipientProblem
{
    NotACustomerReference,
    NoSuchEmail,
    NoSuchAccount,
    Repeated,
}

/// <summary>A line of a grant's customer list that names nobody, or somebody twice (the customer of <see cref="SameAsLine"/>).</summary>
public sealed record RecipientError(int Line, string Text, RecipientProblem Problem, int? SameAsLine = null)
{
    public string Message => Problem switch
    {
        RecipientProblem.NoSuchEmail => "no customer has this email.",
        RecipientProblem.NoSuchAccount => "no customer has this account ID.",
        RecipientProblem.Repeated => $"the same customer as line {SameAsLine}.",
        _ => "it is neither an account ID nor an email.",
    };
}

/// <summary>What a grant did: the coupons issued, or every bad line of the list and nothing issued.</summary>
public sealed record CouponGrant(IReadOnlyList<RecipientError> Errors, CouponsIssued? Issued);

/// <summary>
/// Finance staff give coupons to one customer or to a list (a campaign, an apology to everyone in a
/// region) and withdraw one. The list is CSV text, one customer per line: an account ID or an email
/// (a first column of a wider file; a header line "email" or "account" is skipped). Every line is
/// checked before anything is issued: one bad line issues nothing and is reported with its number.
/// </summary>
public sealed class CouponGrants(CloudbillDbContext db, CouponService coupons, AuditOrigin origin)
{
    public async Task<Result<CouponGrant>> Grant(string? recipients, CouponTerms terms, ClientToken token, string reason, CancellationToken ct)
    {
        if (StaffReason.Give(origin, reason) is { } refused)
            return refused;
        var lines = (recipients ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        if (lines.Length > CouponService.MaxGrant + 1)
            return Problem.Invalid("Coupon.TooManyCustomers", $"A grant reaches at most {CouponService.MaxGrant} customers; the list has {lines.Length} lines.");

        var wanted = new List<(int Line, string Text, long? Id, string? Email)>();
        var errors = new List<RecipientError>();
        for (var n = 0; n < lines.Length; n++)
        {
            var text = lines[n].Split(',')[0].Trim().Trim('"').Trim();
            if (text.Length == 0 || (n == 0 && text.ToUpperInvariant() is "EMAIL" or "ACCOUNT" or "ACCOUNT ID" or "ACCOUNTID"))
                continue;
            if (text.Length > 256 || text.Any(char.IsControl))
                errors.Add(new RecipientError(n + 1, text[..Math.Min(text.Length, 40)], RecipientProblem.NotACustomerReference));
            else if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                wanted.Add((n + 1, text, id, null));
            else if (text.Contains('@', StringComparison.Ordinal))
                wanted.Add((n + 1, text, null, text.ToUpperInvariant()));
            else
                errors.Add(new RecipientError(n + 1, text, RecipientProblem.NotACustomerReference));
        }

        var ids = wanted.Where(w => w.Id is not null).Select(w => w.Id!.Value).Distinct().ToList();
        var emails = wanted.Where(w => w.Email is not null).Select(w => w.Email!).Distinct().ToList();
        var known = (await db.BillingAccounts.AsNoTracking().Where(a => ids.Contains(a.Id)).Select(a => a.Id).ToListAsync(ct)).ToHashSet();
        var byEmail = (await db.Users.AsNoTracking().Where(u => emails.Contains(u.NormalizedEmail!)).Select(u => new { u.NormalizedEmail, u.BillingAccountId }).ToListAsync(ct))
            .ToDictionary(u => u.NormalizedEmail!, u => u.BillingAccountId, StringComparer.Ordinal);

        var accounts = new List<long>();
        var firstLine = new Dictionary<long, int>();
        foreach (var (line, text, id, email) in wanted)
        {
            long? account = id is { } given ? (known.Contains(given) ? given : null) : byEmail.TryGetValue(email!, out var found) ? found : null;
            if (account is not { } a)
                errors.Add(new RecipientError(line, text, id is null ? RecipientProblem.NoSuchEmail : RecipientProblem.NoSuchAccount));
            else if (firstLine.TryGetValue(a, out var first))
                errors.Add(new RecipientError(line, text, RecipientProblem.Repeated, first));
            else
            {
                firstLine[a] = line;
                accounts.Add(a);
            }
        }
        if (errors.Count > 0)
            return new CouponGrant(errors.OrderBy(e => e.Line).ToList(), null);
        if (accounts.Count == 0)
            return Problem.Invalid("Coupon.NoCustomers", "Name at least one customer: an account ID or an email per line.");

        var issued = await coupons.Grant(accounts, terms, token, ct);
        return issued.Succeeded ? new CouponGrant([], issued.Value) : issued.Problem!;
    }

    public Task<Result<Coupon>> Revoke(long accountId, long couponId, string reason, CancellationToken ct) =>
        StaffReason.Then(origin, reason, () => coupons.Revoke(accountId, couponId, ct));
}
