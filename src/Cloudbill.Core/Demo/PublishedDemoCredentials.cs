using Cloudbill.Core.Accounts;
using Microsoft.AspNetCore.Identity;

namespace Cloudbill.Core.Demo;

/// <summary>
/// The demo customer's credentials as the README publishes them: anyone can sign in or call the
/// API with them, so outside Development the server does not start while an account still has
/// them (docs/decisions/0026). Only the accounts that could have them are checked: the demo
/// email's password hash and the demo AccessKey id's secret, the published ones and the configured ones.
/// </summary>
public sealed class PublishedDemoCredentials(UserManager<CloudbillUser> users, AccessKeyService accessKeys, DemoOptions demo)
{
    public const string Email = "demo@cloudbill.local";
    public const string Password = "Demo-2026!";
    public const string AccessKeyId = "LTAI5tCloudbillDemo00001";
    public const string AccessKeySecret = "CloudbillDemoSecret00000000001";

    /// <summary>What still uses a published credential, as one sentence that says what to change; null when nothing does.</summary>
    public async Task<string?> FindInUse(CancellationToken ct)
    {
        var found = new List<string>();
        foreach (var email in new[] { Email, demo.Email }.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (await users.FindByEmailAsync(email) is { } user && await users.CheckPasswordAsync(user, Password))
                found.Add($"the account {email} still has the published demo password");
        }
        foreach (var id in new[] { AccessKeyId, demo.AccessKeyId }.Distinct(StringComparer.Ordinal))
        {
            if (await accessKeys.HasSecret(id, AccessKeySecret, ct))
                found.Add($"the AccessKey {id} still has the published demo secret");
        }
        return found.Count == 0
            ? null
            : $"{string.Join(" and ", found)} (README, \"Demo data\"), so anyone could use them. Outside Development the server does not start so: "
              + "change the password in Settings and delete that AccessKey (start once with ASPNETCORE_ENVIRONMENT=Development, listening on 127.0.0.1 only), "
              + "or start on a fresh data directory; to seed a demo outside Development, first set Cloudbill:Demo:Password and Cloudbill:Demo:AccessKeySecret to values of your own.";
    }
}
