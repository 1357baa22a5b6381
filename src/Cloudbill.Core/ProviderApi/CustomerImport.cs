using System.Globalization;
using Cloudbill.Core.Accounts;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Customers;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Time;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.ProviderApi;

/// <summary>
/// Imports the provider's customers, their opening balances and their existing instances
/// (docs/decisions/0032, docs/webhooks.md "Importing"): idempotent by the provider's ids, all or
/// nothing, with a dry run. A customer or instance imported before is matched and left as it is;
/// an opening balance is posted once, under <c>import:{externalId}:opening</c>. Every row is
/// checked against the catalog and the database before anything is written.
/// </summary>
public sealed class CustomerImport(CloudbillDbContext db, AccountService accounts, LedgerService ledger, ProductCatalog catalog, Audit.AuditLog audit, TimeProvider clock)
{
    public const int ExternalIdMaxLength = 64;

    public static string OpeningKey(string externalId) => $"import:{externalId}:opening";

    /// <summary>The import of a CSV file: its unreadable lines are errors like any invalid row.</summary>
    public Task<ImportReport> Run(CsvImport csv, bool dryRun, CancellationToken ct) => Run(csv.File, dryRun, ct, csv.Errors);

    public async Task<ImportReport> Run(ImportFile file, bool dryRun, CancellationToken ct, IReadOnlyList<ImportError>? readErrors = null)
    {
        var errors = new List<ImportError>(readErrors ?? []);
        var customers = Number(file.Customers ?? [], "customers");
        var rows = customers.Select(c => Check(c, errors)).ToList();
        foreach (var duplicate in rows.Where(r => r.ExternalId is not null).GroupBy(r => r.ExternalId).Where(g => g.Count() > 1).SelectMany(g => g.Skip(1)))
            errors.Add(Error(duplicate.Source, "externalId", $"Customer {duplicate.ExternalId} appears more than once; give each customer once, with all its instances."));
        var instanceRows = rows.SelectMany(r => r.Instances).ToList();
        foreach (var duplicate in instanceRows.Where(i => i.ExternalId is not null).GroupBy(i => i.ExternalId).Where(g => g.Count() > 1).SelectMany(g => g.Skip(1)))
            errors.Add(Error(duplicate.Source, "externalId", $"Instance {duplicate.ExternalId} appears more than once."));

        // What exists: customers and instances by the provider's ids, emails taken, opening balances posted.
        var customerIds = rows.Select(r => r.ExternalId).OfType<string>().Distinct().ToList();
        var existing = await db.BillingAccounts.AsNoTracking().Where(a => a.ExternalId != null && customerIds.Contains(a.ExternalId))
            .ToDictionaryAsync(a => a.ExternalId!, ct);
        var emails = rows.Where(r => r.ExternalId is not null && !existing.ContainsKey(r.ExternalId)).Select(r => r.Email).OfType<string>().ToList();
        var normalized = emails.Select(e => e.ToUpperInvariant()).ToList();
        var taken = (await db.BillingAccounts.AsNoTracking().Where(a => emails.Contains(a.Email)).Select(a => a.Email).ToListAsync(ct))
            .Concat(await db.Users.AsNoTracking().Where(u => u.NormalizedEmail != null && normalized.Contains(u.NormalizedEmail)).Select(u => u.Email!).ToListAsync(ct))
            .Select(e => e.ToUpperInvariant()).ToHashSet();
        var instanceIds = instanceRows.Select(i => i.ExternalId).OfType<string>().Distinct().ToList();
        var existingInstances = await db.Instances.AsNoTracking().Where(i => i.ExternalId != null && instanceIds.Contains(i.ExternalId))
            .ToDictionaryAsync(i => i.ExternalId!, ct);
        var openingKeys = customerIds.Select(OpeningKey).ToList();
        var postedAmounts = (await db.JournalTransactions.AsNoTracking().Include(t => t.Postings).Where(t => openingKeys.Contains(t.BusinessKey)).ToListAsync(ct))
            .ToDictionary(t => t.BusinessKey, t => t.Postings.Where(p => p.AmountFen > 0).Sum(p => p.AmountFen));

        var plans = new List<(CustomerRow Row, BillingAccount? Existing, bool PostOpening, List<(InstanceRow Row, Instance? Existing)> Instances)>();
        var emailsInFile = new HashSet<string>();
        foreach (var row in rows)
        {
            if (row.ExternalId is null)
                continue;
            var match = existing.GetValueOrDefault(row.ExternalId);
            if (match is null && row.Email is not null && (taken.Contains(row.Email.ToUpperInvariant()) || !emailsInFile.Add(row.Email.ToUpperInvariant())))
                errors.Add(Error(row.Source, "email", $"The email {row.Email} belongs to another customer; give customer {row.ExternalId} its own email."));
            var key = OpeningKey(row.ExternalId);
            var postOpening = row.Opening is { IsPositive: true } && !postedAmounts.ContainsKey(key);
            if (row.Opening is { } opening && postedAmounts.TryGetValue(key, out var before) && before != opening.Fen)
                errors.Add(Error(row.Source, "openingBalance", $"Customer {row.ExternalId}'s opening balance was imported as {new Money(before)}; it is posted once and cannot become {opening}."));
            var instances = new List<(InstanceRow, Instance?)>();
            foreach (var instance in row.Instances)
            {
                var found = instance.ExternalId is null ? null : existingInstances.GetValueOrDefault(instance.ExternalId);
                if (found is not null && (match is null || found.AccountId != match.Id))
                    errors.Add(Error(instance.Source, "externalId", $"Instance {instance.ExternalId} was imported for another customer; an instance keeps its customer."));
                instances.Add((instance, found));
            }
            plans.Add((row, match, postOpening, instances));
        }

        if (errors.Count > 0 || dryRun)
        {
            return Report(dryRun, applied: false, errors,
                plans.Select(p => new ImportedCustomer(p.Row.ExternalId!, p.Existing is null ? "create" : "match", p.Existing?.Id, p.PostOpening)).ToList(),
                plans.SelectMany(p => p.Instances).Where(i => i.Row.ExternalId is not null)
                    .Select(i => new ImportedInstance(i.Row.ExternalId!, i.Existing is null ? "create" : "match", i.Existing?.Id)).ToList());
        }
        return await Apply(plans, ct);

        async Task<ImportReport> Apply(List<(CustomerRow Row, BillingAccount? Existing, bool PostOpening, List<(InstanceRow Row, Instance? Existing)> Instances)> work, CancellationToken token)
        {
            await using var tx = await db.Database.BeginTransactionAsync(token);
            var now = clock.GetUtcNow();
            var doneCustomers = new List<ImportedCustomer>();
            var doneInstances = new List<ImportedInstance>();
            var adjustments = await ledger.SystemAccount(LedgerService.OperatorAdjustmentsCode, LedgerAccountKind.OperatorAdjustments, token);
            foreach (var (row, match, postOpening, instances) in work)
            {
                var account = match;
                if (account is null)
                {
                    var made = await accounts.CreateImported(row.Email!, row.ExternalId!, row.Name, token);
                    if (!made.Succeeded)
                        throw new InvalidOperationException($"Customer {row.ExternalId} could not be created: {made.Problem!.Message}");
                    account = made.Value;
                }
                if (postOpening)
                {
                    var (cash, _) = await ledger.OpenCustomerAccounts(account.Id, token);
                    var result = await ledger.Post(OpeningKey(row.ExternalId!), $"Opening balance of imported customer {row.ExternalId}",
                        [new PostingLine(adjustments, -row.Opening!.Value), new PostingLine(cash, row.Opening!.Value)], token);
                    if (!result.Succeeded)
                        throw new InvalidOperationException(result.Problem!.Message);
                }
                foreach (var (instanceRow, found) in instances)
                {
                    if (found is not null)
                    {
                        doneInstances.Add(new ImportedInstance(instanceRow.ExternalId!, "match", found.Id));
                        continue;
                    }
                    var instance = instanceRow.Create(account.Id, now);
                    db.Instances.Add(instance);
                    doneInstances.Add(new ImportedInstance(instanceRow.ExternalId!, "create", instance.Id));
                }
                doneCustomers.Add(new ImportedCustomer(row.ExternalId!, match is null ? "create" : "match", account.Id, postOpening));
                await db.SaveChangesAsync(token);
            }
            var report = Report(dryRun: false, applied: true, [], doneCustomers, doneInstances);
            await audit.Record(Audit.AuditEventKind.Imported, null,
                $"import: {report.CustomersCreated} customers created, {report.CustomersMatched} matched, {report.OpeningBalancesPosted} opening balances, {report.InstancesCreated} instances created, {report.InstancesMatched} matched", token);
            await tx.CommitAsync(token);
            return report;
        }
    }

