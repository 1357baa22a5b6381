using Cloudbill.Core.Accounts;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Time;
using Cloudbill.Core.Webhooks;

namespace Cloudbill.Core.Orders;

/// <summary>The ledger accounts a payment posts to: the customer's cash pays, the coupon's share is an expense, the price is revenue.</summary>
public sealed record PaymentAccounts(long CustomerCash, long CouponExpense, long Revenue);

/// <summary>What a pay-as-you-go purchase's notice says about the price (nothing is paid up front, R8.1).</summary>
public sealed record PayAsYouGoRate(string RegionId, Money Hourly);

/// <summary>
/// Everything one payment of an unpaid order is decided on, read by the caller under the account
/// lock: the order and its product, how it is paid, the balance (null when the money has already
/// arrived, from a gateway: R7.1 and R7.4 are not asked again), the instances it renews, the
/// coupon it uses, the ledger accounts, whether the engine pays it as an auto-renewal, and the time.
/// </summary>
/// <param name="What">How a refusal names the charge: "Order 12", "This renewal", "This auto-renewal".</param>
public sealed record PaymentRequest(
    Order Order,
    Product Product,
    PaymentMethod Method,
    AccountBalance? Balance,
    string What,
    IReadOnlyList<Instance> Renewed,
    Coupon? Coupon,
    PaymentAccounts Accounts,
    bool ByAutoRenewal,
    DateTimeOffset Now,
    PayAsYouGoRate? Rate = null);

/// <summary>A paid renewal line: the instance's expiry moves from <see cref="PreviousExpiry"/> to <see cref="NewExpiry"/> (R3.2).</summary>
public sealed record InstanceExtension(Instance Instance, OrderLine Line, DateTimeOffset? PreviousExpiry, DateTimeOffset NewExpiry);

/// <summary>R6.3: the coupon's deduction to consume; <see cref="HeldByOrderId"/> is the order that froze it, null for a coupon taken at once (the engine).</summary>
public sealed record CouponUse(Coupon Coupon, Money Deduction, long? HeldByOrderId);

/// <summary>A Message Center notice as data (R9): written by <see cref="OrderPayments.Notice"/>, the one place a payment's notice is made.</summary>
public sealed record PlannedNotice(long AccountId, string CauseKey, Notice Notice);

