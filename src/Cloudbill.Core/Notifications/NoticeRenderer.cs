using System.Globalization;
using System.Resources;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Time;

namespace Cloudbill.Core.Notifications;

/// <summary>A notice as one reader reads it.</summary>
public sealed record RenderedNotice(string Title, string Body);

/// <summary>
/// Writes a notice's title and body in the reader's language (docs/decisions/0030): English, or
/// Simplified Chinese for "zh-CN", from NoticeText.resx and NoticeText.zh-CN.resx. Products and
/// regions are named from the catalog in that language; dates and times are Asia/Shanghai as the
/// app writes them; amounts are "330.00 CNY" in English (as notices always said) and "¥330.00" in
/// Chinese (as the app writes them). A row stored before notices had content is shown as it was
/// written.
/// </summary>
public sealed class NoticeRenderer(ProductCatalog catalog)
{
    public const string English = "en";
    public const string Chinese = "zh-CN";

    private static readonly ResourceManager Text = new("Cloudbill.Core.Notifications.NoticeText", typeof(NoticeRenderer).Assembly);
    private static readonly CultureInfo EnglishCulture = CultureInfo.GetCultureInfo(English);
    private static readonly CultureInfo ChineseCulture = CultureInfo.GetCultureInfo(Chinese);

    /// <summary>The reader's language from a stored choice ("zh-CN", "en" or none): English unless Chinese was chosen.</summary>
    public static CultureInfo LanguageOf(string? culture) =>
        culture is not null && culture.StartsWith("zh", StringComparison.Ordinal) ? ChineseCulture : EnglishCulture;

    public RenderedNotice Render(Notification notification, CultureInfo language)
    {
        if (notification.Content is null)
            return new RenderedNotice(notification.LegacyTitle ?? "", notification.LegacyBody ?? "");
        return Render(Notice.Deserialize(notification.Content), language);
    }

    public RenderedNotice Render(Notice notice, CultureInfo language) =>
        new Writer(catalog, LanguageOf(language.Name)).Render(notice);

    /// <summary>One rendering, in one language.</summary>
    private sealed class Writer(ProductCatalog catalog, CultureInfo language)
    {
        private readonly bool chinese = language.Name == Chinese;

        public RenderedNotice Render(Notice notice) => notice switch
        {
            ExpiresSoon n => new(T("ExpiresSoon.Title", n.InstanceName, n.DaysLeft),
                T("ExpiresSoon.Body", n.InstanceId, n.InstanceName, Product(n.ProductCode), At(n.ExpiresAt), Pending(n.AutoRenewalPending))),
            ExpiredToday n => new(T("ExpiredToday.Title", n.InstanceName),
                T("ExpiredToday.Body", n.InstanceId, n.InstanceName, Product(n.ProductCode), At(n.ExpiredAt), n.GraceDays, Pending(n.AutoRenewalPending))),
            ReleasedTomorrow n => new(T("ReleasedTomorrow.Title", n.InstanceName),
                T("ReleasedTomorrow.Body", n.InstanceId, n.InstanceName, Product(n.ProductCode), At(n.ExpiredAt), At(n.ReleasesAt))),
            InstanceStopped n => new(T("InstanceStopped.Title", n.InstanceName),
                T("InstanceStopped.Body", n.InstanceId, n.InstanceName, Product(n.ProductCode), At(n.ExpiredAt), At(n.ReleasesAt))),
            InstanceReleased n => new(T("InstanceReleased.Title", n.InstanceName),
                T("InstanceReleased.Body", n.InstanceId, n.InstanceName, Product(n.ProductCode), At(n.ExpiredAt))),
            ProvisioningFailedRefund n => new(T("ProvisioningFailedRefund.Title", n.InstanceName),
                T("ProvisioningFailedRefund.Body", n.InstanceId, n.InstanceName, Product(n.ProductCode), n.OrderId, Amount(n.Refunded), n.Reason)),
            InstanceDeletedAtProvider n => new(T("InstanceDeletedAtProvider.Title", n.InstanceName),
                T("InstanceDeletedAtProvider.Body", n.InstanceId, n.InstanceName, Product(n.ProductCode), At(n.DeletedAt))),
            AutoRenewalFailed n => new(T("AutoRenewalFailed.Title", n.InstanceName),
                T("AutoRenewalFailed.Body", n.InstanceId, n.InstanceName, Reason(n.Reason),
                    T(n.LastAttempt ? "AutoRenewalFailed.Last" : "AutoRenewalFailed.Next", At(n.ExpiresAt)))),
            OrderPaid n => new(T(n.ByAutoRenewal ? "OrderPaid.TitleAutoRenewal" : "OrderPaid.Title"),
                T("OrderPaid.Body", n.OrderId,
                    n.Renewed.Count == 0 ? T("OrderPaid.New", Product(n.ProductCode), n.NewInstances) : T("OrderPaid.Renewal", List(n.Renewed.Select(r => r.InstanceId))),
                    Amount(n.Payable),
                    n.CouponDeduction.IsPositive ? T("OrderPaid.Coupon", Amount(n.CouponDeduction)) : "",
                    n.Renewed.Count == 0 ? "" : T("OrderPaid.NewExpiry", List(n.Renewed.Select(r => $"{r.InstanceId} {At(r.ExpiresAt)}"))))),
            PayAsYouGoPlaced n => new(T("PayAsYouGoPlaced.Title"),
                T("PayAsYouGoPlaced.Body", n.OrderId, Product(n.ProductCode), n.Instances, n.SpecCode, Region(n.RegionId), Amount(n.Hourly))),
            PaymentToBalance n => new(T("PaymentToBalance.Title"),
                T("PaymentToBalance.Body", T("Unpayable." + n.Why, n.OrderId), Amount(n.Amount), Gateway(n.Gateway),
                    n.SettledOverdue.IsPositive ? T("PaymentToBalance.Settled", Amount(n.SettledOverdue)) : "")),
            PaymentRefunded n => new(T("PaymentRefunded.Title"),
                T("PaymentRefunded.Body", Gateway(n.Gateway), n.OutTradeNo, Amount(n.Amount), n.Channel)),
            OrderRefunded n => new(T("OrderRefunded.Title", n.OrderId),
                n.Gateway is { } gateway
                    ? T("OrderRefunded.BodyGateway", n.OrderId, Product(n.ProductCode), Amount(n.Amount), Gateway(gateway))
                    : T("OrderRefunded.Body", n.OrderId, Product(n.ProductCode), Amount(n.Amount))),
            PaymentReturned n => new(T("PaymentReturned.Title", Gateway(n.Gateway)),
                T("PaymentReturned.Body", Gateway(n.Gateway), n.OutTradeNo, Amount(n.Amount))),
            TopUpCredited n => new(T("TopUpCredited.Title"),
                T("TopUpCredited.Body", Amount(n.Amount), Gateway(n.Gateway), n.OutTradeNo, Settlement(n))),
            OrderTimedOut n => new(T("OrderTimedOut.Title", n.OrderId),
                T("OrderTimedOut.Body", n.OrderId, T(n.Renewal ? "OrderType.Renew" : "OrderType.New"), n.ProductCode, Amount(n.Payable), n.UnpaidLifetimeDays, Product(n.ProductCode))),
            AccountOverdue n => new(T("AccountOverdue.Title"),
                T("AccountOverdue.Body", Amount(n.Hourly), n.InstanceId, n.InstanceName, At(n.Since), Amount(n.Shortfall), Amount(n.Overdue), At(n.StopsAt))),
            PayAsYouGoStopped n => new(T("PayAsYouGoStopped.Title", n.InstanceName),
                T("PayAsYouGoStopped.Body", n.InstanceId, n.InstanceName, Product(n.ProductCode), At(n.OverdueSince), Amount(n.Overdue), At(n.ReleasesAt))),
            PayAsYouGoReleased n => new(T("PayAsYouGoReleased.Title", n.InstanceName),
                T("PayAsYouGoReleased.Body", n.InstanceId, n.InstanceName, Product(n.ProductCode), At(n.StoppedAt), n.ReleaseAfterStopDays)),
            PayAsYouGoRestarted n => new(T("PayAsYouGoRestarted.Title", n.InstanceName),
                T("PayAsYouGoRestarted.Body", n.InstanceId, n.InstanceName, Product(n.ProductCode), At(n.StoppedAt), At(n.RestartedAt))),
            SuggestionAnswered n => new(T("SuggestionAnswered.Title", n.Product),
                T("SuggestionAnswered.Body", n.Product, At(n.AskedAt), n.Answer)),
            _ => throw new InvalidOperationException($"Notice {notice.GetType().Name} has no text in NoticeText.resx."),
        };

