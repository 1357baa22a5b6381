using Cloudbill.Core.Catalog;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Time;
using NodaTime;
using Npgsql;
using NpgsqlTypes;

namespace Cloudbill.Bench;

/// <summary>What the generator wrote.</summary>
public sealed record GeneratedData(int Accounts, int Instances, int Due, int PoorAccounts, IReadOnlyDictionary<string, int> DueByKind, TimeSpan Elapsed);

/// <summary>
/// Writes the benchmark's customers with binary COPY after the migrations: billing accounts,
/// their ledger accounts with opening balances posted as balanced journal transactions (so
/// reconciliation is clean), and instances whose NextDueAt is computed by
/// <see cref="LifecycleSchedule.NextDueAfter"/> at <see cref="GeneratedAt"/>, as a purchase or a
/// previous engine run would have set it. Exactly <see cref="BenchOptions.Due"/> of them have an
/// action due by <see cref="RunAt"/>.
/// </summary>
public sealed class DataGenerator(BenchOptions options, ProductCatalog catalog)
{
    /// <summary>The business day of the run (Asia/Shanghai).</summary>
    public static readonly LocalDate Day = new(2026, 12, 10);

    /// <summary>The last engine run before the benchmark: 23:00 the evening before.</summary>
    public static readonly DateTimeOffset GeneratedAt = BusinessCalendar.At(Day.PlusDays(-1), 23);

    /// <summary>The benchmark's run: 10:30, after the midnight expiries, the 08:00 charges and the 10:00 reminders.</summary>
    public static readonly DateTimeOffset RunAt = BusinessCalendar.At(Day, 10, 30);

    public const long BigAccountId = 1;
    private const long AdjustmentsId = 1;
    private const long RevenueId = 2;
    private const long CouponExpenseId = 3;
    private const long AlipayClearingId = 4;
    private const long UnionPayClearingId = 5;
    private static readonly long RichBalanceFen = 10_000_000_00;

    private enum DueKind
    {
        ReminderBeforeExpiry,
        Expiry,
        Suspension,
        Release,
        ReminderBeforeRelease,
        AutoRenewal,
        AutoRenewalOnExpiryDay,
    }

    /// <summary>The due mix, in percent: mostly notices and state changes, a fifth auto-renewal charges.</summary>
    private static readonly (DueKind Kind, int Weight)[] Mix =
    [
        (DueKind.ReminderBeforeExpiry, 25),
        (DueKind.Expiry, 15),
        (DueKind.Suspension, 12),
        (DueKind.Release, 12),
        (DueKind.ReminderBeforeRelease, 8),
        (DueKind.AutoRenewal, 20),
        (DueKind.AutoRenewalOnExpiryDay, 8),
    ];

    // Ids 1 to 5 are the shared accounts (LedgerService.SystemAccounts); customers' come after.
    public static long CashId(long accountId) => 2 * accountId + 4;

    public static long OverdueId(long accountId) => 2 * accountId + 5;

    /// <summary>Three accounts in ten cannot pay an auto-renewal: their charges fail for low balance.</summary>
    public static bool IsPoor(long accountId) => accountId != BigAccountId && accountId % 10 < 3;