    private static ImportReport Report(bool dryRun, bool applied, IReadOnlyList<ImportError> errors, IReadOnlyList<ImportedCustomer> customers, IReadOnlyList<ImportedInstance> instances) =>
        new(dryRun, applied,
            customers.Count(c => c.Action == "create"), customers.Count(c => c.Action == "match"), customers.Count(c => c.OpeningBalancePosted),
            instances.Count(i => i.Action == "create"), instances.Count(i => i.Action == "match"),
            errors.OrderBy(e => e.Line ?? 0).ToList(), customers, instances);

    /// <summary>JSON rows are named by their index; CSV rows come named by their line.</summary>
    private static IReadOnlyList<ImportCustomer> Number(IReadOnlyList<ImportCustomer> customers, string name) =>
        customers.Select((c, n) => c.Where is not null ? c : c with
        {
            Where = $"{name}[{n}]",
            Instances = (c.Instances ?? []).Select((i, m) => i.Where is not null ? i : i with { Where = $"{name}[{n}].instances[{m}]" }).ToList(),
        }).ToList();

    private sealed record Source(string Where, int? Line);

    private sealed record CustomerRow(Source Source, string? ExternalId, string? Email, string? Name, Money? Opening, List<InstanceRow> Instances);

    private sealed record InstanceRow(Source Source, string? ExternalId, Product? Product, Spec? Spec, string? Region, string? Name, DateTimeOffset? ExpiresAt,
        RenewalMethod Method, int? Period, ChargeType ChargeType)
    {
        /// <summary>The instance as imported: running (Ready), with the schedule the engine picks it up by.</summary>
        public Instance Create(long accountId, DateTimeOffset now) =>
            NewInstances.Imported(new InstanceImport(accountId, ExternalId, Spec!.Code, Region!, Name!, ChargeType, ExpiresAt, Method, Period), Product!, now);
    }

