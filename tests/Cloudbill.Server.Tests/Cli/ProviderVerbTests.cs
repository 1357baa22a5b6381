using System.Text.RegularExpressions;
using Cloudbill.Core.Persistence;
using Cloudbill.Testing;
using Npgsql;

namespace Cloudbill.Server.Tests;

/// <summary>`cloudbill provider-keys` and `cloudbill import` as the operator runs them.</summary>
public partial class ProviderVerbTests
{
    private const string Header = "customer_external_id,email,name,opening_balance,instance_external_id,product,spec,region,instance_name,expires_at,renewal_method,auto_renew_period_months,charge_type";

    [GeneratedRegex(@"Provider key id: (pk_[0-9a-f]{24})\nSecret: +(pks_[A-Za-z0-9_-]{43})\n")]
    private static partial Regex AddedKey();

    [Fact]
    public async Task Provider_keys_add_prints_the_secret_once_list_shows_none_and_revoke_ends_the_key()
    {
        await using var database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        var env = CloudbillProcess.DatabaseSettings(database);
        Assert.Equal(0, (await CloudbillProcess.Run(env, "migrate")).ExitCode);

        var added = await CloudbillProcess.Run(env, "provider-keys", "add", "--description", "production cloud");
        Assert.Equal(0, added.ExitCode);
        var match = AddedKey().Match(added.Output.Replace("\r\n", "\n", StringComparison.Ordinal));
        Assert.True(match.Success, added.Output);
        var (id, secret) = (match.Groups[1].Value, match.Groups[2].Value);

        var listed = await CloudbillProcess.Run(env, "provider-keys", "list");
        Assert.Equal(0, listed.ExitCode);
        Assert.Contains(id, listed.Output, StringComparison.Ordinal);
        Assert.Contains("production cloud", listed.Output, StringComparison.Ordinal);
        Assert.Contains("active", listed.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listed.Output, StringComparison.Ordinal);

        var revoked = await CloudbillProcess.Run(env, "provider-keys", "revoke", id);
        Assert.Equal((0, $"Provider key {id} is revoked."), (revoked.ExitCode, revoked.Output.Trim()));
        Assert.Contains("revoked", (await CloudbillProcess.Run(env, "provider-keys", "list")).Output, StringComparison.Ordinal);
        var unknown = await CloudbillProcess.Run(env, "provider-keys", "revoke", "pk_000000000000000000000000");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("There is no provider key pk_000000000000000000000000", unknown.Error, StringComparison.Ordinal);
        Assert.Equal(2, (await CloudbillProcess.Run(env, "provider-keys", "add")).ExitCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Import_reports_every_invalid_line_and_applies_nothing_then_a_dry_run_then_the_import_once(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.Create(provider);
        var env = CloudbillProcess.DatabaseSettings(database);
        Assert.Equal(0, (await CloudbillProcess.Run(env, "migrate")).ExitCode);
        var file = Path.Combine(Path.GetTempPath(), $"cloudbill-import-{Guid.NewGuid():N}.csv");
        try
        {
            string[] good =
            [
                Header,
                "crm-1,dora@example.com,Dora,80.00,vm-1,ecs,ecs.g7.large,cn-hangzhou,web-1,2027-02-01,auto_renewal,1,subscription",
                "crm-1,dora@example.com,Dora,80.00,vm-2,ecs,ecs.g7.large,cn-hangzhou,web-2,2027-02-01,,,",
            ];
            await File.WriteAllLinesAsync(file, [.. good, "crm-2,erin@example.com,,,vm-3,ecs,ecs.g7.large,cn-hangzhou,web-3,2027-02-30,,,", "crm-3,not-an-email,,,,,,,,,,,"], TestContext.Current.CancellationToken);
            var refused = await CloudbillProcess.Run(env, "import", file);
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains($"{file}:4: expiresAt:", refused.Error, StringComparison.Ordinal);
            Assert.Contains($"{file}:5: email:", refused.Error, StringComparison.Ordinal);
            Assert.Contains("cloudbill: 2 invalid row(s); nothing was imported.", refused.Error, StringComparison.Ordinal);
            Assert.Equal(0L, await Count(database, "SELECT COUNT(*) FROM \"BillingAccounts\""));

            await File.WriteAllLinesAsync(file, good, TestContext.Current.CancellationToken);
            var dry = await CloudbillProcess.Run(env, "import", file, "--dry-run");
            Assert.Equal(0, dry.ExitCode);
            Assert.Contains("Dry run: nothing changed. Customers: 1 would be created, 0 already imported; opening balances: 1 would be posted; instances: 2 would be created, 0 already imported.", dry.Output, StringComparison.Ordinal);
            Assert.Contains("4 change(s).", dry.Output, StringComparison.Ordinal);
            Assert.Equal(0L, await Count(database, "SELECT COUNT(*) FROM \"BillingAccounts\""));

            var run = await CloudbillProcess.Run(env, "import", file);
            Assert.Equal(0, run.ExitCode);
            Assert.Contains("4 change(s).", run.Output, StringComparison.Ordinal);
            Assert.Matches(@"vm-1 -> i-[a-z0-9]{20}", run.Output);
            var again = await CloudbillProcess.Run(env, "import", file);
            Assert.Contains("0 change(s).", again.Output, StringComparison.Ordinal);
            Assert.Equal(2L, await Count(database, "SELECT COUNT(*) FROM \"Instances\""));
            var reconcile = await CloudbillProcess.Run(env, "reconcile");
            Assert.Equal(0, reconcile.ExitCode);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<long> Count(TestDatabase database, string sql)
    {
        if (database.Provider == DatabaseProvider.Postgres)
        {
            await using var pg = new NpgsqlConnection(database.ConnectionString);
            await pg.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = new NpgsqlCommand(sql, pg);
            return Convert.ToInt64(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }
        await using var sqlite = new Microsoft.Data.Sqlite.SqliteConnection(database.ConnectionString);
        await sqlite.OpenAsync(TestContext.Current.CancellationToken);
        await using var query = sqlite.CreateCommand();
        query.CommandText = sql;
        return Convert.ToInt64(await query.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }
}
