using Cloudbill.Core.Notifications;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Testing;
using Microsoft.Extensions.DependencyInjection;
using static Cloudbill.Core.Tests.EmailOutboxTests;

namespace Cloudbill.Core.Tests;

/// <summary>R9.2: the in-app Message Center, always scoped to the caller's account.</summary>
public class MessageCenterTests
{
    /// <summary>The Message Center in its own scope, as one request would use it.</summary>
    internal static async Task<T> Center<T>(TestServices test, Func<MessageCenter, CancellationToken, Task<T>> action)
    {
        await using var scope = test.Services.CreateAsyncScope();
        return await action(ActivatorUtilities.CreateInstance<MessageCenter>(scope.ServiceProvider), CancellationToken.None);
    }

    private static async Task<IReadOnlyList<string>> Titles(TestServices test, long account, MessageFilter filter) =>
        (await Center(test, (c, ct) => c.List(account, filter, ct))).Value.Messages.Select(m => m.Title()).ToList();

    private static Task<int> Unread(TestServices test, long account) => Center(test, (c, ct) => c.UnreadCount(account, ct));

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Lists_the_callers_messages_newest_first_with_paging_and_filters(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var mine = await test.Customer();
        var theirs = await test.Customer();
        await Notify(test, mine, "Expires in 7 days", NotificationKind.ExpiryReminder);
        test.Clock.Advance(TimeSpan.FromHours(1));
        await Notify(test, theirs, "Their payment", NotificationKind.PaymentSucceeded);
        test.Clock.Advance(TimeSpan.FromHours(1));
        await Notify(test, mine, "Payment received", NotificationKind.PaymentSucceeded);
        test.Clock.Advance(TimeSpan.FromHours(1));
        await Notify(test, mine, "Expires in 3 days", NotificationKind.ExpiryReminder);

        var all = (await Center(test, (c, ct) => c.List(mine, new MessageFilter(), ct))).Value;
        Assert.Equal(["Expires in 3 days", "Payment received", "Expires in 7 days"], all.Messages.Select(m => m.Title()));
        Assert.Equal((3, 1, 20), (all.Total, all.Page, all.PageSize));

        var page2 = (await Center(test, (c, ct) => c.List(mine, new MessageFilter(Page: 2, PageSize: 2), ct))).Value;
        Assert.Equal((3, "Expires in 7 days"), (page2.Total, page2.Messages.Single().Title()));
        Assert.Equal(["Expires in 3 days", "Expires in 7 days"], await Titles(test, mine, new MessageFilter(Kind: NotificationKind.ExpiryReminder)));
        Assert.Equal(["Their payment"], await Titles(test, theirs, new MessageFilter()));
        Assert.Empty(await Titles(test, mine, new MessageFilter(Kind: NotificationKind.Overdue)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Marks_the_callers_messages_read_one_or_all_and_never_another_accounts(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var mine = await test.Customer();
        var theirs = await test.Customer();
        var first = await Notify(test, mine, "First");
        test.Clock.Advance(TimeSpan.FromMinutes(1));
        var second = await Notify(test, mine, "Second");
        test.Clock.Advance(TimeSpan.FromMinutes(1));
        await Notify(test, mine, "Third");
        var other = await Notify(test, theirs, "Not yours");
        Assert.Equal((3, 1), (await Unread(test, mine), await Unread(test, theirs)));

        test.Clock.Advance(TimeSpan.FromMinutes(1));
        var readAt = test.Clock.GetUtcNow();
        var read = await Center(test, (c, ct) => c.MarkRead(mine, second.Id, ct));
        Assert.Equal(readAt, read.Value.ReadAt);
        Assert.Equal(2, await Unread(test, mine));
        Assert.Equal(["Third", "First"], await Titles(test, mine, new MessageFilter(UnreadOnly: true)));

        // Reading it again keeps the first time.
        test.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(readAt, (await Center(test, (c, ct) => c.MarkRead(mine, second.Id, ct))).Value.ReadAt);

        // Another account's message, or one that does not exist, is simply not found.
        foreach (var id in new[] { other.Id, other.Id + 1000 })
        {
            var refused = await Center(test, (c, ct) => c.MarkRead(mine, id, ct));
            Assert.Equal(("Notification.NotFound", ProblemKind.NotFound), (refused.Problem!.Code, refused.Problem.Kind));
            Assert.Equal($"Message {id} was not found in your Message Center.", refused.Problem.Message);
        }
        Assert.Equal(1, await Unread(test, theirs));

        Assert.Equal(2, await Center(test, (c, ct) => c.MarkAllRead(mine, ct)));
        Assert.Equal((0, 1), (await Unread(test, mine), await Unread(test, theirs)));
        Assert.Equal(0, await Center(test, (c, ct) => c.MarkAllRead(mine, ct)));
        Assert.Empty(await Titles(test, mine, new MessageFilter(UnreadOnly: true)));
        Assert.Equal(first.Id, (await Center(test, (c, ct) => c.List(mine, new MessageFilter(), ct))).Value.Messages[^1].Id);
    }

    [Theory]
    [InlineData(0, 20, "Page 0 does not exist; pages start at 1.")]
    [InlineData(1, 0, "Page size 0 is outside 1 to 100.")]
    [InlineData(1, 101, "Page size 101 is outside 1 to 100.")]
    public async Task A_bad_page_is_a_clear_error(int page, int pageSize, string message)
    {
        await using var test = await TestServices.Start(DatabaseProvider.Sqlite);
        var account = await test.Customer();

        var listed = await Center(test, (c, ct) => c.List(account, new MessageFilter(Page: page, PageSize: pageSize), ct));

        Assert.Equal(("Notification.InvalidFilter", ProblemKind.Invalid, message), (listed.Problem!.Code, listed.Problem.Kind, listed.Problem.Message));
    }
}