/// <summary>
/// The one payment pipeline (docs/decisions/0028): what paying an order does, decided as a pure
/// function of a <see cref="PaymentRequest"/>, before anything is written. Every payer builds
/// one: Renew Now (app and API), an order paid from the balance or a gateway, CreateInstance,
/// a pay-as-you-go purchase and the engine's auto-renewal. <see cref="OrderPayments.Apply"/> writes
/// a plan in the caller's transaction; the engine writes a batch of plans set-based.
/// </summary>
public sealed record PaymentPlan(
    PaymentRequest Request,
    ChargeRefusal? Refusal,
    IReadOnlyList<PostingLine> Postings,
    IReadOnlyList<InstanceExtension> Extensions,
    IReadOnlyList<InstanceRequest> NewInstances,
    CouponUse? Coupon)
{
    public Order Order => Request.Order;

    public bool Approved => Refusal is null;

    /// <summary>A renewal refused because its instance went away or was renewed meanwhile can never be paid: its order is cancelled (R3.5, R4.5).</summary>
    public bool CancelsOrder => Refusal?.Kind is ChargeRefusalKind.Released or ChargeRefusalKind.NotRenewable or ChargeRefusalKind.RenewedMeanwhile;

    /// <summary>R10.3: one payment per order. Read once the order has its id.</summary>
    public string PaymentKey => OrderPayments.PaymentKey(Order.Id);

    public string PaymentDescription => $"Payment of order {Order.Id} ({Order.Type} {Order.ProductCode})";

    /// <summary>The customer of each ledger account the postings touch (null: a shared account).</summary>
    public IReadOnlyDictionary<long, long?> LedgerCustomers => new Dictionary<long, long?>
    {
        [Request.Accounts.CustomerCash] = Order.AccountId,
        [Request.Accounts.CouponExpense] = null,
        [Request.Accounts.Revenue] = null,
    };

    /// <summary>Decides the payment: R7.4, R7.1 and R3.5 through <see cref="BalanceCharges"/>, then R4.5; approved, it lists what changes.</summary>
    public static PaymentPlan For(PaymentRequest request)
    {
        var order = request.Order;
        if (order.Status != OrderStatus.Unpaid)
            throw new InvalidOperationException($"Order {order.Id} is {order.Status}; only an unpaid order has a payment plan.");
        if (Decide(request) is { } refusal)
            return new PaymentPlan(request, refusal, [], [], [], null);

        var extensions = order.Type == OrderType.Renew ? order.Lines.Select(line => Extension(request, line)).ToList() : [];
        var created = order.Type == OrderType.New
            ? order.Lines.Select(line => new InstanceRequest(order.AccountId, order.Id, order.ChargeType, line.SpecCode, line.RegionId, line.Months, line.Quantity,
                line.InstanceName, line.RenewalMethod, line.AutoRenewPeriodMonths)).ToList()
            : [];
        return new PaymentPlan(request, null, PostingsOf(order, request.Accounts), extensions, created, CouponOf(request));
    }

    /// <summary>R7.4, R7.1 and R3.5 when paid from the balance; then, for a renewal, that every instance may still be renewed and is still at the expiry the order was placed for (R4.5).</summary>
    private static ChargeRefusal? Decide(PaymentRequest request)
    {
        var order = request.Order;
        var renewed = order.Lines.Where(l => l.InstanceId is not null).Select(l => Renewed(request, l)).ToList();
        if (request.Balance is { } balance && BalanceCharges.Decide(balance, order.Payable, request.What, renewed.Select(i => (i, request.Product)), request.Now).Refusal is { } refused)
            return refused;
        foreach (var line in order.Lines.Where(l => l.InstanceId is not null))
        {
            var instance = Renewed(request, line);
            if (BalanceCharges.Renewable(instance, request.Product, request.Now) is { } gone)
                return gone;
            if (line.ExpiresBefore is { } placedFor && instance.ExpiresAt != placedFor)
                return new ChargeRefusal(ChargeRefusalKind.RenewedMeanwhile, OrderErrors.RenewedMeanwhile(instance, order.Id), RefusalReason.RenewedMeanwhile(instance.Id, instance.ExpiresAt!.Value));
        }
        return null;
    }

    private static InstanceExtension Extension(PaymentRequest request, OrderLine line)
    {
        var instance = Renewed(request, line);
        // R3.2: from the old expiry, also when already expired (no free time); R1.6 restores it.
        return new InstanceExtension(instance, line, instance.ExpiresAt, line.UnifiedExpiresAt ?? BusinessCalendar.AddMonths(instance.ExpiresAt ?? request.Now, line.Months));
    }

    private static Instance Renewed(PaymentRequest request, OrderLine line) =>
        request.Renewed.FirstOrDefault(i => i.Id == line.InstanceId && i.AccountId == request.Order.AccountId)
        ?? throw new InvalidOperationException($"Order {request.Order.Id} renews {line.InstanceId}, which the payment request does not hold.");

    /// <summary>The payment's postings: the payable leaves the customer's cash, the coupon's share is an expense, the price is revenue; none for a payment of nothing (pay-as-you-go).</summary>
    private static IReadOnlyList<PostingLine> PostingsOf(Order order, PaymentAccounts accounts) =>
        order.AmountBeforeCoupon.IsZero && order.Payable.IsZero
            ? []
            : [
                new PostingLine(accounts.CustomerCash, -order.Payable),
                new PostingLine(accounts.CouponExpense, -order.CouponDeduction),
                new PostingLine(accounts.Revenue, order.AmountBeforeCoupon),
            ];

    /// <summary>R6.3, R6.4: the order's coupon, frozen by it (or, for the engine, by no order) and with its deduction left.</summary>
    private static CouponUse? CouponOf(PaymentRequest request)
    {
        var order = request.Order;
        if (order.CouponId is not { } couponId)
            return null;
        var coupon = request.Coupon is { } c && c.Id == couponId
            ? c
            : throw new InvalidOperationException($"Order {order.Id} uses coupon {couponId}, which the payment request does not hold.");
        if ((coupon.FrozenByOrderId is { } holder && holder != order.Id) || coupon.Remaining < order.CouponDeduction)
            throw new InvalidOperationException($"Coupon {couponId} is not held by order {order.Id} for {order.CouponDeduction}.");
        return new CouponUse(coupon, order.CouponDeduction, coupon.FrozenByOrderId);
    }

    /// <summary>R9: the paid order's notice, once per order; <paramref name="created"/> are the instances a New order made.</summary>
    public PlannedNotice Notice(IReadOnlyList<string> created)
    {
        var (order, product) = (Order, Request.Product);
        var causeKey = $"order:{order.Id}:paid";
        if (Request.Rate is { } rate)
        {
            return new PlannedNotice(order.AccountId, causeKey,
                new PayAsYouGoPlaced(order.Id, product.Code, created.Count, order.Lines[0].SpecCode, rate.RegionId, rate.Hourly, created.Count == 1 ? created[0] : null));
        }
        var renewed = Extensions.Select(e => new RenewedInstance(e.Instance.Id, e.NewExpiry)).ToList();
        return new PlannedNotice(order.AccountId, causeKey,
            new OrderPaid(order.Id, product.Code, created.Count, renewed, order.Payable, order.CouponDeduction,
                Request.ByAutoRenewal, order.Lines.Count == 1 ? order.Lines[0].InstanceId : null));
    }

    /// <summary>
    /// The paid order's lifecycle events (docs/webhooks.md), once per order: order.paid, then
    /// each renewed instance (and its resumption when it was stopped) or each instance to create.
    /// </summary>
    public IReadOnlyList<LifecycleEvent> Events(IReadOnlyList<Instance> created)
    {
        var (order, now) = (Order, Request.Now);
        var events = new List<LifecycleEvent>
        {
            LifecycleEvents.Create($"order:{order.Id}:paid", order.AccountId, now,
                new OrderPaidEvent(order.Id, LifecycleEvents.Code(order.Type), order.ProductCode, LifecycleEvents.Code(order.ChargeType), order.AmountBeforeCoupon.Fen,
                    order.CouponDeduction.Fen, order.Payable.Fen, LifecycleEvents.Code(Request.Method), Request.ByAutoRenewal,
                    [.. created.Select(i => i.Id), .. Extensions.Select(e => e.Instance.Id)])),
        };
        foreach (var extension in Extensions)
        {
            var id = extension.Instance.Id;
            var previous = extension.PreviousExpiry ?? now;
            events.Add(LifecycleEvents.Create($"order:{order.Id}:renewed:{id}", order.AccountId, now,
                new InstanceRenewedEvent(id, order.Id, previous, extension.NewExpiry, Request.ByAutoRenewal)));
            // A renewal of a stopped instance starts it again (R1.6).
            if (InstanceLifecycle.SuspendsAt(previous, Request.Product.Lifecycle) <= now)
                events.Add(LifecycleEvents.Create($"order:{order.Id}:resumed:{id}", order.AccountId, now, new InstanceResumedEvent(id, "renewed", order.Id)));
        }
        foreach (var instance in created)
        {
            events.Add(LifecycleEvents.Create($"instance:{instance.Id}:create_requested", order.AccountId, now,
                new InstanceCreateRequestedEvent(instance.Id, order.Id, instance.ProductCode, instance.SpecCode, instance.RegionId, instance.Name, LifecycleEvents.Code(instance.ChargeType),
                    instance.ExpiresAt, instance.ChargeType == ChargeType.Subscription ? LifecycleEvents.Code(instance.RenewalMethod) : null, instance.AutoRenewPeriodMonths)));
        }
        return events;
    }
}
