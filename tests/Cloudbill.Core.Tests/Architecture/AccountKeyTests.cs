using Cloudbill.Core.Persistence;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace Cloudbill.Core.Tests.Architecture;

/// <summary>
/// Every customer-owned table carries the account id (docs/decisions/0035-growing-past-one-postgresql.md):
/// the key a partition or a distributed table would be cut by, and the filter every customer query
/// already has. A table that is not the customer's says why here; a new table must do one or the
/// other. The rule is also run on a fixture model that breaks it, to show it fails when it should.
/// </summary>
public class AccountKeyTests
{
    /// <summary>The names that hold the billing account's id.</summary>
    private static readonly string[] AccountColumns = ["AccountId", "BillingAccountId"];

    /// <summary>The tables that are not one customer's, by table name, and why.</summary>
    private static readonly Dictionary<string, string> NotCustomerOwned = new()
    {
        ["BillingAccounts"] = "the account itself: its Id is the account id",
        ["JournalTransactions"] = "a transaction spans a customer's and a system's accounts; its postings carry the account (transactions: partitioned by time)",
        ["SignatureNonces"] = "a replay guard per AccessKey id, read only by (key, nonce) and pruned by time: partitioned by time",
        ["DataProtectionKeys"] = "the server's key ring",
        ["WebhookEndpoints"] = "the operator's receivers",
        ["WebhookSecrets"] = "the operator's receivers' secrets",
        ["WebhookDeliveries"] = "per endpoint and event (the event carries the account): outbox plumbing, partitioned by time",
        ["WebhookAttempts"] = "the delivery log, partitioned by time",
        ["ProviderKeys"] = "the operator's provider keys",
        ["AspNetRoles"] = "Identity's roles: the same for everyone",
        ["AspNetRoleClaims"] = "Identity's role claims: the same for everyone",
        ["AspNetUserClaims"] = "a sign-in user's rows, keyed by the user, whose row (AspNetUsers) holds BillingAccountId",
        ["AspNetUserLogins"] = "a sign-in user's rows, keyed by the user, whose row (AspNetUsers) holds BillingAccountId",
        ["AspNetUserRoles"] = "a sign-in user's rows, keyed by the user, whose row (AspNetUsers) holds BillingAccountId",
        ["AspNetUserTokens"] = "a sign-in user's rows, keyed by the user, whose row (AspNetUsers) holds BillingAccountId",
        ["StaffUsers"] = "the provider's staff (the operator console): nobody's account",
        ["StaffUserClaims"] = "a member of staff's rows, keyed by the staff user",
        ["StaffUserLogins"] = "a member of staff's rows, keyed by the staff user",
        ["StaffUserTokens"] = "a member of staff's rows (the authenticator key), keyed by the staff user",
    };

    [Fact]
    public async Task Every_customer_owned_table_carries_the_account_id()
    {
        await using var test = await TestServices.Start(DatabaseProvider.Sqlite);
        await using var scope = test.Services.CreateAsyncScope();
        var model = scope.ServiceProvider.GetRequiredService<CloudbillDbContext>().Model;

        Assert.Equal([], WithoutAccountId(model, NotCustomerOwned.Keys));
        // No stale exemption: each names a table that exists and really has no account id.
        var tables = Tables(model).ToDictionary(t => t.GetTableName()!);
        Assert.All(NotCustomerOwned.Keys, name => Assert.True(tables.ContainsKey(name) && AccountColumn(tables[name]) is null, name));
    }

    [Fact]
    public void The_rule_fails_on_a_table_without_it()
    {
        using var fixture = new FixtureContext();
        Assert.Equal(["Orphan"], WithoutAccountId(fixture.Model, []));
        Assert.Equal([], WithoutAccountId(fixture.Model, ["Orphan"]));
    }

    /// <summary>The tables (entity types with a table of their own) that are neither exempt nor keyed by account.</summary>
    internal static List<string> WithoutAccountId(IModel model, IEnumerable<string> exempt) =>
        Tables(model).Where(t => AccountColumn(t) is null && !exempt.Contains(t.GetTableName()!))
            .Select(t => t.GetTableName()!).Order(StringComparer.Ordinal).ToList();

    private static IEnumerable<IEntityType> Tables(IModel model) =>
        model.GetEntityTypes().Where(t => !t.IsOwned() && t.GetTableName() is not null);

    private static IProperty? AccountColumn(IEntityType table) =>
        table.GetProperties().FirstOrDefault(p => AccountColumns.Contains(p.Name) && (p.ClrType == typeof(long) || p.ClrType == typeof(long?)));

    private sealed class Orphan
    {
        public long Id { get; set; }
        public string Name { get; set; } = "";
    }

    private sealed class Keyed
    {
        public long Id { get; set; }
        public long AccountId { get; set; }
    }

    private sealed class FixtureContext : DbContext
    {
        protected override void OnConfiguring(DbContextOptionsBuilder options) => options.UseSqlite("Data Source=:memory:");

        protected override void OnModelCreating(ModelBuilder model)
        {
            model.Entity<Orphan>();
            model.Entity<Keyed>();
        }
    }
}
