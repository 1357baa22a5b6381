using System.Globalization;
using System.Reflection;
using System.Text.Json.Serialization;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Notifications;
using Cloudbill.Testing;

namespace Cloudbill.Core.Tests;

/// <summary>
/// Every notice, rendered for an English and a Chinese reader (docs/decisions/0030): the English
/// is what notices always said; the Chinese names products and regions in Chinese and writes
/// amounts as the app does ("¥1,234.50"); dates are Asia/Shanghai in both.
/// </summary>
public class NoticeRendererTests
{
    private static readonly NoticeRenderer Renderer = new(CatalogLoader.Load(CloudbillPaths.ShippedCatalog));
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");
    private static readonly CultureInfo Chinese = CultureInfo.GetCultureInfo("zh-CN");

    private static DateTimeOffset At(string shanghai) => DateTimeOffset.Parse(shanghai + "+08:00", CultureInfo.InvariantCulture);

    private static Money Yuan(string yuan) => Money.Parse(yuan);

    /// <summary>One of each notice, with what an English and a Chinese reader read.</summary>
    public static TheoryData<string, Notice, string, string, string, string> Samples() => new()
    {
        {
            "ExpiresSoon", new ExpiresSoon("i-ecs1", "web", "ecs", At("2026-12-10T00:00"), 7, AutoRenewalPending: true),
            "web expires in 7 day(s)",
            "Instance i-ecs1 (web, Elastic Compute Service (ECS)) expires at 2026-12-10 00:00. Renew it now to avoid interruption. Auto-renewal has not succeeded yet; check your balance.",
            "web 将在 7 天后到期",
            "实例 i-ecs1（web，云服务器 ECS）将于 2026-12-10 00:00 到期。请立即续费，以免服务中断。自动续费尚未成功，请检查您的余额。"
        },
        {
            "ExpiredToday", new ExpiredToday("i-ecs1", "web", "ecs", At("2026-12-10T00:00"), 15, AutoRenewalPending: false),
            "web expired today",
            "Instance i-ecs1 (web, Elastic Compute Service (ECS)) expired at 2026-12-10 00:00. Renew it within 15 days to keep it running.",
            "web 今天已到期",
            "实例 i-ecs1（web，云服务器 ECS）已于 2026-12-10 00:00 到期。请在 15 天内续费，以保持其运行。"
        },
        {
            "ReleasedTomorrow", new ReleasedTomorrow("i-ecs1", "web", "ecs", At("2026-12-10T00:00"), At("2026-12-25T00:00")),
            "web will be released tomorrow",
            "Instance i-ecs1 (web, Elastic Compute Service (ECS)) expired on 2026-12-10 00:00 and will be released, with its data, on 2026-12-25 00:00. Renew it now to keep it.",
            "web 将于明天释放",
            "实例 i-ecs1（web，云服务器 ECS）已于 2026-12-10 00:00 到期，将于 2026-12-25 00:00 连同其数据一起释放。请立即续费以保留该实例。"
        },
        {
            "InstanceStopped", new InstanceStopped("i-ecs1", "web", "ecs", At("2026-12-10T00:00"), At("2026-12-25T00:00")),
            "web was stopped",
            "Instance i-ecs1 (web, Elastic Compute Service (ECS)) expired on 2026-12-10 00:00 and was stopped; its data is kept. Renew it before 2026-12-25 00:00 to restart it; after that it is released.",
            "web 已停机",
            "实例 i-ecs1（web，云服务器 ECS）已于 2026-12-10 00:00 到期并已停机，数据仍保留。请在 2026-12-25 00:00 前续费以恢复运行；逾期将被释放。"
        },
        {
            "InstanceReleased", new InstanceReleased("i-ecs1", "web", "ecs", At("2026-12-10T00:00")),
            "web was released",
            "Instance i-ecs1 (web, Elastic Compute Service (ECS)) expired on 2026-12-10 00:00 and was not renewed; it was released and its data deleted.",
            "web 已释放",
            "实例 i-ecs1（web，云服务器 ECS）已于 2026-12-10 00:00 到期且未续费，已被释放，数据已删除。"
        },
        {
            "AutoRenewalFailed", new AutoRenewalFailed("i-ecs1", "web", 12, RefusalReason.InsufficientCredit(Yuan("1330.00"), Yuan("100.00")), LastAttempt: false, At("2026-12-10T00:00")),
            "Auto-renewal of web failed",
            "Auto-renewal of i-ecs1 (web) failed: it costs 1330.00 CNY and your Available Credit is 100.00 CNY. Top up before 08:00 tomorrow for the next attempt, or renew it manually. It expires on 2026-12-10 00:00.",
            "web 自动续费失败",
            "实例 i-ecs1（web）自动续费失败：续费需 ¥1,330.00，而您的可用额度为 ¥100.00。请在明天 08:00 前充值以便下次尝试，或手动续费。该实例将于 2026-12-10 00:00 到期。"
        },
        {
            "OrderPaid", new OrderPaid(12, "ecs", 0, [new RenewedInstance("i-ecs1", At("2027-01-10T00:00")), new RenewedInstance("i-ecs2", At("2027-02-10T00:00"))], Yuan("300.00"), Yuan("30.00"), ByAutoRenewal: false, null),
            "Payment succeeded",
            "Order 12 (renewal of i-ecs1, i-ecs2) was paid: 300.00 CNY after a 30.00 CNY coupon. New expiry: i-ecs1 2027-01-10 00:00, i-ecs2 2027-02-10 00:00.",
            "支付成功",
            "订单 12（续费 i-ecs1、i-ecs2）已支付：¥300.00（已使用 ¥30.00 优惠券）。新的到期时间：i-ecs1 2027-01-10 00:00、i-ecs2 2027-02-10 00:00。"
        },
        {
            "PayAsYouGoPlaced", new PayAsYouGoPlaced(13, "ecs", 2, "ecs.g7.large", "cn-hangzhou", Yuan("0.63"), null),
            "Pay-as-you-go purchase succeeded",
            "Order 13 (Elastic Compute Service (ECS): 2 pay-as-you-go instance(s) of ecs.g7.large in China (Hangzhou)) was placed; nothing is paid up front. Each instance is charged 0.63 CNY per hour from your balance.",
            "按量付费购买成功",
            "订单 13（云服务器 ECS：华东1（杭州） 的 2 个 ecs.g7.large 按量付费实例）已下单，无需预付。每个实例每小时从您的余额扣费 ¥0.63。"
        },
        {
            "PaymentToBalance", new PaymentToBalance(14, UnpayableOrder.AlreadyPaid, "UnionPay", Yuan("400.00"), Yuan("100.00")),
            "Payment credited to your balance",
            "Order 14 was already paid. The 400.00 CNY paid by UnionPay was credited to your balance instead (R5.5). 100.00 CNY of it settled your overdue payment.",
            "付款已转入您的余额",
            "订单 14 已经支付过。通过云闪付支付的 ¥400.00 已转入您的余额。其中 ¥100.00 已用于结清欠费。"
        },
        {
            "PaymentRefunded", new PaymentRefunded(15, "CB20261207001", "Alipay", Yuan("330.00"), "Huabei"),
            "Payment refunded",
            "Your Alipay payment CB20261207001 of 330.00 CNY used Huabei, which Cloudbill does not accept. It is refunded in full; pay again with your Alipay balance, a debit card or UnionPay.",
            "付款已退回",
            "您的支付宝付款 CB20261207001（¥330.00）使用了Huabei，Cloudbill 不接受该支付方式，已全额退回。请使用支付宝余额、借记卡或云闪付重新支付。"
        },
        {
            "TopUpCredited", new TopUpCredited("CB20261207002", "Alipay", Yuan("100.00"), Yuan("60.00"), Yuan("0.00"), ["i-ecs3"]),
            "Top-up credited",
            "100.00 CNY from Alipay (trade CB20261207002) is on your account. Top-up of 100.00 CNY by Alipay credited. 60.00 CNY settled your overdue payment; nothing is overdue any more. Restarted: i-ecs3.",
            "充值已到账",
            "通过支付宝充值的 ¥100.00（交易号 CB20261207002）已到账。其中 ¥60.00 已用于结清欠费，已无欠费。已恢复运行：i-ecs3。"
        },
        {
            "OrderTimedOut", new OrderTimedOut(16, Renewal: true, "ecs", Yuan("330.00"), 7, "i-ecs1"),
            "Order 16 was cancelled",
            "Order 16 (Renew ecs, 330.00 CNY) was not paid within 7 days and was cancelled. Its coupon, if any, is available again; place a new order to continue.",
            "订单 16 已取消",
            "订单 16（续费 云服务器 ECS，¥330.00）在 7 天内未支付，已取消。所用优惠券（如有）已恢复可用；如需继续，请重新下单。"
        },
        {
            "AccountOverdue", new AccountOverdue("i-ecs4", "batch", Yuan("0.63"), At("2026-12-10T11:00"), Yuan("0.26"), Yuan("0.26"), At("2026-12-11T12:00")),
            "Your account is overdue",
            "Your Available Credit did not cover the hourly charge of 0.63 CNY for pay-as-you-go instance i-ecs4 (batch) at 2026-12-10 11:00: your account is overdue by 0.26 CNY. Top up at least 0.26 CNY; a top-up settles the overdue amount first. Until then nothing that costs money can be bought or renewed, and your pay-as-you-go instances are stopped on 2026-12-11 12:00.",
            "您的账户已欠费",
            "您的可用额度不足以支付按量付费实例 i-ecs4（batch）于 2026-12-10 11:00 的每小时费用 ¥0.63：您的账户已欠费 ¥0.26。请至少充值 ¥0.26，充值将优先结清欠费。在此之前无法购买或续费任何收费产品，您的按量付费实例将于 2026-12-11 12:00 停机。"
        },
        {
            "PayAsYouGoStopped", new PayAsYouGoStopped("i-ecs4", "batch", "ecs", At("2026-12-10T11:00"), Yuan("2.40"), At("2026-12-26T11:00")),
            "batch was stopped",
            "Pay-as-you-go instance i-ecs4 (batch, Elastic Compute Service (ECS)) was stopped because your account has been overdue since 2026-12-10 11:00; it is not charged while stopped and its data is kept. Top up to settle the overdue amount of 2.40 CNY before 2026-12-26 11:00 to restart it; after that it is released.",
            "batch 已停机",
            "按量付费实例 i-ecs4（batch，云服务器 ECS）因您的账户自 2026-12-10 11:00 起欠费已停机；停机期间不计费，数据仍保留。请在 2026-12-26 11:00 前充值结清欠费 ¥2.40 以恢复运行；逾期将被释放。"
        },
        {
            "PayAsYouGoReleased", new PayAsYouGoReleased("i-ecs4", "batch", "ecs", At("2026-12-11T12:00"), 15),
            "batch was released",
            "Pay-as-you-go instance i-ecs4 (batch, Elastic Compute Service (ECS)) was stopped on 2026-12-11 12:00 for an overdue account and the overdue amount was not settled within 15 days; it was released and its data deleted.",
            "batch 已释放",
            "按量付费实例 i-ecs4（batch，云服务器 ECS）因账户欠费于 2026-12-11 12:00 停机，且欠费未在 15 天内结清，已被释放，数据已删除。"
        },
        {
            "PayAsYouGoRestarted", new PayAsYouGoRestarted("i-ecs4", "batch", "ecs", At("2026-12-11T11:00"), At("2026-12-13T12:30")),
            "batch was restarted",
            "Your overdue amount is settled. Pay-as-you-go instance i-ecs4 (batch, Elastic Compute Service (ECS)), stopped on 2026-12-11 11:00, was restarted at 2026-12-13 12:30 and is charged by the hour again.",
            "batch 已恢复运行",
            "您的欠费已结清。于 2026-12-11 11:00 停机的按量付费实例 i-ecs4（batch，云服务器 ECS）已于 2026-12-13 12:30 恢复运行，并重新按小时计费。"
        },
        {
            "ProvisioningFailedRefund", new ProvisioningFailedRefund("i-ecs5", "web-5", "ecs", 1201, Money.Parse("313.34"), "no capacity in cn-hangzhou-b"),
            "web-5 could not be created",
            "The cloud could not create instance i-ecs5 (web-5, Elastic Compute Service (ECS)) of order 1201: no capacity in cn-hangzhou-b. The instance is released and 313.34 CNY was refunded to your balance.",
            "web-5 创建失败",
            "云平台未能创建订单 1201 的实例 i-ecs5（web-5，云服务器 ECS）：no capacity in cn-hangzhou-b。该实例已释放，¥313.34 已退回您的余额。"
        },
        {
            "InstanceDeletedAtProvider", new InstanceDeletedAtProvider("i-ecs6", "web-6", "ecs", At("2026-12-12T09:15")),
            "web-6 was deleted",
            "Instance i-ecs6 (web-6, Elastic Compute Service (ECS)) was deleted at the cloud on 2026-12-12 09:15; it is released and no longer billed.",
            "web-6 已删除",
            "实例 i-ecs6（web-6，云服务器 ECS）已于 2026-12-12 09:15 在云平台被删除，已释放，不再计费。"
        },
        {
            "OrderRefunded", new OrderRefunded(21, "ecs", Yuan("30.00")),
            "Refund of order 21",
            "30.00 CNY of order 21 (Elastic Compute Service (ECS)) was refunded to your balance.",
            "订单 21 退款",
            "订单 21（云服务器 ECS）的 ¥30.00 已退回您的余额。"
        },
        {
            "OrderRefunded", new OrderRefunded(22, "ecs", Yuan("330.00"), "Alipay"),
            "Refund of order 22",
            "330.00 CNY of order 22 (Elastic Compute Service (ECS)) went back to the Alipay account you paid it with; Alipay shows it there within a few days.",
            "订单 22 退款",
            "订单 22（云服务器 ECS）的 ¥330.00 已退回您付款所用的支付宝账户，支付宝将在数日内到账。"
        },
        {
            "PaymentReturned", new PaymentReturned("CB20261208001", "UnionPay", Yuan("80.00")),
            "Refund to your UnionPay account",
            "80.00 CNY of payment CB20261208001 went back from your balance to the UnionPay account you paid with; UnionPay shows it there within a few days.",
            "退款至您的云闪付账户",
            "付款 CB20261208001 的 ¥80.00 已从您的余额退回您付款所用的云闪付账户，云闪付将在数日内到账。"
        },
        {
            "SuggestionAnswered", new SuggestionAnswered(17, "Container Registry", At("2026-12-03T10:30"), "ACR renewals come to the app in January."),
            "Reply to your suggestion about Container Registry",
            "You suggested Container Registry on 2026-12-03 10:30. Our reply: ACR renewals come to the app in January.",
            "关于 Container Registry 的建议已回复",
            "您于 2026-12-03 10:30 提交了关于 Container Registry 的建议。我们的回复：ACR renewals come to the app in January."
        },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_notice_reads_in_English_and_in_Chinese(string kind, Notice notice, string englishTitle, string englishBody, string chineseTitle, string chineseBody)
    {
        Assert.Equal(kind, notice.GetType().Name);
        Assert.Equal(new RenderedNotice(englishTitle, englishBody), Renderer.Render(notice, English));
        Assert.Equal(new RenderedNotice(chineseTitle, chineseBody), Renderer.Render(notice, Chinese));
    }

    [Fact]
    public void The_samples_cover_every_kind_of_notice()
    {
        var kinds = typeof(Notice).GetCustomAttributes<JsonDerivedTypeAttribute>().Select(a => a.DerivedType.Name).Order(StringComparer.Ordinal);
        var sampled = Samples().Select(row => row.Data.Item1).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal); // a kind may have a sample per form
        Assert.Equal(kinds, sampled);
    }

