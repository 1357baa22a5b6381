using Cloudbill.Core.Persistence;

namespace Cloudbill.Server.OpenApi;

/// <summary>One throttling quota: this many calls per AccessKey and action in each period.</summary>
public sealed class BssQuota
{
    public int Requests { get; set; }
    public int PeriodSeconds { get; set; } = 1;
}

/// <summary>The `Cloudbill:Api` section: the BSS-compatible OpenAPI (docs/api.md).</summary>
public sealed class BssApiOptions
{
    public const string Section = "Cloudbill:Api";

    /// <summary>How far a request's timestamp may be from the server's clock, either way; also how long nonces are remembered (twice this).</summary>
    public int MaxClockSkewMinutes { get; set; } = 15;

    /// <summary>Requests with a larger body are refused before it is read.</summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>The HostId of every error body.</summary>
    public string HostId { get; set; } = "cloudbill";

    /// <summary>Seconds between deletions of nonces that can no longer be replayed.</summary>
    public int NonceCleanupSeconds { get; set; } = 60;

    public bool ThrottlingEnabled { get; set; } = true;

    /// <summary>The quota of an action without its own entry.</summary>
    public BssQuota DefaultQuota { get; set; } = new() { Requests = 10 };

    /// <summary>
    /// Per action; Alibaba's published BSS quotas (docs/api.md, "Throttling") are the defaults.
    /// QueryAvailableInstances, GetOrderDetail, GetSubscriptionPrice and SetAllExpirationDay have
    /// no published quota and use <see cref="DefaultQuota"/>.
    /// </summary>
    public Dictionary<string, BssQuota> Quotas { get; set; } = new(StringComparer.Ordinal)
    {
        ["QueryAccountBalance"] = new() { Requests = 10 },
        ["RenewInstance"] = new() { Requests = 30 },
        ["SetRenewal"] = new() { Requests = 30 },
        ["CreateInstance"] = new() { Requests = 30 },
        ["QueryOrders"] = new() { Requests = 10 },
        ["QueryProductList"] = new() { Requests = 10 },
        ["QueryCashCoupons"] = new() { Requests = 10 },
        ["CancelOrder"] = new() { Requests = 4 },
        ["QueryAccountTransactions"] = new() { Requests = 600, PeriodSeconds = 60 },
    };

    public BssQuota QuotaFor(string action) => Quotas.TryGetValue(action, out var quota) ? quota : DefaultQuota;

    /// <summary>Stops the start with a message naming the key.</summary>
    public void Validate()
    {
        if (MaxClockSkewMinutes is < 1 or > 60)
            throw new ConfigurationProblemException($"{Section}:MaxClockSkewMinutes must be 1 to 60; it is {MaxClockSkewMinutes}.");
        if (MaxBodyBytes is < 1024 or > 64 * 1024 * 1024)
            throw new ConfigurationProblemException($"{Section}:MaxBodyBytes must be 1024 to 67108864; it is {MaxBodyBytes}.");
        if (NonceCleanupSeconds < 1)
            throw new ConfigurationProblemException($"{Section}:NonceCleanupSeconds must be at least 1; it is {NonceCleanupSeconds}.");
        if (string.IsNullOrWhiteSpace(HostId))
            throw new ConfigurationProblemException($"{Section}:HostId must not be empty.");
        foreach (var (action, quota) in Quotas.Append(new KeyValuePair<string, BssQuota>("DefaultQuota", DefaultQuota)))
        {
            var key = action == "DefaultQuota" ? $"{Section}:DefaultQuota" : $"{Section}:Quotas:{action}";
            if (quota.Requests < 1)
                throw new ConfigurationProblemException($"{key}:Requests must be at least 1; it is {quota.Requests}.");
            if (quota.PeriodSeconds < 1)
                throw new ConfigurationProblemException($"{key}:PeriodSeconds must be at least 1; it is {quota.PeriodSeconds}.");
        }
    }
}
