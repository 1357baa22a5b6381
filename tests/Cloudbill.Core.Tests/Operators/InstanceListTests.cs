using Cloudbill.Core.Instances;
using Cloudbill.Core.Operators;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Tests.Operators;

/// <summary>The console's list of every instance: newest first, a page at a time by keyset, each row once, with filters.</summary>
public class InstanceListTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Pages_by_keyset_list_each_instance_once_newest_first_and_filters_narrow_them(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var accountId = await test.Customer();
        var now = test.Clock.GetUtcNow();
        var made = new List<Instance>();
        for (var n = 0; n < 7; n++)
            made.Add(await test.Instance(accountId, now.AddDays(n < 2 ? 5 : 60), product: n == 6 ? "rds" : "ecs", spec: n == 6 ? "mysql.n2.medium.1" : "ecs.g7.large"));
        // Two share a creation time, as a batch purchase makes them: the id breaks the tie.
        await test.Query(async db =>
        {
            for (var n = 0; n < made.Count; n++)
            {
                var id = made[n].Id;
                var created = now.AddHours(-(n == 3 ? 2 : n));
                await db.Instances.Where(i => i.Id == id).ExecuteUpdateAsync(s => s.SetProperty(i => i.CreatedAt, created));
            }
            return 0;
        });
        await test.Query(db => db.Instances.Where(i => i.Id == made[5].Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.ReleasedAt, now.AddDays(-1))));

        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = (await test.Run<InstanceList, Result<InstanceListPage>>((l, ct) => l.Page(new InstanceListFilter(After: after, PageSize: 3), ct))).Value;
            seen.AddRange(page.Instances.Select(i => i.Id));
            after = page.Next;
            pages++;
        }
        while (after is not null);
        Assert.Equal(3, pages);
        var expected = made.Select((i, n) => (i.Id, Created: now.AddHours(-(n == 3 ? 2 : n)))).OrderByDescending(x => x.Created).ThenByDescending(x => x.Id, StringComparer.Ordinal).Select(x => x.Id);
        Assert.Equal(expected, seen);

        async Task<IEnumerable<string>> Ids(InstanceListFilter filter) =>
            (await test.Run<InstanceList, Result<InstanceListPage>>((l, ct) => l.Page(filter, ct))).Value.Instances.Select(i => i.Id).Order(StringComparer.Ordinal);
        Assert.Equal(new[] { made[0].Id, made[1].Id }.Order(StringComparer.Ordinal), await Ids(new InstanceListFilter(InstanceListState.ExpiringSoon)));
        Assert.Equal([made[5].Id], await Ids(new InstanceListFilter(InstanceListState.Released)));
        Assert.Equal([made[6].Id], await Ids(new InstanceListFilter(ProductCode: "rds")));

        var bad = await test.Run<InstanceList, Result<InstanceListPage>>((l, ct) => l.Page(new InstanceListFilter(After: "yesterday"), ct));
        Assert.Equal("Instances.InvalidFilter", bad.Problem?.Code);
        var huge = await test.Run<InstanceList, Result<InstanceListPage>>((l, ct) => l.Page(new InstanceListFilter(After: "99999999999999999999.i-x"), ct));
        Assert.Equal("Instances.InvalidFilter", huge.Problem?.Code);
    }
}
