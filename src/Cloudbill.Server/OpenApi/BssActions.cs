using System.Globalization;
using Cloudbill.Core;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Orders;
using Cloudbill.Core.PayAsYouGo;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Purchase;
using Cloudbill.Core.Renewals;

namespace Cloudbill.Server.OpenApi;

/// <summary>One signed call to an action: who called, with what, and the request's services.</summary>
public sealed record BssCall(BssCaller Caller, BssParameters Parameters, IServiceProvider Services, CancellationToken Cancellation)
{
    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();
}

/// <summary>What an action answers: the `Data` of a success, or an error.</summary>
public readonly record struct BssOutcome(object? Data, BssError? Error)
{
    public static BssOutcome Ok(object? data) => new(data, null);

    public static BssOutcome FromError(BssError error) => new(null, error);

    public static implicit operator BssOutcome(Problem problem) => new(null, BssErrors.From(problem));
}

/// <summary>
/// The action table: each supported BssOpenApi 2017-12-14 action, reading its parameters by
/// the names of docs/api.md ("Supported actions") and answering with its JSON shape. Every rule is in the
/// Core service it calls; this file only translates.
/// </summary>
public static class BssActions
{
    public static IReadOnlyDictionary<string, Func<BssCall, Task<BssOutcome>>> All { get; } =
        new Dictionary<string, Func<BssCall, Task<BssOutcome>>>(StringComparer.Ordinal)
        {
            ["QueryAccountBalance"] = QueryAccountBalance,
            ["QueryAvailableInstances"] = QueryAvailableInstances,
            ["RenewInstance"] = RenewInstance,
            ["SetRenewal"] = SetRenewal,
            ["SetAllExpirationDay"] = SetAllExpirationDay,
            ["CreateInstance"] = CreateInstance,
            ["GetSubscriptionPrice"] = GetSubscriptionPrice,
            ["QueryOrders"] = QueryOrders,
            ["GetOrderDetail"] = GetOrderDetail,
            ["CancelOrder"] = CancelOrder,
            ["QueryCashCoupons"] = QueryCashCoupons,
            ["QueryProductList"] = QueryProductList,
            ["QueryAccountTransactions"] = QueryAccountTransactions,
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

    private const string Currency = "CNY";

    /// <summary>Times as the SDK's models show them: UTC, yyyy-MM-ddTHH:mm:ssZ.</summary>
    public static string? Time(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Money where the model says number (prices): yuan as an exact decimal (System.Decimal from fen), so no rounding enters.</summary>
    private static decimal Number(Money money) => money.Fen / 100m;

    private static async Task<BssOutcome> QueryAccountBalance(BssCall call)
    {
        var balance = await call.Service<LedgerService>().Balance(call.Caller.AccountId, call.Cancellation);
        return BssOutcome.Ok(new
        {
            AvailableAmount = balance.AvailableCredit.ToString(),
            AvailableCashAmount = balance.Cash.ToString(),
            CreditAmount = balance.CreditLine.ToString(),
            MybankCreditAmount = Money.Zero.ToString(),
            QuotaLimit = balance.CreditLine.ToString(),
            Currency,
        });
    }

    private static async Task<BssOutcome> QueryAvailableInstances(BssCall call)
    {
        var p = call.Parameters;
        var page = p.Int("PageNum", 1) ?? 1;
        var size = p.Int("PageSize", 1, RenewalFilter.MaxPageSize) ?? RenewalFilter.DefaultPageSize;
        var method = p.OneOf("RenewStatus", Enum.GetNames<RenewalMethod>());
        var subscription = p.OneOf("SubscriptionType", Enum.GetNames<ChargeType>());
        var endFrom = p.Time("EndTimeStart");
        var endTo = p.EndTime("EndTimeEnd");
        var ids = p.List("InstanceIDs");
        var catalog = call.Service<ProductCatalog>();
        var product = p.Text("ProductCode");
        if (product is not null && catalog.FindProduct(product) is null)
            return BssOutcome.Ok(InstancePage([], 0, page, size, call.Caller.AccountId, catalog));

        if (subscription == nameof(ChargeType.PayAsYouGo))
        {
            // Pay-as-you-go instances have no expiry and no renewal method; an account holds few.
            var all = (await call.Service<InstanceQueries>().ForAccount(call.Caller.AccountId, call.Cancellation))
                .Where(i => i.ChargeType == ChargeType.PayAsYouGo
                    && (product is null || i.ProductCode == product)
                    && (p.Text("Region") is not { } r || i.RegionId == r)
                    && (ids is null || ids.Contains(i.Id))
                    && method is null && endFrom is null && endTo is null)
                .ToList();
            var rows = all.Skip(Paging.Skip(page, size)).Take(size).Select(i => InstanceJson(
                i.Id, i.ProductCode, i.RegionId, i.ChargeType, i.State, i.ExpiresAt, i.RenewalMethod, i.AutoRenewPeriodMonths, i.CreatedAt, call.Caller.AccountId, catalog)).ToList();
            return BssOutcome.Ok(InstancePage(rows, all.Count, page, size, call.Caller.AccountId, catalog));
        }

        var expiry = endFrom is null && endTo is null ? ExpiryWindow.AllTimes : ExpiryWindow.Custom;
        var filter = new RenewalFilter(
            ProductCode: product,
            RegionId: p.Text("Region"),
            Method: method is null ? null : Enum.Parse<RenewalMethod>(method),
            Expiry: expiry,
            From: expiry == ExpiryWindow.Custom ? endFrom ?? DateTimeOffset.UnixEpoch : null,
            To: expiry == ExpiryWindow.Custom ? endTo ?? new DateTimeOffset(9999, 1, 1, 0, 0, 1, TimeSpan.Zero) : null,
            Page: page,
            PageSize: size)
        {
            InstanceIds = ids,
            CreatedFrom = p.Time("CreateTimeStart"),
            CreatedTo = p.EndTime("CreateTimeEnd"),
        };
        var result = await call.Service<RenewalViews>().Page(call.Caller.AccountId, filter, call.Cancellation);
        if (!result.Succeeded)
            return result.Problem!;
        var list = result.Value.Rows.Select(i => InstanceJson(
            i.Id, i.ProductCode, i.RegionId, ChargeType.Subscription, i.State, i.ExpiresAt, i.RenewalMethod, i.AutoRenewPeriodMonths, i.CreatedAt, call.Caller.AccountId, catalog)).ToList();
        return BssOutcome.Ok(InstancePage(list, result.Value.Total, page, size, call.Caller.AccountId, catalog));
    }

    private static object InstancePage(List<object> rows, int total, int page, int size, long accountId, ProductCatalog catalog) =>
        new { InstanceList = rows, PageNum = page, PageSize = size, TotalCount = total };

    private static object InstanceJson(string id, string productCode, string regionId, ChargeType charge, InstanceState state, DateTimeOffset? expires,
        RenewalMethod method, int? autoRenewMonths, DateTimeOffset created, long accountId, ProductCatalog catalog) => new
        {
            InstanceID = id,
            ProductCode = productCode,
            ProductType = catalog.FindProduct(productCode)?.ProductType ?? productCode,
            Region = regionId,
            SubscriptionType = charge.ToString(),
            Status = state.Status.ToString(),
            SubStatus = state.Phase == InstancePhase.Suspended ? "Stopped" : "Normal",
            CreateTime = Time(created),
            EndTime = Time(expires),
            StopTime = Time(state.SuspendsAt),
            ReleaseTime = Time(state.ReleasesAt),
            ExpectedReleaseTime = Time(state.ReleasesAt),
            RenewStatus = charge == ChargeType.Subscription ? method.ToString() : null,
            RenewalDuration = autoRenewMonths,
            RenewalDurationUnit = autoRenewMonths is null ? null : "M",
            OwnerId = accountId,
        };

    private static async Task<BssOutcome> RenewInstance(BssCall call)
    {
        var p = call.Parameters;
        var instanceId = p.RequiredText("InstanceId");
        var productCode = p.RequiredText("ProductCode");
        var months = p.RequiredInt("RenewPeriod", 1, 1200);
        var token = p.ClientToken();
        var renewals = call.Service<RenewalService>();
        var term = RenewalTerm.ForMonths(months);
        // The product named must be the instance's: a script renewing the wrong id must not be charged.
        var quote = await renewals.Quote(call.Caller.AccountId, [instanceId], term, CouponChoice.None, call.Cancellation);
        if (!quote.Succeeded && quote.Problem!.Code != "Instance.UnpaidOrder")
            return quote.Problem!;
        if (quote.Succeeded && quote.Value.Product.Code != productCode)
            return BssOutcome.FromError(BssErrors.InvalidParameter("ProductCode", $"instance {instanceId} is of product {quote.Value.Product.Code}, not {productCode}."));
        var renewed = await renewals.RenewNow(call.Caller.AccountId, [instanceId], term, token, CouponChoice.Best, call.Cancellation);
        if (!renewed.Succeeded)
            return renewed.Problem!;
        return BssOutcome.Ok(new { OrderId = renewed.Value.Order.Id.ToString(CultureInfo.InvariantCulture) });
    }

    private static async Task<BssOutcome> SetRenewal(BssCall call)
    {
        var p = call.Parameters;
        var ids = p.List("InstanceIDs") is { Count: > 0 } list ? list : throw BssParameters.Missing("InstanceIDs");
        p.RequiredText("ProductCode");
        var method = Enum.Parse<RenewalMethod>(p.OneOf("RenewalStatus", Enum.GetNames<RenewalMethod>()) ?? throw BssParameters.Missing("RenewalStatus"));
        int? months = null;
        if (method == RenewalMethod.AutoRenewal)
        {
            var period = p.RequiredInt("RenewalPeriod", 1, 100);
            var unit = p.OneOf("RenewalPeriodUnit", "M", "Y") ?? "M";
            months = unit == "Y" ? period * 12 : period;
        }
        var set = await call.Service<RenewalService>().SetRenewalMethod(call.Caller.AccountId, ids, method, months, call.Cancellation);
        return set.Succeeded ? BssOutcome.Ok(null) : set.Problem!;
    }

    /// <summary>
    /// Renews every ECS subscription instance of the account that has not expired and has no
    /// unpaid order to the unified day, paid from the balance in one order (docs/api.md).
    /// </summary>
    private static async Task<BssOutcome> SetAllExpirationDay(BssCall call)
    {
        var day = call.Parameters.RequiredInt("UnifyExpireDay", 1, 28);
        var views = call.Service<RenewalViews>();
        var ids = new List<string>();
        for (var page = 1; ; page++)
        {
            var listed = await views.List(call.Caller.AccountId, new RenewalFilter(ProductCode: "ecs", Page: page, PageSize: RenewalFilter.MaxPageSize), call.Cancellation);
            if (!listed.Succeeded)
                return listed.Problem!;
            ids.AddRange(listed.Value.Instances.Where(i => i.State.Status is InstanceStatus.Normal or InstanceStatus.WaitForExpire && !i.HasUnpaidOrder).Select(i => i.Id));
            if (page * RenewalFilter.MaxPageSize >= listed.Value.Total)
                break;
        }
        if (ids.Count == 0)
            return BssOutcome.Ok(new { OrderId = (string?)null, InstanceCount = 0 });
        if (ids.Count > RenewalService.MaxBatch)
            return BssOutcome.FromError(BssErrors.InvalidParameter("UnifyExpireDay", $"the account has {ids.Count} ECS instances to align; at most {RenewalService.MaxBatch} are renewed at once, so renew the others with RenewInstance first."));
        var renewed = await call.Service<RenewalService>().RenewNow(call.Caller.AccountId, ids, RenewalTerm.ToUnifiedDay(day), ClientToken.New(), CouponChoice.Best, call.Cancellation);
        if (!renewed.Succeeded)
            return renewed.Problem!;
        return BssOutcome.Ok(new { OrderId = renewed.Value.Order.Id.ToString(CultureInfo.InvariantCulture), InstanceCount = ids.Count });
    }

    private static async Task<BssOutcome> CreateInstance(BssCall call)
    {
        var p = call.Parameters;
        var productCode = p.RequiredText("ProductCode");
        var charge = Enum.Parse<ChargeType>(p.OneOf("SubscriptionType", Enum.GetNames<ChargeType>()) ?? throw BssParameters.Missing("SubscriptionType"));
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var o in p.Objects("Parameter"))
        {
            var code = o.TryGetValue("Code", out var c) ? c : throw BssParameters.Missing("Parameter.N.Code");
            var value = o.TryGetValue("Value", out var v) ? v : throw BssParameters.Missing("Parameter.N.Value");
            // A setting named twice has no one value to buy with.
            if (!settings.TryAdd(code, value))
                throw BssParameters.Invalid("Parameter.N.Code", $"'{code}' is given more than once; name each setting once.");
        }
        var region = settings.GetValueOrDefault("Region") ?? throw BssParameters.Missing("Parameter.N.Code=Region");
        var spec = settings.GetValueOrDefault("InstanceType") ?? throw BssParameters.Missing("Parameter.N.Code=InstanceType");
        var quantity = 1;
        if (settings.TryGetValue("Quantity", out var q) && (!int.TryParse(q, NumberStyles.None, CultureInfo.InvariantCulture, out quantity) || quantity < 1))
            return BssOutcome.FromError(BssErrors.InvalidParameter("Parameter.N.Value", $"Quantity '{q}' is not a positive whole number."));
        var token = p.ClientToken();

        if (charge == ChargeType.PayAsYouGo)
        {
            var bought = await call.Service<PayAsYouGoPurchase>().Buy(call.Caller.AccountId, new PayAsYouGoRequest(productCode, region, spec, quantity), token, call.Cancellation);
            return bought.Succeeded ? Created(bought.Value) : bought.Problem!;
        }

        var period = p.RequiredInt("Period", 1, 1200);
        var cycle = p.Int("PricingCycle", 1, 2) ?? 2;
        var months = cycle == 1 ? period * 12 : period;
        var auto = (p.OneOf("RenewalStatus", nameof(RenewalMethod.AutoRenewal), nameof(RenewalMethod.ManualRenewal)) ?? nameof(RenewalMethod.ManualRenewal)) == nameof(RenewalMethod.AutoRenewal);
        var renewMonths = p.Int("RenewPeriod", 1, 1200);
        if (auto && renewMonths is null)
            throw BssParameters.Missing("RenewPeriod");
        var request = new PurchaseRequest(productCode, region, spec, months, quantity, auto, auto ? renewMonths : null);
        var placed = await call.Service<PurchaseService>().Buy(call.Caller.AccountId, request, token, CouponChoice.Best, call.Cancellation);
        if (!placed.Succeeded)
            return placed.Problem!;
        // CreateInstance pays at once from the balance (Alibaba: "the order is automatically
        // paid"). An order the balance cannot pay stays unpaid, held by its client token: the
        // customer pays it by Alipay or UnionPay, or cancels it with CancelOrder (docs/api.md).
        var paid = await call.Service<OrderPayments>().PayFromBalance(call.Caller.AccountId, placed.Value.Id, call.Cancellation);
        if (!paid.Succeeded)
            return paid.Problem!;
        if (paid.Value.AlreadyPaid)
        {
            var created = await call.Service<OrderQueries>().CreatedInstances(call.Caller.AccountId, placed.Value.Id, call.Cancellation);
            return Created(paid.Value with { CreatedInstanceIds = created });
        }
        return Created(paid.Value);
    }

    private static BssOutcome Created(PaymentOutcome outcome) => BssOutcome.Ok(new
    {
        InstanceId = string.Join(',', outcome.CreatedInstanceIds),
        OrderId = outcome.Order.Id.ToString(CultureInfo.InvariantCulture),
    });

    private static async Task<BssOutcome> GetSubscriptionPrice(BssCall call)
    {
        var p = call.Parameters;
        var productCode = p.RequiredText("ProductCode");
        if (p.OneOf("SubscriptionType", nameof(ChargeType.Subscription)) is null)
            throw BssParameters.Missing("SubscriptionType");
        var orderType = p.OneOf("OrderType", "NewOrder", "Renewal") ?? throw BssParameters.Missing("OrderType");
        var modules = p.Objects("ModuleList");
        if (modules.Count == 0)
            throw BssParameters.Missing("ModuleList.N.ModuleCode");
        var quantity = p.Int("Quantity", 1, 1000) ?? 1;
        var periods = p.Int("ServicePeriodQuantity", 1, 1200) ?? 1;
        var months = (p.OneOf("ServicePeriodUnit", "Month", "Year") ?? "Month") == "Year" ? periods * 12 : periods;
        var moduleCode = modules[0].GetValueOrDefault("ModuleCode") ?? "InstanceType";

        Money original, discount;
        CouponVerdict? coupon;
        if (orderType == "Renewal")
        {
            var instanceId = p.RequiredText("InstanceId");
            var quote = await call.Service<RenewalService>().Quote(call.Caller.AccountId, [instanceId], RenewalTerm.ForMonths(months), CouponChoice.Best, call.Cancellation);
            if (!quote.Succeeded)
                return quote.Problem!;
            if (quote.Value.Product.Code != productCode)
                return BssOutcome.FromError(BssErrors.InvalidParameter("ProductCode", $"instance {instanceId} is of product {quote.Value.Product.Code}, not {productCode}."));
            (original, discount, coupon) = (quote.Value.OriginalPrice, quote.Value.Discount, quote.Value.AppliedCoupon);
        }
        else
        {
            var spec = SpecOf(modules) ?? throw BssParameters.Missing("ModuleList.N.Config");
            var region = p.RequiredText("Region");
            var quote = await call.Service<PurchaseService>().Quote(call.Caller.AccountId, new PurchaseRequest(productCode, region, spec, months, quantity), CouponChoice.Best, call.Cancellation);
            if (!quote.Succeeded)
                return quote.Problem!;
            (original, discount, coupon) = (quote.Value.OriginalPrice, quote.Value.Discount, quote.Value.AppliedCoupon);
        }
        var deduction = coupon?.Deduction ?? Money.Zero;
        var trade = original - discount - deduction;
        return BssOutcome.Ok(new
        {
            Currency,
            OriginalPrice = Number(original),
            DiscountPrice = Number(discount + deduction),
            TradePrice = Number(trade),
            Quantity = quantity,
            ModuleDetails = new
            {
                ModuleDetail = new[]
                {
                    new
                    {
                        ModuleCode = moduleCode,
                        OriginalCost = Number(original),
                        InvoiceDiscount = Number(discount + deduction),
                        CostAfterDiscount = Number(trade),
                        UnitPrice = Number(original),
                    },
                },
            },
            PromotionDetails = new
            {
                PromotionDetail = coupon is null
                    ? []
                    : new[] { new { PromotionId = coupon.Coupon.Id, PromotionName = coupon.Coupon.Name, PromotionDesc = $"Coupon: {deduction} CNY off" } },
            },
        });
    }

    /// <summary>The spec from a module's Config, `InstanceType:ecs.g7.large,IoOptimized:...` (the value named like the module, else the first).</summary>
    private static string? SpecOf(IReadOnlyList<IReadOnlyDictionary<string, string>> modules)
    {
        foreach (var module in modules)
        {
            if (!module.TryGetValue("Config", out var config) || string.IsNullOrWhiteSpace(config))
                continue;
            var pairs = config.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(pair => pair.Split(':', 2)).Where(kv => kv.Length == 2).ToList();
            var code = module.GetValueOrDefault("ModuleCode") ?? "InstanceType";
            return pairs.FirstOrDefault(kv => kv[0] == code)?[1] ?? pairs.FirstOrDefault()?[1] ?? config;
        }
        return null;
    }

    private static readonly Dictionary<OrderStatus, string> PaymentStatuses = new()
    {
        [OrderStatus.Unpaid] = "Unpaid",
        [OrderStatus.Paid] = "Paid",
        [OrderStatus.Cancelled] = "Cancelled",
    };

    private static async Task<BssOutcome> QueryOrders(BssCall call)
    {
        var p = call.Parameters;
        var type = p.OneOf("OrderType", "New", "Renew", "Upgrade", "Refund");
        var status = p.OneOf("PaymentStatus", "Unpaid", "Paid", "Cancelled");
        var charge = p.OneOf("SubscriptionType", Enum.GetNames<ChargeType>());
        var page = p.Int("PageNum", 1) ?? 1;
        var size = p.Int("PageSize", 1, OrderFilter.MaxPageSize) ?? 20;
        if (type is "Upgrade" or "Refund")
            return BssOutcome.Ok(OrderList([], 0, page, size));
        var filter = new OrderFilter(
            type is null ? null : Enum.Parse<OrderType>(type),
            status is null ? null : Enum.Parse<OrderStatus>(status),
            p.Time("CreateTimeStart"),
            p.EndTime("CreateTimeEnd"),
            page,
            size)
        {
            ProductCode = p.Text("ProductCode"),
            SubscriptionType = charge is null ? null : Enum.Parse<ChargeType>(charge),
        };
        var listed = await call.Service<OrderQueries>().List(call.Caller.AccountId, filter, call.Cancellation);
        if (!listed.Succeeded)
            return listed.Problem!;
        var catalog = call.Service<ProductCatalog>();
        return BssOutcome.Ok(OrderList(listed.Value.Orders.Select(o => OrderJson(o, catalog)).ToList(), listed.Value.Total, page, size));
    }

    private static object OrderList(List<object> orders, int total, int page, int size) =>
        new { HostName = "cloudbill", OrderList = new { Order = orders }, PageNum = page, PageSize = size, TotalCount = total };

    private static object OrderJson(Order o, ProductCatalog catalog) => new
    {
        OrderId = o.Id.ToString(CultureInfo.InvariantCulture),
        OrderType = o.Type.ToString(),
        PaymentStatus = PaymentStatuses[o.Status],
        CreateTime = Time(o.CreatedAt),
        PaymentTime = Time(o.PaidAt),
        ProductCode = o.ProductCode,
        ProductType = catalog.FindProduct(o.ProductCode)?.ProductType ?? o.ProductCode,
        CommodityCode = o.ProductCode,
        SubscriptionType = o.SubscriptionType.ToString(),
        Currency,
        PaymentCurrency = Currency,
        PretaxGrossAmount = o.OriginalPrice.ToString(),
        PretaxAmount = o.Payable.ToString(),
        PretaxAmountLocal = o.Payable.ToString(),
        AfterTaxAmount = o.Payable.ToString(),
        Tax = Money.Zero.ToString(),
        RelatedOrderId = "",
    };

    private static async Task<BssOutcome> GetOrderDetail(BssCall call)
    {
        var orderId = call.Parameters.RequiredOrderId();
        var queries = call.Service<OrderQueries>();
        var found = await queries.Get(call.Caller.AccountId, orderId, call.Cancellation);
        if (!found.Succeeded)
            return found.Problem!;
        var order = found.Value;
        var created = order.Type == OrderType.New ? await queries.CreatedInstances(call.Caller.AccountId, orderId, call.Cancellation) : [];
        var catalog = call.Service<ProductCatalog>();
        var product = catalog.FindProduct(order.ProductCode);
        var lines = order.Lines.OrderBy(l => l.Id).Select(l => new
        {
            OrderId = order.Id.ToString(CultureInfo.InvariantCulture),
            SubOrderId = l.Id.ToString(CultureInfo.InvariantCulture),
            OrderSubType = "ProductSubOrder",
            OrderType = order.Type.ToString(),
            PaymentStatus = PaymentStatuses[order.Status],
            CreateTime = Time(order.CreatedAt),
            PaymentTime = Time(order.PaidAt),
            ProductCode = order.ProductCode,
            ProductType = product?.ProductType ?? order.ProductCode,
            CommodityCode = order.ProductCode,
            SubscriptionType = order.SubscriptionType.ToString(),
            Region = l.RegionId,
            Quantity = l.Quantity.ToString(CultureInfo.InvariantCulture),
            InstanceIDs = System.Text.Json.JsonSerializer.Serialize(l.InstanceId is { } one ? [one] : created),
            Config = $"InstanceType:{l.SpecCode};Months:{l.Months}",
            UsageStartTime = Time(l.ExpiresBefore ?? order.PaidAt),
            UsageEndTime = Time(l.ExpiresAfter ?? l.UnifiedExpiresAt),
            Currency,
            PaymentCurrency = Currency,
            PretaxGrossAmount = l.OriginalPrice.ToString(),
            // The coupon is taken off the order as a whole (R6.3); a one-line order shows it on its line.
            PretaxAmount = (order.Lines.Count == 1 ? order.Payable : l.Amount).ToString(),
            PretaxAmountLocal = (order.Lines.Count == 1 ? order.Payable : l.Amount).ToString(),
            AfterTaxAmount = (order.Lines.Count == 1 ? order.Payable : l.Amount).ToString(),
            Tax = Money.Zero.ToString(),
            Operator = call.Caller.AccountId.ToString(CultureInfo.InvariantCulture),
            RelatedOrderId = "",
            BillModuleConfig = new
            {
                billModuleConfig = new[]
                {
                    new
                    {
                        Code = "InstanceType",
                        ApiCode = "InstanceType",
                        Name = "Instance type",
                        BillModuleProperties = new { billModuleProperties = new[] { new { AttrApiCode = "InstanceType", ModuleApiCode = "InstanceType", Value = l.SpecCode } } },
                    },
                },
            },
        }).ToList();
        return BssOutcome.Ok(new { HostName = "cloudbill", OrderList = new { Order = lines }, PageNum = 1, PageSize = lines.Count, TotalCount = lines.Count });
    }

    private static async Task<BssOutcome> CancelOrder(BssCall call)
    {
        var orderId = call.Parameters.RequiredOrderId();
        var cancelled = await call.Service<OrderService>().Cancel(call.Caller.AccountId, orderId, call.Cancellation);
        return cancelled.Succeeded ? BssOutcome.Ok(new { HostId = "cloudbill" }) : cancelled.Problem!;
    }

    private static async Task<BssOutcome> QueryCashCoupons(BssCall call)
    {
        var p = call.Parameters;
        var effective = p.Bool("EffectiveOrNot");
        var from = p.Time("ExpiryTimeStart");
        var to = p.Time("ExpiryTimeEnd");
        var vouchers = await call.Service<CouponService>().Vouchers(call.Caller.AccountId, null, call.Cancellation);
        var list = vouchers
            .Where(v => effective is null || (v.State is VoucherState.Available or VoucherState.Frozen) == effective)
            .Where(v => (from is null || v.Coupon.ValidTo >= from) && (to is null || v.Coupon.ValidTo <= to))
            .Select(v => new
            {
                CashCouponId = v.Coupon.Id,
                CashCouponNo = $"CC-{v.Coupon.Id}",
                NominalValue = v.Coupon.FaceValue.ToString(),
                Balance = v.Coupon.Remaining.ToString(),
                Status = v.State.ToString(),
                EffectiveTime = Time(v.Coupon.ValidFrom),
                ExpiryTime = Time(v.Coupon.ValidTo),
                GrantedTime = Time(v.Coupon.IssuedAt),
                ApplicableProducts = v.Coupon.Products.Count == 0 ? "All products" : string.Join(',', v.Coupon.Products),
                ApplicableScenarios = $"{v.Coupon.OrderTypes} orders, {v.Coupon.SubscriptionType}, minimum order {v.Coupon.MinimumOrder} CNY",
                Description = v.Coupon.Name,
            })
            .ToList();
        return BssOutcome.Ok(new { CashCoupon = list });
    }

    private static Task<BssOutcome> QueryProductList(BssCall call)
    {
        var p = call.Parameters;
        var page = p.RequiredInt("PageNum", 1);
        var size = p.Int("PageSize", 1, 300) ?? 10;
        var all = call.Service<ProductCatalog>().Products
            .SelectMany(product => (product.OffersPayAsYouGo ? new[] { ChargeType.Subscription, ChargeType.PayAsYouGo } : [ChargeType.Subscription])
                .Select(charge => new
                {
                    ProductCode = product.Code,
                    ProductName = charge == ChargeType.PayAsYouGo ? $"{product.Name} (Pay-as-you-go)" : product.Name,
                    ProductType = product.ProductType ?? product.Code,
                    SubscriptionType = charge.ToString(),
                }))
            .ToList();
        return Task.FromResult(BssOutcome.Ok(new
        {
            PageNum = page,
            PageSize = size,
            TotalCount = all.Count,
            ProductList = new { Product = all.Skip(Paging.Skip(page, size)).Take(size).ToList() },
        }));
    }

    private static async Task<BssOutcome> QueryAccountTransactions(BssCall call)
    {
        var p = call.Parameters;
        var page = p.Int("PageNum", 1) ?? 1;
        var size = p.Int("PageSize", 1, 300) ?? 10;
        var filter = new BssTransactionFilter(
            p.Time("CreateTimeStart"),
            p.EndTime("CreateTimeEnd"),
            p.OneOf("TransactionFlow", "Income", "Expense"),
            p.OneOf("TransactionType", "Payment", "Withdraw", "Refund", "Consumption", "Transfer", "Adjust"),
            p.Text("TransactionNumber") ?? p.Text("RecordID"),
            page,
            size);
        var (rows, total) = await call.Service<BssTransactions>().List(call.Caller.AccountId, filter, call.Cancellation);
        return BssOutcome.Ok(new
        {
            AccountName = rows.FirstOrDefault()?.AccountName ?? "",
            PageNum = page,
            PageSize = size,
            TotalCount = total,
            AccountTransactionsList = new { AccountTransactionsList = rows.Select(r => r.Json).ToList() },
        });
    }
}