    public async Task<GeneratedData> Generate(NpgsqlConnection connection, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var random = new Random(20261210);
        var others = options.Instances - options.BigAccount;
        var accounts = 1 + (others + options.AccountSize - 1) / options.AccountSize;

        await WriteAccounts(connection, accounts, ct);

        // Bulk load without the secondary indexes, then build them once (as the migration defines them).
        var indexes = new List<string>();
        await using (var read = new NpgsqlCommand("""SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'Instances' AND indexname <> 'PK_Instances'""", connection))
        await using (var reader = await read.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
                indexes.Add(reader.GetString(1));
        }
        foreach (var definition in indexes)
        {
            var name = definition.Split(' ')[definition.StartsWith("CREATE UNIQUE", StringComparison.Ordinal) ? 3 : 2];
            await Execute(connection, $"DROP INDEX {name}", ct);
        }

        var dueByKind = new Dictionary<string, int>(StringComparer.Ordinal);
        var due = 0;
        var products = catalog.Products.Where(p => p.Renewable && p.Specs.Count > 0).ToArray();
        await using (var writer = await connection.BeginBinaryImportAsync("""
            COPY "Instances" ("Id", "AccountId", "ProductCode", "SpecCode", "RegionId", "Name", "ChargeType", "Provisioning", "CreatedAt",
                "ExpiresAt", "RenewalMethod", "AutoRenewPeriodMonths", "StoppedAt", "ReleasedAt", "AutoRenewEnabledAt", "NextDueAt",
                "CreatedByOrderId", "UnpaidOrderId", "Version") FROM STDIN (FORMAT BINARY)
            """, ct))
        {
            for (var n = 0; n < options.Instances; n++)
            {
                // Exactly Due of the instances are due, spread evenly over all accounts.
                var isDue = (long)(n + 1) * options.Due / options.Instances > (long)n * options.Due / options.Instances;
                long accountId;
                int indexInAccount;
                if (n < options.BigAccount)
                {
                    accountId = BigAccountId;
                    indexInAccount = n;
                }
                else
                {
                    accountId = 2 + (n - options.BigAccount) / options.AccountSize;
                    indexInAccount = (n - options.BigAccount) % options.AccountSize;
                }

                var instance = NewInstance(products, random, accountId, indexInAccount);
                var product = catalog.GetProduct(instance.ProductCode);
                if (isDue)
                {
                    var kind = Pick(random);
                    Shape(instance, product, kind, random);
                    instance.NextDueAt = LifecycleSchedule.NextDueAfter(instance, product, GeneratedAt);
                    if (instance.NextDueAt is not { } at || at > RunAt)
                    {
                        // A product whose lifecycle puts this shape outside the window: a 7-day reminder is always due.
                        kind = DueKind.ReminderBeforeExpiry;
                        Shape(instance, product, kind, random);
                        instance.NextDueAt = LifecycleSchedule.NextDueAfter(instance, product, GeneratedAt);
                    }
                    if (instance.NextDueAt is not { } due2 || due2 > RunAt)
                        throw new InvalidOperationException($"Instance {instance.Id} ({instance.ProductCode}) is not due at {RunAt}.");
                    due++;
                    var label = kind.ToString();
                    dueByKind[label] = dueByKind.GetValueOrDefault(label) + 1;
                }
                else
                {
                    ShapeNotDue(instance, product, random);
                    instance.NextDueAt = LifecycleSchedule.NextDueAfter(instance, product, GeneratedAt);
                    if (instance.NextDueAt is { } at && at <= RunAt)
                        throw new InvalidOperationException($"Instance {instance.Id} ({instance.ProductCode}) is due at {at} but should not be.");
                }
                await WriteInstance(writer, instance, ct);
            }
            await writer.CompleteAsync(ct);
        }

        foreach (var definition in indexes)
            await Execute(connection, definition, ct);
        await Execute(connection, "ANALYZE", ct);
        var poor = Enumerable.Range(1, accounts).Count(a => IsPoor(a));
        return new GeneratedData(accounts, options.Instances, due, poor, dueByKind, started.Elapsed);
    }

    /// <summary>`--renewals-only`: the due set is the 08:00 auto-renewal attempts and the expiry-day ones.</summary>
    private static readonly (DueKind Kind, int Weight)[] RenewalsMix =
    [
        (DueKind.AutoRenewal, 70),
        (DueKind.AutoRenewalOnExpiryDay, 30),
    ];

    private DueKind Pick(Random random)
    {
        var mix = options.RenewalsOnly ? RenewalsMix : Mix;
        var roll = random.Next(100);
        foreach (var (kind, weight) in mix)
        {
            if (roll < weight)
                return kind;
            roll -= weight;
        }
        return DueKind.ReminderBeforeExpiry;
    }