        /// <summary>Why a charge was refused, as a clause of the failure's sentence.</summary>
        private string Reason(RefusalReason reason) => reason.Code switch
        {
            RefusalCode.Overdue => T("Refusal.Overdue", Amount(reason.Amount)),
            RefusalCode.InsufficientCredit => T("Refusal.InsufficientCredit", Amount(reason.Amount), Amount(reason.Available)),
            RefusalCode.Released => T("Refusal.Released", reason.InstanceId, BusinessCalendar.FormatDate(reason.On!.Value)),
            RefusalCode.NotRenewable => T("Refusal.NotRenewable", Product(reason.ProductCode!)),
            // English names the region's id, as the failure always did.
            RefusalCode.NoPrice => T("Refusal.NoPrice", reason.SpecCode, chinese ? Region(reason.RegionId!) : reason.RegionId),
            RefusalCode.RenewedMeanwhile => T("Refusal.RenewedMeanwhile", reason.InstanceId, BusinessCalendar.FormatDateTime(reason.On!.Value)),
        };

        private string Settlement(TopUpCredited n)
        {
            if (!n.SettledOverdue.IsPositive)
                return "";
            var text = T("TopUpCredited.Settled", Amount(n.SettledOverdue)) +
                (n.OverdueLeft.IsPositive ? T("TopUpCredited.OverdueLeft", Amount(n.OverdueLeft)) : T("TopUpCredited.NothingOverdue"));
            return n.Restarted.Count > 0 ? text + T("TopUpCredited.Restarted", List(n.Restarted)) : text;
        }

        private string Pending(bool autoRenewalPending) => autoRenewalPending ? T("AutoRenewalPending") : "";

        private string Amount(Money amount) => T("Amount", chinese ? amount.ToDisplayString() : amount.ToString());

        private static string At(DateTimeOffset instant) => BusinessCalendar.FormatDateTime(instant);

        private string Product(string code) =>
            catalog.FindProduct(code) is { } product ? (chinese ? product.NameZh : product.Name) : code;

        private string Region(string id) =>
            catalog.FindRegion(id) is { } region ? (chinese ? region.NameZh : region.Name) : id;

        /// <summary>"Alipay", "UnionPay" in the reader's language; another name as it is.</summary>
        private string Gateway(string gateway) => Text.GetString("Gateway." + gateway, language) ?? gateway;

        private string List(IEnumerable<string> items) => string.Join(T("List.Separator"), items);

        private string T(string key, params object?[] arguments)
        {
            var format = Text.GetString(key, language) ?? throw new InvalidOperationException($"NoticeText.resx has no {key}.");
            return arguments.Length == 0 ? format : string.Format(CultureInfo.InvariantCulture, format, arguments);
        }
    }
}
