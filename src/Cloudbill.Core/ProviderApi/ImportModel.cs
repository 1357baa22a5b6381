using System.Text.Json.Serialization;

namespace Cloudbill.Core.ProviderApi;

/// <summary>
/// What the provider imports (docs/webhooks.md, "Importing"): its customers and their existing
/// instances, named by the provider's own ids. Fields are text as the provider sends them; the
/// import checks each and names the row of every error (its index in JSON, its line in CSV).
/// </summary>
public sealed record ImportFile(IReadOnlyList<ImportCustomer>? Customers);

/// <param name="OpeningBalance">Yuan with up to two decimals, e.g. "123.45"; posted once per customer.</param>
public sealed record ImportCustomer(string? ExternalId, string? Email, string? Name, string? OpeningBalance, IReadOnlyList<ImportInstance>? Instances)
{
    /// <summary>Where the row is: "customers[0]" in JSON, "line 2" in CSV.</summary>
    [JsonIgnore] public string? Where { get; init; }

    [JsonIgnore] public int? Line { get; init; }
}

/// <param name="ExpiresAt">ISO 8601 with an offset ("2027-01-01T00:00:00+08:00"), or a date ("2027-01-01": 00:00 Asia/Shanghai); subscriptions only.</param>
/// <param name="RenewalMethod">manual_renewal (the default), auto_renewal or not_renewal; subscriptions only.</param>
/// <param name="ChargeType">subscription (the default) or pay_as_you_go.</param>
public sealed record ImportInstance(string? ExternalId, string? Product, string? Spec, string? Region, string? Name, string? ExpiresAt,
    string? RenewalMethod, int? AutoRenewPeriodMonths, string? ChargeType)
{
    [JsonIgnore] public string? Where { get; init; }

    [JsonIgnore] public int? Line { get; init; }
}

/// <summary>One invalid row: where it is (its CSV line when from a file), the field and what is wrong.</summary>
public sealed record ImportError(string Where, int? Line, string Field, string Message);

/// <summary>What a customer row does: "create" a customer, or "match" one imported before.</summary>
public sealed record ImportedCustomer(string ExternalId, string Action, long? AccountId, bool OpeningBalancePosted);

/// <summary>What an instance row does: "create" an instance, or "match" one imported before.</summary>
public sealed record ImportedInstance(string ExternalId, string Action, string? InstanceId);

/// <summary>
/// The import's answer. <see cref="Changes"/> counts what it changed (or, in a dry run, would
/// change): customers and instances created and opening balances posted. With any error nothing
/// is applied and <see cref="Applied"/> is false.
/// </summary>
public sealed record ImportReport(
    bool DryRun,
    bool Applied,
    int CustomersCreated,
    int CustomersMatched,
    int OpeningBalancesPosted,
    int InstancesCreated,
    int InstancesMatched,
    IReadOnlyList<ImportError> Errors,
    IReadOnlyList<ImportedCustomer> Customers,
    IReadOnlyList<ImportedInstance> Instances)
{
    public int Changes => CustomersCreated + OpeningBalancesPosted + InstancesCreated;
}