    private Instance NewInstance(Product[] products, Random random, long accountId, int indexInAccount)
    {
        // ECS is a third of the instances; the rest spread over the catalog.
        var product = random.Next(3) == 0 ? catalog.GetProduct("ecs") : products[random.Next(products.Length)];
        var spec = product.Specs[random.Next(product.Specs.Count)];
        var regions = spec.PricesByRegion.Keys.Order(StringComparer.Ordinal).ToArray();
        return new Instance
        {
            Id = InstanceIds.FromSeed(product.InstanceIdPrefix, random),
            AccountId = accountId,
            ProductCode = product.Code,
            SpecCode = spec.Code,
            RegionId = regions[random.Next(regions.Length)],
            Name = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{product.Code}-{indexInAccount:D5}"),
            ChargeType = ChargeType.Subscription,
            Provisioning = ProvisioningState.Ready,
            CreatedAt = GeneratedAt.AddDays(-400 - random.Next(300)),
            RenewalMethod = RenewalMethod.ManualRenewal,
        };
    }

    private static DateTimeOffset Midnight(LocalDate date) => BusinessCalendar.StartOfDay(date);

    private static void AutoRenew(Instance instance, Random random)
    {
        instance.RenewalMethod = RenewalMethod.AutoRenewal;
        instance.AutoRenewPeriodMonths = random.Next(10) switch { < 6 => 1, < 8 => 3, < 9 => 6, _ => 12 };
        instance.AutoRenewEnabledAt = GeneratedAt.AddDays(-60 - random.Next(200));
    }

    private static void Manual(Instance instance, RenewalMethod method = RenewalMethod.ManualRenewal)
    {
        instance.RenewalMethod = method;
        instance.AutoRenewPeriodMonths = null;
        instance.AutoRenewEnabledAt = null;
    }