    public static TheoryData<RefusalReason, string, string> Refusals() => new()
    {
        { RefusalReason.Overdue(Money.Parse("5.00")), "your account has an overdue payment of 5.00 CNY", "您的账户有 ¥5.00 的欠费" },
        { RefusalReason.InsufficientCredit(Money.Parse("330.00"), Money.Parse("100.00")), "it costs 330.00 CNY and your Available Credit is 100.00 CNY", "续费需 ¥330.00，而您的可用额度为 ¥100.00" },
        { RefusalReason.Released("i-ecs1", At("2027-01-09T00:00")), "Instance i-ecs1 was released on 2027-01-09 and can no longer be renewed", "实例 i-ecs1 已于 2027-01-09 释放，无法再续费" },
        { RefusalReason.NotRenewable("cen"), "Cloud Enterprise Network cannot be renewed here; renew it in the product's own console", "云企业网 不支持在此续费，请在该产品自己的控制台续费" },
        { RefusalReason.NoPrice("ecs.g7.large", "cn-beijing"), "its spec ecs.g7.large has no price in cn-beijing any more; contact support", "其规格 ecs.g7.large 在 华北2（北京） 已无价格，请联系客服" },
        { RefusalReason.RenewedMeanwhile("i-ecs1", At("2027-02-09T00:00")), "Instance i-ecs1 was renewed to 2027-02-09 00:00 after the order was placed", "实例 i-ecs1 在下单后已续费至 2027-02-09 00:00" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void A_failed_auto_renewal_says_why_in_the_readers_language(RefusalReason reason, string english, string chinese)
    {
        var notice = new AutoRenewalFailed("i-ecs1", "web", null, reason, LastAttempt: true, At("2026-12-10T00:00"));
        Assert.Equal($"Auto-renewal of i-ecs1 (web) failed: {english}. This was the last attempt; the instance expired on 2026-12-10 00:00. Top up and renew it manually to keep it.",
            Renderer.Render(notice, English).Body);
        Assert.Equal($"实例 i-ecs1（web）自动续费失败：{chinese}。这是最后一次尝试，实例已于 2026-12-10 00:00 到期。请充值并手动续费以保留该实例。",
            Renderer.Render(notice, Chinese).Body);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void A_stored_notice_reads_as_the_notice_it_was_made_from(string kind, Notice notice, string englishTitle, string englishBody, string chineseTitle, string chineseBody)
    {
        var stored = new Notification { CauseKey = kind, Content = Notice.Serialize(notice) };
        Assert.Equal((englishTitle, englishBody), (stored.Rendered("en").Title, stored.Rendered("en").Body));
        Assert.Equal((chineseTitle, chineseBody), (stored.Rendered("zh-CN").Title, stored.Rendered("zh-CN").Body));
    }

    [Fact]
    public void A_row_written_before_notices_had_content_reads_as_it_was_written_in_every_language()
    {
        var old = new Notification { CauseKey = "order:1:paid", LegacyTitle = "Payment succeeded", LegacyBody = "Order 1 (renewal of i-ecs1) was paid: 330.00 CNY." };
        Assert.Equal(new RenderedNotice("Payment succeeded", "Order 1 (renewal of i-ecs1) was paid: 330.00 CNY."), Renderer.Render(old, Chinese));
        Assert.Equal(Renderer.Render(old, Chinese), Renderer.Render(old, English));
    }

    [Theory]
    [InlineData("zh-CN", "zh-CN")]
    [InlineData("zh", "zh-CN")]
    [InlineData("en", "en")]
    [InlineData(null, "en")]
    [InlineData("fr", "en")]
    public void A_customer_reads_Chinese_only_when_they_chose_it(string? stored, string reads) =>
        Assert.Equal(reads, NoticeRenderer.LanguageOf(stored).Name);
}