    private static ImportError Error(Source source, string field, string message) => new(source.Where, source.Line, field, message);

    private CustomerRow Check(ImportCustomer c, List<ImportError> errors)
    {
        var source = new Source(c.Where!, c.Line);
        var externalId = ExternalId(c.ExternalId, source, errors);
        var email = c.Email?.Trim();
        if (string.IsNullOrEmpty(email) || email.Length > 256 || !System.Net.Mail.MailAddress.TryCreate(email, out var parsed) || parsed.Address != email)
        {
            errors.Add(Error(source, "email", $"'{c.Email}' is not an email address."));
            email = null;
        }
        var name = string.IsNullOrWhiteSpace(c.Name) ? null : c.Name.Trim();
        if (name is { Length: > 128 })
            errors.Add(Error(source, "name", $"The name is {name.Length} characters long; use at most 128."));
        Money? opening = Money.Zero;
        if (!string.IsNullOrWhiteSpace(c.OpeningBalance))
        {
            if (!Money.TryParse(c.OpeningBalance.Trim(), out var money, out var why))
            {
                errors.Add(Error(source, "openingBalance", why));
                opening = null;
            }
            else if (money.IsNegative)
            {
                errors.Add(Error(source, "openingBalance", $"The opening balance {money} is negative; import debts as a top-up the customer owes is not supported, give 0.00 or more."));
                opening = null;
            }
            else
            {
                opening = money;
            }
        }
        var instances = (c.Instances ?? []).Select(i => Check(i, errors)).ToList();
        return new CustomerRow(source, externalId, email, name, opening, instances);
    }

