using Cloudbill.Server.OpenApi.Actions;

namespace Cloudbill.Server.OpenApi;

/// <summary>
/// The action table: each supported BssOpenApi 2017-12-14 action and its handler, which reads
/// the parameters by the names of docs/api.md ("Supported actions") and answers with the SDK's
/// JSON shape. Every rule is in the Core service a handler calls; the handlers only translate.
/// </summary>
public static class BssActions
{
    public static IReadOnlyDictionary<string, Type> All { get; } = new Dictionary<string, Type>(StringComparer.Ordinal)
    {
        ["QueryAccountBalance"] = typeof(QueryAccountBalanceAction),
        ["QueryAvailableInstances"] = typeof(QueryAvailableInstancesAction),
        ["RenewInstance"] = typeof(RenewInstanceAction),
        ["SetRenewal"] = typeof(SetRenewalAction),
        ["SetAllExpirationDay"] = typeof(SetAllExpirationDayAction),
        ["CreateInstance"] = typeof(CreateInstanceAction),
        ["GetSubscriptionPrice"] = typeof(GetSubscriptionPriceAction),
        ["QueryOrders"] = typeof(QueryOrdersAction),
        ["GetOrderDetail"] = typeof(GetOrderDetailAction),
        ["CancelOrder"] = typeof(CancelOrderAction),
        ["QueryCashCoupons"] = typeof(QueryCashCouponsAction),
        ["QueryProductList"] = typeof(QueryProductListAction),
        ["QueryAccountTransactions"] = typeof(QueryAccountTransactionsAction),
    };

    /// <summary>
    /// The actions that change nothing, so they may start before the key-and-nonce statement has
    /// answered (docs/decisions/0023). An action that writes, even in passing, must never be here:
    /// a replayed or refused request would have done it.
    /// </summary>
    public static IReadOnlySet<string> Reads { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "QueryAccountBalance", "QueryAvailableInstances", "GetSubscriptionPrice", "QueryOrders",
        "GetOrderDetail", "QueryCashCoupons", "QueryProductList", "QueryAccountTransactions",
    };

    /// <summary>
    /// The actions that place an order or buy, found again by the caller's ClientToken: sent twice
    /// with the same token they are done once (retried after a failover, docs/decisions/0034).
    /// </summary>
    public static IReadOnlySet<string> KeyedByClientToken { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "RenewInstance", "CreateInstance",
    };

    /// <summary>Each handler as a keyed service, built per request with the services it takes.</summary>
    public static IServiceCollection AddBssActions(this IServiceCollection services)
    {
        foreach (var (name, handler) in All)
            services.AddKeyedScoped(typeof(IBssAction), name, handler);
        return services;
    }

    /// <summary>Runs an action of the table (named and checked by the authentication step) for its caller.</summary>
    public static Task<BssOutcome> Run(IServiceProvider services, BssCall call, CancellationToken ct) =>
        services.GetRequiredKeyedService<IBssAction>(call.Action).Run(call.Caller, call.Parameters, ct);
}
