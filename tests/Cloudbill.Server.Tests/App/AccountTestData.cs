using Cloudbill.Core.Notifications;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Server.Tests.App;

/// <summary>Arranging and checking the account pages: a customer's messages, and every row those pages can change.</summary>
internal static class AccountTestData
{
    public const string Password = "Secret-2026";

    /// <summary>
    /// A message in the customer's Message Center with the given English title, as rows were
    /// written before notices had content (docs/decisions/0030): shown as written, in any language.
    /// </summary>
    public static Task<Notification> Message(this TestServices services, long accountId, NotificationKind kind, string title, DateTimeOffset at, string? instanceId = null, long? orderId = null) =>
        services.Query(async db =>
        {
            var message = new Notification
            {
                AccountId = accountId,
                Kind = kind,
                CauseKey = $"test:{Guid.NewGuid():N}",
                LegacyTitle = title,
                LegacyBody = $"{title}: details for the test.",
                InstanceId = instanceId,
                OrderId = orderId,
                CreatedAt = at,
                Email = EmailState.NotConfigured,
            };
            db.Notifications.Add(message);
            await db.SaveChangesAsync();
            return message;
        });

    /// <summary>
    /// The money snapshot (<see cref="Scenario.Snapshot"/>) and the rows of the account pages:
    /// AccessKeys, read marks, suggestions, passwords and languages. Equal means nothing changed.
    /// </summary>
    public static async Task<string> AccountSnapshot(this TestServices services)
    {
        var money = await services.Snapshot();
        var rest = await services.Query(async db =>
        {
            var lines = new List<string>();
            lines.AddRange((await db.AccessKeys.AsNoTracking().OrderBy(k => k.Id).ToListAsync()).Select(k => $"K {k.Id} {k.BillingAccountId} {k.Enabled} {k.DeletedAt?.UtcTicks} {k.ClientToken}"));
            lines.AddRange((await db.Notifications.AsNoTracking().OrderBy(n => n.Id).ToListAsync()).Select(n => $"R {n.Id} {n.ReadAt?.UtcTicks}"));
            lines.AddRange((await db.Suggestions.AsNoTracking().OrderBy(s => s.Id).ToListAsync()).Select(s => $"S {s.Id} {s.AccountId} {s.Product} {s.Text}"));
            lines.AddRange((await db.Users.AsNoTracking().OrderBy(u => u.Id).ToListAsync()).Select(u => $"U {u.Id} {u.PasswordHash} {u.PreferredCulture} {u.SecurityStamp}"));
            return string.Join("\n", lines);
        });
        return money + "\n" + rest;
    }
}