    private static void Shape(Instance instance, Product product, DueKind kind, Random random)
    {
        var lifecycle = product.Lifecycle;
        switch (kind)
        {
            case DueKind.ReminderBeforeExpiry:
                Manual(instance);
                instance.ExpiresAt = Midnight(Day.PlusDays(LifecycleSchedule.ReminderDaysBefore[random.Next(LifecycleSchedule.ReminderDaysBefore.Length)]));
                break;
            case DueKind.Expiry:
                Manual(instance, random.Next(10) < 7 ? RenewalMethod.ManualRenewal : RenewalMethod.NotRenewal);
                instance.ExpiresAt = Midnight(Day);
                break;
            case DueKind.Suspension:
                Manual(instance, random.Next(10) < 7 ? RenewalMethod.ManualRenewal : RenewalMethod.NotRenewal);
                instance.ExpiresAt = Midnight(Day.PlusDays(-lifecycle.GraceDays));
                break;
            case DueKind.Release:
                Manual(instance, random.Next(10) < 7 ? RenewalMethod.ManualRenewal : RenewalMethod.NotRenewal);
                instance.ExpiresAt = Midnight(Day.PlusDays(-lifecycle.GraceDays - lifecycle.SuspendedDays));
                break;
            case DueKind.ReminderBeforeRelease:
                Manual(instance);
                instance.ExpiresAt = Midnight(Day.PlusDays(1 - lifecycle.GraceDays - lifecycle.SuspendedDays));
                break;
            case DueKind.AutoRenewal:
                AutoRenew(instance, random);
                instance.ExpiresAt = Midnight(Day.PlusDays(1 + random.Next(product.AutoRenewal.FirstAttemptDaysBeforeExpiry)));
                break;
            case DueKind.AutoRenewalOnExpiryDay:
                AutoRenew(instance, random);
                instance.ExpiresAt = Midnight(Day);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    private static void ShapeNotDue(Instance instance, Product product, Random random)
    {
        var roll = random.Next(100);
        if (roll < 2)
        {
            // Pay-as-you-go: no expiry, nothing scheduled.
            instance.ChargeType = ChargeType.PayAsYouGo;
            Manual(instance);
            instance.ExpiresAt = null;
            return;
        }
        if (roll < 6)
        {
            // Released long ago.
            Manual(instance);
            instance.ExpiresAt = Midnight(Day.PlusDays(-90 - random.Next(300)));
            instance.ReleasedAt = InstanceLifecycle.ReleasesAt(instance.ExpiresAt.Value, product.Lifecycle);
            return;
        }
        if (roll < 45)
            AutoRenew(instance, random);
        else
            Manual(instance, roll < 85 ? RenewalMethod.ManualRenewal : RenewalMethod.NotRenewal);
        instance.ExpiresAt = Midnight(Day.PlusDays(12 + random.Next(380)));
    }

    private async Task WriteAccounts(NpgsqlConnection connection, int accounts, CancellationToken ct)
    {
        var createdAt = GeneratedAt.AddDays(-800).UtcDateTime;
        await using (var writer = await connection.BeginBinaryImportAsync("""COPY "BillingAccounts" ("Id", "Email", "CreditLineFen", "CreatedAt", "Version") FROM STDIN (FORMAT BINARY)""", ct))
        {
            for (long a = 1; a <= accounts; a++)
            {
                await writer.StartRowAsync(ct);
                await writer.WriteAsync(a, NpgsqlDbType.Bigint, ct);
                await writer.WriteAsync(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"bench{a}@example.com"), NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync(0L, NpgsqlDbType.Bigint, ct);
                await writer.WriteAsync(createdAt, NpgsqlDbType.TimestampTz, ct);
                await writer.WriteAsync(0L, NpgsqlDbType.Bigint, ct);
            }
            await writer.CompleteAsync(ct);
        }

        // Opening balances as the product posts them: operator adjustments -> customer cash, one balanced transaction each.
        var rich = Enumerable.Range(1, accounts).Where(a => !IsPoor(a)).ToArray();
        // The migrator created the shared accounts; they are written again below with known ids.
        await Execute(connection, "DELETE FROM \"LedgerAccounts\"", ct);
        await using (var writer = await connection.BeginBinaryImportAsync("""COPY "LedgerAccounts" ("Id", "Code", "Kind", "BillingAccountId", "BalanceFen") FROM STDIN (FORMAT BINARY)""", ct))
        {
            async Task Row(long id, string code, LedgerAccountKind kind, long? billingAccount, long balance)
            {
                await writer.StartRowAsync(ct);
                await writer.WriteAsync(id, NpgsqlDbType.Bigint, ct);
                await writer.WriteAsync(code, NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync(kind.ToString(), NpgsqlDbType.Varchar, ct);
                if (billingAccount is { } b)
                    await writer.WriteAsync(b, NpgsqlDbType.Bigint, ct);
                else
                    await writer.WriteNullAsync(ct);
                await writer.WriteAsync(balance, NpgsqlDbType.Bigint, ct);
            }
            await Row(AdjustmentsId, LedgerService.OperatorAdjustmentsCode, LedgerAccountKind.OperatorAdjustments, null, -RichBalanceFen * rich.Length);
            await Row(RevenueId, LedgerService.RevenueCode, LedgerAccountKind.Revenue, null, 0);
            await Row(CouponExpenseId, LedgerService.CouponExpenseCode, LedgerAccountKind.CouponExpense, null, 0);
            await Row(AlipayClearingId, LedgerService.AlipayClearingCode, LedgerAccountKind.AlipayClearing, null, 0);
            await Row(UnionPayClearingId, LedgerService.UnionPayClearingCode, LedgerAccountKind.UnionPayClearing, null, 0);
            for (long a = 1; a <= accounts; a++)
            {
                await Row(CashId(a), LedgerService.CashCode(a), LedgerAccountKind.CustomerCash, a, IsPoor(a) ? 0 : RichBalanceFen);
                await Row(OverdueId(a), LedgerService.OverdueCode(a), LedgerAccountKind.CustomerOverdue, a, 0);
            }
            await writer.CompleteAsync(ct);
        }

        var postedAt = GeneratedAt.AddDays(-700).UtcDateTime;
        await using (var writer = await connection.BeginBinaryImportAsync("""COPY "JournalTransactions" ("Id", "BusinessKey", "Description", "PostedAt") FROM STDIN (FORMAT BINARY)""", ct))
        {
            for (var t = 0; t < rich.Length; t++)
            {
                await writer.StartRowAsync(ct);
                await writer.WriteAsync((long)t + 1, NpgsqlDbType.Bigint, ct);
                await writer.WriteAsync(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"opening-balance:{rich[t]}"), NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Opening balance for bench{rich[t]}@example.com"), NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync(postedAt, NpgsqlDbType.TimestampTz, ct);
            }
            await writer.CompleteAsync(ct);
        }
        await using (var writer = await connection.BeginBinaryImportAsync("""COPY "Postings" ("Id", "TransactionId", "LedgerAccountId", "BillingAccountId", "AmountFen") FROM STDIN (FORMAT BINARY)""", ct))
        {
            for (var t = 0; t < rich.Length; t++)
            {
                await writer.StartRowAsync(ct);
                await writer.WriteAsync(2L * t + 1, NpgsqlDbType.Bigint, ct);
                await writer.WriteAsync((long)t + 1, NpgsqlDbType.Bigint, ct);
                await writer.WriteAsync(AdjustmentsId, NpgsqlDbType.Bigint, ct);
                await writer.WriteNullAsync(ct);
                await writer.WriteAsync(-RichBalanceFen, NpgsqlDbType.Bigint, ct);

                await writer.StartRowAsync(ct);
                await writer.WriteAsync(2L * t + 2, NpgsqlDbType.Bigint, ct);
                await writer.WriteAsync((long)t + 1, NpgsqlDbType.Bigint, ct);
                await writer.WriteAsync(CashId(rich[t]), NpgsqlDbType.Bigint, ct);
                await writer.WriteAsync((long)rich[t], NpgsqlDbType.Bigint, ct);
                await writer.WriteAsync(RichBalanceFen, NpgsqlDbType.Bigint, ct);
            }
            await writer.CompleteAsync(ct);
        }

        foreach (var table in new[] { "BillingAccounts", "LedgerAccounts", "JournalTransactions", "Postings" })
            await Execute(connection, $"""SELECT setval(pg_get_serial_sequence('"{table}"', 'Id'), (SELECT max("Id") FROM "{table}"))""", ct);
    }

    private static async Task WriteInstance(NpgsqlBinaryImporter writer, Instance i, CancellationToken ct)
    {
        await writer.StartRowAsync(ct);
        await writer.WriteAsync(i.Id, NpgsqlDbType.Varchar, ct);
        await writer.WriteAsync(i.AccountId, NpgsqlDbType.Bigint, ct);
        await writer.WriteAsync(i.ProductCode, NpgsqlDbType.Varchar, ct);
        await writer.WriteAsync(i.SpecCode, NpgsqlDbType.Varchar, ct);
        await writer.WriteAsync(i.RegionId, NpgsqlDbType.Varchar, ct);
        await writer.WriteAsync(i.Name, NpgsqlDbType.Varchar, ct);
        await writer.WriteAsync(i.ChargeType.ToString(), NpgsqlDbType.Varchar, ct);
        await writer.WriteAsync(i.Provisioning.ToString(), NpgsqlDbType.Varchar, ct);
        await writer.WriteAsync(i.CreatedAt.UtcDateTime, NpgsqlDbType.TimestampTz, ct);
        await Instant(writer, i.ExpiresAt, ct);
        await writer.WriteAsync(i.RenewalMethod.ToString(), NpgsqlDbType.Varchar, ct);
        if (i.AutoRenewPeriodMonths is { } months)
            await writer.WriteAsync(months, NpgsqlDbType.Integer, ct);
        else
            await writer.WriteNullAsync(ct);
        await Instant(writer, i.StoppedAt, ct);
        await Instant(writer, i.ReleasedAt, ct);
        await Instant(writer, i.AutoRenewEnabledAt, ct);
        await Instant(writer, i.NextDueAt, ct);
        await writer.WriteNullAsync(ct);
        await writer.WriteNullAsync(ct);
        await writer.WriteAsync(0L, NpgsqlDbType.Bigint, ct);
    }

    private static async Task Instant(NpgsqlBinaryImporter writer, DateTimeOffset? value, CancellationToken ct)
    {
        if (value is { } v)
            await writer.WriteAsync(v.UtcDateTime, NpgsqlDbType.TimestampTz, ct);
        else
            await writer.WriteNullAsync(ct);
    }

    public static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(ct);
    }
}
