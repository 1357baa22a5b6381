using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;

namespace Cloudbill.Core.Accounts;

/// <summary>A person who signs in to the app. Owns exactly one <see cref="BillingAccount"/>.</summary>
public sealed class CloudbillUser : IdentityUser
{
    public long BillingAccountId { get; set; }

    /// <summary>The app's language this customer chose ("en" or "zh-CN"); null until they choose one.</summary>
    [MaxLength(10)]
    public string? PreferredCulture { get; set; }
}
