using Microsoft.AspNetCore.Identity;

namespace Cloudbill.Core.Operators;

/// <summary>
/// What a member of the provider's staff may do in the operator console. Each role includes the
/// one before it: a viewer sees every customer and changes nothing; support also acts on a
/// customer's account (lock, renewal method, suggestions); finance also moves money (refunds,
/// adjustments, credit lines). docs/decisions/0038.
/// </summary>
public enum StaffRole
{
    Viewer,
    Support,
    Finance,
}

/// <summary>
/// A member of the provider's staff who signs in to the operator console (/operator) with a
/// password and an authenticator app's code. Not a customer: its own table, cookie and sign-in
/// page, and no billing account (docs/decisions/0038).
/// </summary>
public sealed class StaffUser : IdentityUser
{
    public StaffRole Role { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Identity's claim rows of staff, in their own table (Identity's store needs the type; nothing writes one yet).</summary>
public sealed class StaffUserClaim : IdentityUserClaim<string>;

/// <summary>Identity's external-login rows of staff, in their own table (Identity's store needs the type; staff sign in only with a password and a code).</summary>
public sealed class StaffUserLogin : IdentityUserLogin<string>;

/// <summary>Identity's token rows of staff: the authenticator key lives here.</summary>
public sealed class StaffUserToken : IdentityUserToken<string>;
