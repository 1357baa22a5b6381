using System.Globalization;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Orders;
using Microsoft.Extensions.Localization;

namespace Cloudbill.Server.App.Shared;

/// <summary>How My > Costs writes vouchers and orders: states, types and a voucher's conditions, in the page's language.</summary>
public static class CostsDisplay
{
    public static string VoucherState(IStringLocalizer<Text> l, Core.Coupons.VoucherState state) => state switch
    {
        Core.Coupons.VoucherState.Available => l["Available"],
        Core.Coupons.VoucherState.Frozen => l["Frozen"],
        Core.Coupons.VoucherState.UsedUp => l["Used"],
        Core.Coupons.VoucherState.Expired => l["Expired"],
    };

    public static string VoucherStateClass(Core.Coupons.VoucherState state) => state switch
    {
        Core.Coupons.VoucherState.Available => "ok",
        Core.Coupons.VoucherState.Frozen => "warning",
        _ => "muted",
    };

    public static string Products(IStringLocalizer<Text> l, ProductCatalog catalog, Coupon coupon) =>
        coupon.Products.Count == 0 ? l["All products"] : string.Join(AppLanguagesSeparator, coupon.Products.Select(p => Display.ProductName(catalog, p)));

    public static string OrderTypes(IStringLocalizer<Text> l, CouponOrderTypes types) => types switch
    {
        CouponOrderTypes.New => l["New purchase"],
        CouponOrderTypes.Renew => l["Renewal"],
        _ => l["New purchase and renewal"],
    };

    public static string BillingMethod(IStringLocalizer<Text> l, Core.Instances.ChargeType type) =>
        type == Core.Instances.ChargeType.Subscription ? l["Subscription"] : l["Pay-as-you-go"];

    public static string MinimumSpend(IStringLocalizer<Text> l, Coupon coupon) =>
        coupon.MinimumOrder.IsPositive ? l["Orders of {0} or more", Display.Yuan(coupon.MinimumOrder)] : l["No minimum"];

    /// <summary>Why a voucher cannot be used now, whatever the order (null when it can): its state, or a start in the future.</summary>
    public static string? NotUsableNow(IStringLocalizer<Text> l, Voucher voucher, DateTimeOffset now) => voucher.State switch
    {
        Core.Coupons.VoucherState.Frozen => l["Frozen by unpaid order {0}: pay or cancel that order to use this voucher.", voucher.Coupon.FrozenByOrderId ?? 0].Value,
        Core.Coupons.VoucherState.UsedUp => l["Used up: no balance left."].Value,
        Core.Coupons.VoucherState.Expired => l["Expired on {0}.", Display.Date(voucher.Coupon.ValidTo)].Value,
        _ when now < voucher.Coupon.ValidFrom => l["Not valid until {0}.", Display.DateTime(voucher.Coupon.ValidFrom)].Value,
        _ => null,
    };

    public static string OrderType(IStringLocalizer<Text> l, Core.Orders.OrderType type) => type switch
    {
        Core.Orders.OrderType.New => l["New purchase"],
        Core.Orders.OrderType.Renew => l["Renewal"],
    };

    public static string OrderStatus(IStringLocalizer<Text> l, Core.Orders.OrderStatus status) => status switch
    {
        Core.Orders.OrderStatus.Unpaid => l["Unpaid"],
        Core.Orders.OrderStatus.Paid => l["Paid"],
        Core.Orders.OrderStatus.Cancelled => l["Cancelled"],
    };

    public static string OrderStatusClass(Core.Orders.OrderStatus status) => status switch
    {
        Core.Orders.OrderStatus.Unpaid => "warning",
        Core.Orders.OrderStatus.Paid => "ok",
        _ => "muted",
    };

    public static string OrderTitle(IStringLocalizer<Text> l, ProductCatalog catalog, Order order) => order.Type == Core.Orders.OrderType.Renew
        ? l["Renewal of {0}", Display.ProductName(catalog, order.ProductCode)]
        : l["Purchase of {0}", Display.ProductName(catalog, order.ProductCode)];

    /// <summary>Amounts in an address, as the forms read them: "317.66".</summary>
    public static string Plain(Core.Money amount) => amount.ToString();

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private const string AppLanguagesSeparator = ", ";
}
