using System.Globalization;
using System.Security.Claims;
using Cloudbill.Core.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Cloudbill.Server.Hosting;

/// <summary>Puts the billing account id in the sign-in cookie, so every query can be scoped to it without a lookup.</summary>
internal sealed class CustomerClaimsFactory(UserManager<CloudbillUser> users, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<CloudbillUser>(users, options)
{
    public const string AccountClaim = "cloudbill:account";

    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(CloudbillUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(AccountClaim, user.BillingAccountId.ToString(CultureInfo.InvariantCulture)));
        if (AppLanguages.IsSupported(user.PreferredCulture))
            identity.AddClaim(new Claim(AppLanguages.CultureClaim, user.PreferredCulture!));
        return identity;
    }
}

public static class CustomerPrincipal
{
    /// <summary>The caller's billing account; every customer query is scoped to it.</summary>
    public static long AccountId(this ClaimsPrincipal user) =>
        long.Parse(user.FindFirstValue(CustomerClaimsFactory.AccountClaim) ?? throw new InvalidOperationException("The caller is not signed in as a customer."), CultureInfo.InvariantCulture);
}
