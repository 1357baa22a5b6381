using Cloudbill.Core.Persistence;
using Cloudbill.Testing;
using Npgsql;

namespace Cloudbill.Server.Tests;

public class OperatorVerbTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Migrate_then_seed_demo_then_reconcile(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.Create(provider);
        var env = CloudbillProcess.DatabaseSettings(database);

        var migrate = await CloudbillProcess.Run(env, "migrate");
        Assert.Equal(0, migrate.ExitCode);
        Assert.Matches(@"6 migration\(s\) applied: \d{14}_Baseline, \d{14}_LifecycleEvents, \d{14}_WebhooksAndProviderApi, \d{14}_OperatorConsole, \d{14}_StaffActions, \d{14}_Refunds\.", migrate.Output);
        var again = await CloudbillProcess.Run(env, "migrate");
        Assert.Contains("0 migration(s) applied; the schema is up to date.", again.Output, StringComparison.Ordinal);

        var seed = await CloudbillProcess.Run(env, "seed-demo");
        Assert.Equal(0, seed.ExitCode);
        Assert.Contains("demo@cloudbill.local", seed.Output, StringComparison.Ordinal);
        Assert.Contains("LTAI5tCloudbillDemo00001", seed.Output, StringComparison.Ordinal);
        var reseed = await CloudbillProcess.Run(env, "seed-demo");
        Assert.Equal(0, reseed.ExitCode);
        Assert.Contains("The demo customer demo@cloudbill.local already exists; nothing changed.", reseed.Output, StringComparison.Ordinal);

        var reconcile = await CloudbillProcess.Run(env, "reconcile");
        Assert.Equal(0, reconcile.ExitCode);
        Assert.Matches(@"Ledger reconciled: \d+ accounts and 1 transactions, every balance equals its postings\.", reconcile.Output);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Reconcile_exits_non_zero_when_a_balance_was_altered_behind_the_ledger(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.Create(provider);
        var env = CloudbillProcess.DatabaseSettings(database);
        Assert.Equal(0, (await CloudbillProcess.Run(env, "migrate")).ExitCode);
        var created = await CloudbillProcess.Run(env, "accounts", "create", "--email", "eve@example.com", "--password", "Secret-2026", "--balance", "250.00");
        Assert.Equal(0, created.ExitCode);

        await Execute(database, "UPDATE \"LedgerAccounts\" SET \"BalanceFen\" = \"BalanceFen\" + 1 WHERE \"Code\" LIKE 'customer:%:cash'");

        var reconcile = await CloudbillProcess.Run(env, "reconcile");
        Assert.Equal(1, reconcile.ExitCode);
        Assert.Contains("250.01", reconcile.Output, StringComparison.Ordinal);
        Assert.Contains("250.00", reconcile.Output, StringComparison.Ordinal);
        Assert.Contains("cloudbill: reconciliation failed: 1 balance(s) differ from their postings", reconcile.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accounts_create_prints_the_AccessKey_pair_and_refuses_bad_input()
    {
        await using var database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        var env = CloudbillProcess.DatabaseSettings(database);
        Assert.Equal(0, (await CloudbillProcess.Run(env, "migrate")).ExitCode);

        var created = await CloudbillProcess.Run(env, "accounts", "create", "--email", "frank@example.com", "--password", "Secret-2026", "--balance", "100.00");
        Assert.Equal(0, created.ExitCode);
        Assert.Matches(@"AccessKey ID\s+│\s+LTAI[A-Za-z0-9]{20}", created.Output);
        Assert.Matches(@"AccessKey secret\s+│\s+[A-Za-z0-9]{30}", created.Output);
        Assert.Contains("100.00", created.Output, StringComparison.Ordinal);

        var duplicate = await CloudbillProcess.Run(env, "accounts", "create", "--email", "frank@example.com", "--password", "Secret-2026");
        Assert.Equal(1, duplicate.ExitCode);
        Assert.Contains("An account with the email frank@example.com already exists", duplicate.Error, StringComparison.Ordinal);

        var badAmount = await CloudbillProcess.Run(env, "accounts", "create", "--email", "gina@example.com", "--password", "Secret-2026", "--balance", "0.001");
        Assert.Equal((2, "cloudbill: --balance: '0.001' has more than two decimals; amounts are exact to the fen (0.01)."), (badAmount.ExitCode, badAmount.Error.Trim()));

        var missing = await CloudbillProcess.Run(env, "accounts", "create", "--password", "Secret-2026");
        Assert.Equal((2, "cloudbill: --email is required."), (missing.ExitCode, missing.Error.Trim()));

        // Nothing of the refused attempts was written: one customer, one reconciled opening balance.
        var reconcile = await CloudbillProcess.Run(env, "reconcile");
        Assert.Contains("1 transactions", reconcile.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Coupons_issue_gives_a_customer_a_voucher_and_refuses_bad_options()
    {
        await using var database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        var env = CloudbillProcess.DatabaseSettings(database);
        Assert.Equal(0, (await CloudbillProcess.Run(env, "migrate")).ExitCode);
        Assert.Equal(0, (await CloudbillProcess.Run(env, "accounts", "create", "--email", "hana@example.com", "--password", "Secret-2026")).ExitCode);

        var issued = await CloudbillProcess.Run(env, "coupons", "issue", "--account", "hana@example.com", "--amount", "50.00", "--min-order", "100.00",
            "--products", "ecs,rds", "--order-types", "New,Renew", "--valid-days", "30");
        Assert.Equal(0, issued.ExitCode);
        Assert.Matches(@"Products\s+│\s+ecs, rds", issued.Output);
        Assert.Matches(@"Order types\s+│\s+new purchase and renewal", issued.Output);
        Assert.Matches(@"Minimum order\s+│\s+100\.00", issued.Output);

        var badProduct = await CloudbillProcess.Run(env, "coupons", "issue", "--account", "hana@example.com", "--amount", "50.00", "--products", "quantum");
        Assert.Equal(1, badProduct.ExitCode);
        Assert.Contains("--products: 'quantum' is not a product code in the catalog", badProduct.Error, StringComparison.Ordinal);
        var badType = await CloudbillProcess.Run(env, "coupons", "issue", "--account", "hana@example.com", "--amount", "50.00", "--order-types", "Upgrade");
        Assert.Equal((2, "cloudbill: --order-types: 'Upgrade' must list New and/or Renew, e.g. New,Renew."), (badType.ExitCode, badType.Error.Trim()));
        var badAmount = await CloudbillProcess.Run(env, "coupons", "issue", "--account", "hana@example.com", "--amount", "0.001");
        Assert.Equal((2, "cloudbill: --amount: '0.001' has more than two decimals; amounts are exact to the fen (0.01)."), (badAmount.ExitCode, badAmount.Error.Trim()));
        var nobody = await CloudbillProcess.Run(env, "coupons", "issue", "--account", "nobody@example.com", "--amount", "5.00");
        Assert.Equal(1, nobody.ExitCode);
        Assert.Contains("No account has the email nobody@example.com.", nobody.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("coupons issue", "--order-types <TYPES>")]
    [InlineData("migrate", "Apply the database migrations")]
    [InlineData("seed-demo", "Create the demo customer")]
    [InlineData("reconcile", "Check every ledger balance")]
    [InlineData("accounts create", "--balance <AMOUNT>")]
    public async Task Every_verb_has_help(string verb, string expected)
    {
        var result = await CloudbillProcess.Run(new Dictionary<string, string>(), [.. verb.Split(' '), "--help"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains(expected, result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_every_verb()
    {
        var result = await CloudbillProcess.Run(new Dictionary<string, string>(), "--help");
        Assert.Equal(0, result.ExitCode);
        foreach (var verb in new[] { "migrate", "seed-demo", "reconcile", "accounts" })
            Assert.Contains(verb, result.Output, StringComparison.Ordinal);
    }

    private static async Task Execute(TestDatabase database, string sql)
    {
        if (database.Provider == DatabaseProvider.Postgres)
        {
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
        else
        {
            await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(database.ConnectionString);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync();
        }
    }
}
