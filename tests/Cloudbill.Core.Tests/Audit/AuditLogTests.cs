using Cloudbill.Core.Accounts;
using Cloudbill.Core.Audit;
using Cloudbill.Core.Customers;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Renewals;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Cloudbill.Core.Tests.RenewNowTests;

namespace Cloudbill.Core.Tests;

/// <summary>The audit log: who did what to which account, written with the change itself, and never changed afterwards.</summary>
public class AuditLogTests
{
    internal static Task<List<AuditEvent>> Events(TestServices test, long? accountId = null) =>
        test.Query(db => db.AuditEvents.AsNoTracking().Where(e => accountId == null || e.AccountId == accountId).OrderBy(e => e.Id).ToListAsync());

    /// <summary>Runs a use case in a scope that acts as the operator would through a `cloudbill` verb.</summary>
    private static async Task<T> AsOperator<TService, T>(TestServices test, Func<TService, Task<T>> action) where TService : notnull
    {
        await using var scope = test.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<AuditOrigin>().ActAs(AuditActor.Operator, "ops");
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_new_account_logs_its_creation_opening_balance_and_AccessKey_with_the_operator(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);

        var created = await AsOperator<AccountService, Result<NewCustomer>>(test, s => s.Create("audit@example.com", "Secret-2026", Money.Parse("100.00"), null, CancellationToken.None));

        var account = created.Value.Account.Id;
        var events = await Events(test, account);
        Assert.Equal([AuditEventKind.AccountCreated, AuditEventKind.OpeningBalance, AuditEventKind.AccessKeyCreated], events.Select(e => e.Kind));
        Assert.All(events, e => Assert.Equal((AuditActor.Operator, "ops", TestServices.DefaultStart), (e.Actor, e.ActorId, e.At)));
        Assert.Equal($"opening-balance:{account}: +100.00 CNY", events[1].Detail);
        Assert.Equal($"AccessKey {created.Value.AccessKey.AccessKeyId}", events[2].Detail);
        Assert.DoesNotContain(events, e => e.Detail.Contains(created.Value.AccessKey.AccessKeySecret, StringComparison.Ordinal) || e.Detail.Contains("Secret-2026", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_database_refuses_to_update_or_delete_an_audit_row(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("50.00");
        var before = await Events(test, account);

        var update = await Record.ExceptionAsync(() => test.Query(db => db.AuditEvents.Where(e => e.AccountId == account).ExecuteUpdateAsync(s => s.SetProperty(e => e.Detail, "nothing happened"))));
        var delete = await Record.ExceptionAsync(() => test.Query(db => db.AuditEvents.Where(e => e.AccountId == account).ExecuteDeleteAsync()));

        Assert.Contains("append-only", update?.Message + update?.InnerException?.Message, StringComparison.Ordinal);
        Assert.Contains("append-only", delete?.Message + delete?.InnerException?.Message, StringComparison.Ordinal);
        Assert.Equal(before.Select(e => (e.Id, e.Kind, e.Detail)), (await Events(test, account)).Select(e => (e.Id, e.Kind, e.Detail)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_money_change_rolled_back_leaves_no_audit_row_and_a_committed_one_leaves_exactly_one(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer();
        var (cash, _) = await test.Run<LedgerService, (long, long)>((l, ct) => l.OpenCustomerAccounts(account, ct));
        var adjustments = await test.Run<LedgerService, long>((l, ct) => l.SystemAccount(LedgerService.OperatorAdjustmentsCode, LedgerAccountKind.OperatorAdjustments, ct));
        IReadOnlyList<PostingLine> lines = [new(adjustments, Money.Parse("-7.50")), new(cash, Money.Parse("7.50"))];

        await using (var scope = test.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CloudbillDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync(TestContext.Current.CancellationToken);
            Assert.True((await scope.ServiceProvider.GetRequiredService<LedgerService>().Post("adjust:1", "Adjustment", lines, CancellationToken.None)).Succeeded);
            await tx.RollbackAsync(TestContext.Current.CancellationToken);
        }
        Assert.DoesNotContain(await Events(test, account), e => e.Kind == AuditEventKind.BalanceChanged);

        await test.Run<LedgerService, Result<PostResult>>((l, ct) => l.Post("adjust:1", "Adjustment", lines, ct));
        await test.Run<LedgerService, Result<PostResult>>((l, ct) => l.Post("adjust:1", "Adjustment", lines, ct));

        var change = Assert.Single(await Events(test, account), e => e.Kind == AuditEventKind.BalanceChanged);
        Assert.Equal(("adjust:1: +7.50 CNY", AuditActor.Engine), (change.Detail, change.Actor));
        Assert.Equal(Money.Parse("7.50"), (await test.Balance(account)).Cash);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Each_AccessKey_change_is_logged_once_for_its_customer(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer();
        var other = await test.Customer();
        var pair = await test.Run<AccessKeyService, Result<AccessKeyPair>>((k, ct) => k.CreateForCustomer(account, new ClientToken("audit-key-1"), ct));
        var id = pair.Value.AccessKeyId;

        await test.Run<AccessKeyService, Result<AccessKeySummary>>((k, ct) => k.SetEnabled(account, id, false, ct));
        await test.Run<AccessKeyService, Result<AccessKeySummary>>((k, ct) => k.SetEnabled(account, id, false, ct));
        await test.Run<AccessKeyService, Result<AccessKeySummary>>((k, ct) => k.SetEnabled(account, id, true, ct));
        var foreign = await test.Run<AccessKeyService, Result<string>>((k, ct) => k.Delete(other, id, ct));
        await test.Run<AccessKeyService, Result<string>>((k, ct) => k.Delete(account, id, ct));
        await test.Run<AccessKeyService, Result<string>>((k, ct) => k.Delete(account, id, ct));

        Assert.False(foreign.Succeeded);
        var keyEvents = (await Events(test, account)).Where(e => e.Detail == $"AccessKey {id}").Select(e => e.Kind);
        Assert.Equal([AuditEventKind.AccessKeyCreated, AuditEventKind.AccessKeyDisabled, AuditEventKind.AccessKeyEnabled, AuditEventKind.AccessKeyDeleted], keyEvents);
        Assert.DoesNotContain(await Events(test, other), e => e.Detail.Contains(id, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_renewal_method_change_and_the_engine_auto_renewal_charge_are_logged(DatabaseProvider provider) // R2, R4.2
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("1000.00");
        var instance = await test.Instance(account, Shanghai(2026, 12, 10), name: "web");

        Assert.Equal(1, (await test.Run<RenewalService, Result<int>>((s, ct) => s.SetRenewalMethod(account, [instance.Id], RenewalMethod.AutoRenewal, 1, ct))).Value);
        await LifecycleEngineTests.RunDaily(test, Shanghai(2026, 12, 2, 9), 8);

        var events = await Events(test, account);
        var method = Assert.Single(events, e => e.Kind == AuditEventKind.RenewalMethodChanged);
        Assert.Equal($"AutoRenewal every 1 month(s): {instance.Id}", method.Detail);
        var charge = Assert.Single(events, e => e.Kind == AuditEventKind.AutoRenewalCharged);
        Assert.Equal(AuditActor.Engine, charge.Actor);
        Assert.Matches(@"^order:\d+:payment: -330\.00 CNY$", charge.Detail);
        Assert.Equal(Money.Parse("670.00"), (await test.Balance(account)).Cash);
    }

    [Fact]
    public void Repeated_failures_are_written_first_then_every_hundredth_and_again_after_the_window()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestServices.DefaultStart);
        var failures = new RepeatedFailures(clock);

        var written = Enumerable.Range(1, 250).Where(_ => failures.Count("203.0.113.9", "SignatureDoesNotMatch", "LTAIkey") is not null).ToList();
        clock.Advance(RepeatedFailures.Window);
        var afterWindow = failures.Count("203.0.113.9", "SignatureDoesNotMatch", "LTAIkey");

        Assert.Equal([1, 100, 200], written);
        Assert.Equal((1, 1), afterWindow);
    }

    [Fact]
    public void Varying_the_claimed_key_from_one_address_writes_a_bounded_number_of_rows()
    {
        var failures = new RepeatedFailures(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestServices.DefaultStart));

        var written = Enumerable.Range(1, 1000).Count(n => failures.Count("203.0.113.9", "AccessKeyNotFound", $"LTAIguess{n}") is not null);
        var otherAddress = failures.Count("198.51.100.7", "AccessKeyNotFound", "LTAIguess1");

        Assert.Equal(RepeatedFailures.FirstsPerAddress + 1000 / RepeatedFailures.RecordEvery, written);
        Assert.NotNull(otherAddress);
    }
}
