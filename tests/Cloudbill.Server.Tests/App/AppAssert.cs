using Cloudbill.Core;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Time;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Server.Tests.App;

internal static class AppAssert
{
    /// <summary>"¥5,000.00" or "-¥5.00" as the app shows it, back to money.</summary>
    public static Money Yuan(string text)
    {
        var trimmed = text.Trim();
        var negative = trimmed.StartsWith('-');
        var money = Money.Parse(trimmed.TrimStart('-').TrimStart('¥').Replace(",", "", StringComparison.Ordinal));
        return negative ? -money : money;
    }

    public static Task<Instance> InstanceNamed(this TestServices services, string name) =>
        services.Query(db => db.Instances.AsNoTracking().SingleAsync(i => i.Name == name));

    public static Task<long> DemoAccount(this TestServices services) =>
        services.Query(db => db.BillingAccounts.Where(a => a.Email == AppFixture.DemoEmail).Select(a => a.Id).SingleAsync());

    public static string Date(DateTimeOffset instant) => BusinessCalendar.FormatDate(instant);
}
