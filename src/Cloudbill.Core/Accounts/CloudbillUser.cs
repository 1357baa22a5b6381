using Microsoft.AspNetCore.Identity;

namespace Cloudbill.Core.Accounts;

/// <summary>A person who signs in to the app. Owns exactly one <see cref="BillingAccount"/>.</summary>
public sealed class CloudbillUser : IdentityUser
{
    public long BillingAccountId { get; set; }
}