    private InstanceRow Check(ImportInstance i, List<ImportError> errors)
    {
        var source = new Source(i.Where!, i.Line);
        var externalId = ExternalId(i.ExternalId, source, errors);
        var product = catalog.FindProduct(i.Product?.Trim() ?? "");
        if (product is null)
            errors.Add(Error(source, "product", $"'{i.Product}' is not a product of the catalog; use one of {string.Join(", ", catalog.Products.Select(p => p.Code))}."));
        var spec = product?.FindSpec(i.Spec?.Trim() ?? "");
        if (product is not null && spec is null)
            errors.Add(Error(source, "spec", $"'{i.Spec}' is not a spec of {product.Code}."));
        var region = i.Region?.Trim();
        if (catalog.FindRegion(region ?? "") is null)
            errors.Add(Error(source, "region", $"'{i.Region}' is not a region of the catalog."));
        else if (spec is not null && !spec.IsSoldIn(region!))
            errors.Add(Error(source, "region", $"{spec.Code} is not sold in {region}."));
        var name = InstanceNames.Validate(i.Name?.Trim(), 1);
        if (!name.Succeeded)
            errors.Add(Error(source, "name", name.Problem!.Message));
        else if (name.Value is null)
            errors.Add(Error(source, "name", "The instance name is required."));

        var chargeType = Code(i.ChargeType) switch
        {
            "" or "subscription" => ChargeType.Subscription,
            "payasyougo" => ChargeType.PayAsYouGo,
            _ => (ChargeType?)null,
        };
        if (chargeType is null)
            errors.Add(Error(source, "chargeType", $"'{i.ChargeType}' is not a charge type; use subscription or pay_as_you_go."));
        else if (chargeType == ChargeType.PayAsYouGo && product is { OffersPayAsYouGo: false })
            errors.Add(Error(source, "chargeType", $"{product.Code} is not sold pay-as-you-go."));

        var method = Code(i.RenewalMethod) switch
        {
            "" or "manualrenewal" => RenewalMethod.ManualRenewal,
            "autorenewal" => RenewalMethod.AutoRenewal,
            "notrenewal" => RenewalMethod.NotRenewal,
            _ => (RenewalMethod?)null,
        };
        DateTimeOffset? expires = null;
        if (chargeType == ChargeType.Subscription)
        {
            if (method is null)
                errors.Add(Error(source, "renewalMethod", $"'{i.RenewalMethod}' is not a renewal method; use manual_renewal, auto_renewal or not_renewal."));
            else if (method == RenewalMethod.AutoRenewal && (i.AutoRenewPeriodMonths is not { } months || product is not null && !product.AutoRenewalPeriodsMonths.Contains(months)))
                errors.Add(Error(source, "autoRenewPeriodMonths", $"Auto-renewal needs a period of {(product is null ? "the product's" : string.Join(", ", product.AutoRenewalPeriodsMonths))} months; it is '{i.AutoRenewPeriodMonths}'."));
            else if (method == RenewalMethod.AutoRenewal && product is { Renewable: false })
                errors.Add(Error(source, "renewalMethod", $"{product.Code} cannot be renewed here, so it cannot renew automatically."));
            expires = Expiry(i.ExpiresAt);
            if (expires is null)
                errors.Add(Error(source, "expiresAt", $"'{i.ExpiresAt}' is not an expiry; give an ISO 8601 time with an offset (2027-01-01T00:00:00+08:00) or a date (2027-01-01, 00:00 Asia/Shanghai)."));
        }
        else if (!string.IsNullOrWhiteSpace(i.ExpiresAt))
        {
            errors.Add(Error(source, "expiresAt", "A pay-as-you-go instance has no expiry; leave it empty."));
        }
        return new InstanceRow(source, externalId, product, spec, region, name.Succeeded ? name.Value : null, expires,
            method ?? RenewalMethod.ManualRenewal, i.AutoRenewPeriodMonths, chargeType ?? ChargeType.Subscription);
    }

    private static string? ExternalId(string? id, Source source, List<ImportError> errors)
    {
        id = id?.Trim();
        if (string.IsNullOrEmpty(id) || id.Length > ExternalIdMaxLength || id.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            errors.Add(Error(source, "externalId", $"'{id}' is not an external id; give the provider's id, 1 to {ExternalIdMaxLength} characters without spaces."));
            return null;
        }
        return id;
    }

    private static string Code(string? text) => (text ?? "").Trim().Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();

    private static DateTimeOffset? Expiry(string? text)
    {
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
            return null;
        if (NodaTime.Text.LocalDatePattern.Iso.Parse(text) is { Success: true } date)
            return BusinessCalendar.StartOfDay(date.Value);
        // An instant needs its offset: a bare local time would be read in the server's zone.
        if (text.Length > 10 && (text.EndsWith('Z') || text[^6] is '+' or '-')
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
            return instant.ToUniversalTime();
        return null;
    }
}
