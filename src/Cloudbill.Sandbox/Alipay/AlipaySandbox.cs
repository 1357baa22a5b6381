using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Cloudbill.Core;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Payments.Alipay;
using Cloudbill.Sandbox.Notifications;
using Microsoft.AspNetCore.Http;
using static Cloudbill.Sandbox.RequestFields;
using static Cloudbill.Sandbox.SandboxPages;

namespace Cloudbill.Sandbox.Alipay;

/// <summary>
/// Plays Alipay's OpenAPI gateway (payments.md §1, §5.1): <c>gateway.do</c> dispatching on
/// <c>method</c>, the cashier, signed JSON answers and queued notifications. It checks what real
/// Alipay checks (app_id, RSA2 signature with the app public key, biz_content) and answers in
/// Alipay's words (<c>code</c>, <c>sub_code</c>).
/// </summary>
internal sealed class AlipaySandbox(
    SandboxCredentials credentials, SandboxStore store, NotificationQueue notifications, SwitchBoard switches, TimeProvider clock)
{
    private static readonly Money MaximumAmount = Money.FromYuan(100_000_000);
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

    // ---------------------------------------------------------------- gateway.do

    public async Task<IResult> Gateway(HttpContext context)
    {
        Dictionary<string, string> fields;
        string? duplicate;
        try
        {
            (fields, duplicate) = await ReadAsync(context.Request, context.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException)
        {
            return Error(StatusCodes.Status400BadRequest, "Invalid request", "40002", "The request body is not a readable form.");
        }

        var method = Get(fields, "method");
        var isPagePay = method is AlipayGateway.WapPayMethod or AlipayGateway.PagePayMethod;
        var call = new AlipayCall(method, isPagePay);

        // The checks of the real gateway, in its order: protocol fields, then the signature.
        if (duplicate is not null)
            return Refuse(call, "40002", "Invalid Arguments", "isv.invalid-parameter", $"The field {duplicate} is sent twice with different values.");
        if (method is null)
            return Refuse(call, "40001", "Missing Required Arguments", "isv.missing-method", "The method parameter is missing.");
        var appId = Get(fields, "app_id");
        if (appId is null)
            return Refuse(call, "40001", "Missing Required Arguments", "isv.missing-app-id", "The app_id parameter is missing.");
        if (appId != credentials.AlipayAppId)
            return Refuse(call, "40002", "Invalid Arguments", "isv.invalid-app-id", $"app_id {appId} is not the sandbox app ({credentials.AlipayAppId}).");
        // §1.2: timestamp is the sending time in China Standard Time.
        var timestamp = Get(fields, "timestamp");
        if (timestamp is null)
            return Refuse(call, "40001", "Missing Required Arguments", "isv.missing-timestamp", "The timestamp parameter is missing.");
        var now = clock.GetUtcNow();
        if (SandboxTime.ParseDashed(timestamp) is not { } sentAt || !SandboxTime.IsCurrent(sentAt, now))
            return Refuse(call, "40002", "Invalid Arguments", "isv.invalid-timestamp", $"timestamp {timestamp} is not the current China Standard Time ({SandboxTime.ToDashed(now)}, yyyy-MM-dd HH:mm:ss).");
        var sign = Get(fields, "sign");
        if (sign is null)
            return Refuse(call, "40001", "Missing Required Arguments", "isv.missing-signature", "The sign parameter is missing.");
        if (Get(fields, "sign_type") != "RSA2")
            return Refuse(call, "40002", "Invalid Arguments", "isv.invalid-signature-type", "sign_type must be RSA2.");
        var charset = Get(fields, "charset");
        if (charset is not null && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
            return Refuse(call, "40002", "Invalid Arguments", "isv.invalid-charset", $"charset {charset} is not supported by the sandbox; send utf-8.");
        // §1.6.1: everything but sign, sign_type included, ordinal order, raw values.
        if (!AlipaySignature.Verify(AlipaySignature.RequestSignContent(fields), sign, credentials.AppPublicKey))
            return Refuse(call, "40002", "Invalid Arguments", "isv.invalid-signature", "验签出错: the RSA2 signature does not match the app public key of the sandbox app.");
        if (!isPagePay && call.Node == "error_response")
            return Refuse(call, "40002", "Invalid Arguments", "isv.invalid-method", $"The sandbox does not implement {method}.");

        JsonElement biz;
        try
        {
            using var document = JsonDocument.Parse(Get(fields, "biz_content") ?? "");
            biz = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return Refuse(call, "40002", "Invalid Arguments", "isv.invalid-biz-content", "biz_content is not a JSON object.");
        }
        if (biz.ValueKind != JsonValueKind.Object)
            return Refuse(call, "40002", "Invalid Arguments", "isv.invalid-biz-content", "biz_content is not a JSON object.");

        return method switch
        {
            AlipayGateway.WapPayMethod or AlipayGateway.PagePayMethod => OpenCashier(context, call, fields, biz),
            AlipayGateway.QueryMethod => Query(call, biz),
            AlipayGateway.CloseMethod => Close(call, biz),
            AlipayGateway.RefundMethod => Refund(call, fields, biz),
            _ => RefundQuery(call, biz),
        };
    }

    private sealed record AlipayCall(string? Method, bool IsPage)
    {
        /// <summary>§1.6.3: alipay.trade.query answers in alipay_trade_query_response.</summary>
        public string Node => Method is AlipayGateway.QueryMethod or AlipayGateway.CloseMethod or AlipayGateway.RefundMethod or AlipayGateway.RefundQueryMethod
            ? Method.Replace('.', '_') + "_response"
            : "error_response";
    }

    private IResult Refuse(AlipayCall call, string code, string message, string subCode, string subMessage) =>
        call.IsPage
            ? Error(StatusCodes.Status400BadRequest, "支付宝 sandbox: request refused", $"{code} {subCode}", subMessage)
            : Signed(call, json =>
            {
                json.WriteString("code", code);
                json.WriteString("msg", message);
                json.WriteString("sub_code", subCode);
                json.WriteString("sub_msg", subMessage);
            });

    // ---------------------------------------------------------------- wap.pay / page.pay

    private IResult OpenCashier(HttpContext context, AlipayCall call, Dictionary<string, string> fields, JsonElement biz)
    {
        var outTradeNo = Text(biz, "out_trade_no");
        if (outTradeNo is null || outTradeNo.Length > 64 || !outTradeNo.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            return Refuse(call, "40002", "Invalid Arguments", "isv.invalid-parameter", "out_trade_no must be 1 to 64 letters, digits or underscores.");
        if (!Money.TryParse(Text(biz, "total_amount"), out var amount, out _) || amount < new Money(1) || amount > MaximumAmount)
            return Refuse(call, "40002", "Invalid Arguments", "isv.invalid-parameter", $"total_amount {Text(biz, "total_amount")} must be 0.01 to 100000000.00 with at most two decimals.");
        var subject = Text(biz, "subject");
        if (string.IsNullOrWhiteSpace(subject) || subject.Length > 256)
            return Refuse(call, "40002", "Invalid Arguments", "isv.invalid-parameter", "subject is required (up to 256 characters).");
        var productCode = call.Method == AlipayGateway.WapPayMethod ? "QUICK_WAP_WAY" : "FAST_INSTANT_TRADE_PAY";
        if (Text(biz, "product_code") != productCode)
            return Refuse(call, "40002", "Invalid Arguments", "isv.invalid-parameter", $"product_code must be {productCode} for {call.Method}.");
        var disabled = Codes(Text(biz, "disable_pay_channels"));
        var enabled = Text(biz, "enable_pay_channels") is { } enable ? Codes(enable) : null;
        if (disabled.Count > 0 && enabled is not null)
            return Refuse(call, "40002", "Invalid Arguments", "isv.invalid-parameter", "disable_pay_channels and enable_pay_channels are mutually exclusive (§1.5).");
        var sellerId = Text(biz, "seller_id");
        if (sellerId is not null && sellerId != credentials.AlipaySellerId)
            return Refuse(call, "40004", "Business Failed", "ACQ.SELLER_NOT_EXIST", $"seller_id {sellerId} is not the sandbox seller.");
        foreach (var (name, url) in new[] { ("notify_url", Get(fields, "notify_url")), ("return_url", Get(fields, "return_url")), ("quit_url", Text(biz, "quit_url")) })
        {
            if (url is not null && !(Uri.TryCreate(url, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https"))
                return Refuse(call, "40002", "Invalid Arguments", "isv.invalid-parameter", $"{name} must be an absolute http(s) URL.");
        }
        var timeout = ParseTimeout(Text(biz, "timeout_express"), call.Method == AlipayGateway.WapPayMethod);
        if (timeout is null)
            return Refuse(call, "40002", "Invalid Arguments", "isv.invalid-parameter", $"timeout_express {Text(biz, "timeout_express")} must be an integer with m, h or d (1m to 15d), or 1c.");

        var now = clock.GetUtcNow();
        var outcome = store.Update(state =>
        {
            var trade = state.AlipayTrades.FirstOrDefault(t => t.OutTradeNo == outTradeNo);
            if (trade is not null)
                return (Problem: trade.Status == "TRADE_CLOSED" ? "ACQ.TRADE_HAS_CLOSE" : "ACQ.TRADE_HAS_SUCCESS", Id: "");
            // Cashier sessions expired a day ago can no longer be paid: forget them, the file stays small.
            state.AlipayCheckouts.RemoveAll(c => c.ExpiresAt.AddDays(1) < now);
            var other = state.AlipayCheckouts.LastOrDefault(c => c.OutTradeNo == outTradeNo);
            if (other is not null && (other.TotalFen != amount.Fen || other.Subject != subject))
                return (Problem: "ACQ.CONTEXT_INCONSISTENT", Id: "");
            var checkout = new AlipayCheckoutRecord
            {
                Id = "a" + SandboxCredentials.RandomDigits(16),
                Method = call.Method!,
                OutTradeNo = outTradeNo,
                TotalFen = amount.Fen,
                Subject = subject,
                Body = Text(biz, "body"),
                NotifyUrl = Get(fields, "notify_url"),
                ReturnUrl = Get(fields, "return_url"),
                QuitUrl = Text(biz, "quit_url"),
                PassbackParams = Text(biz, "passback_params"),
                DisabledChannels = disabled,
                EnabledChannels = enabled,
                GoodsType = Text(biz, "goods_type"),
                CreatedAt = now,
                ExpiresAt = timeout(now),
            };
            state.AlipayCheckouts.Add(checkout);
            return (Problem: (string?)null, Id: checkout.Id);
        });
        if (outcome.Problem is { } problem)
        {
            var message = problem switch
            {
                "ACQ.TRADE_HAS_SUCCESS" => $"交易已被支付: order {outTradeNo} has already been paid.",
                "ACQ.TRADE_HAS_CLOSE" => $"交易已经关闭: order {outTradeNo} was closed.",
                _ => $"交易信息被篡改: order {outTradeNo} was sent before with another amount or subject.",
            };
            return Refuse(call, "40004", "Business Failed", problem, message);
        }
        // The real gateway moves the browser on to its cashier page as well.
        return new SeeOther(CashierPath(context, outcome.Id));
    }

    private static string CashierPath(HttpContext context, string id)
    {
        var path = context.Request.PathBase + context.Request.Path;
        var gatewayDo = path.Value!;
        var prefix = gatewayDo[..gatewayDo.LastIndexOf('/')];
        return $"{prefix}/cashier/{id}";
    }

    /// <summary>§1.4 timeout_express: "90m", "2h", "15d", or "1c" (midnight of the creation day); the wireless minimum is 5m. Absent: 15 days.</summary>
    private static Func<DateTimeOffset, DateTimeOffset>? ParseTimeout(string? text, bool wireless)
    {
        if (text is null)
            return now => now.AddDays(15);
        if (text == "1c")
            return now => Cloudbill.Core.Time.BusinessCalendar.RoundUpToMidnight(now);
        if (text.Length < 2 || !int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
            return null;
        TimeSpan? span = text[^1] switch
        {
            'm' => TimeSpan.FromMinutes(count),
            'h' => TimeSpan.FromHours(count),
            'd' => TimeSpan.FromDays(count),
            _ => null,
        };
        if (span is null || span > TimeSpan.FromDays(15))
            return null;
        var effective = wireless && span < TimeSpan.FromMinutes(5) ? TimeSpan.FromMinutes(5) : span.Value;
        return now => now + effective;
    }

    // ---------------------------------------------------------------- the cashier

    public IResult ShowCashier(HttpContext context, string id)
    {
        var checkout = store.Read(state => state.AlipayCheckouts.FirstOrDefault(c => c.Id == id));
        if (checkout is null)
            return Error(StatusCodes.Status404NotFound, "Payment not found", "ACQ.TRADE_NOT_EXIST", "This cashier session does not exist (the sandbox state may have been reset).");
        var showAll = switches.Current.ShowAllChannels;
        var options = new StringBuilder();
        var first = true;
        foreach (var channel in AlipayCashierChannels.All)
        {
            var allowed = channel.IsAllowed(checkout);
            if (!allowed && !showAll)
                continue;
            options.Append("<label class=\"channel").Append(allowed ? "" : " blocked").Append("\"><input type=\"radio\" name=\"channel\" value=\"")
                .Append(H(channel.Value)).Append('"').Append(first ? " checked" : "").Append("> ").Append(H(channel.Label))
                .Append(allowed ? "" : " — disabled by the merchant (test switch ShowAllChannels)").Append("</label>\n");
            first = false;
        }
        var body = $"""
            <div class="card">
              <div class="muted">Pay to</div><div id="merchant">Cloudbill (seller {H(credentials.AlipaySellerId)})</div>
              <div class="muted" style="margin-top:.6rem">Order</div><div id="subject">{H(checkout.Subject)}</div>
              <div class="amount" id="amount">¥{H(new Money(checkout.TotalFen).ToString())}</div>
              <div class="muted">Order number <span id="out_trade_no">{H(checkout.OutTradeNo)}</span></div>
            </div>
            <form class="card" method="post" action="{H(context.Request.PathBase + context.Request.Path)}">
              <div class="muted">Pay with</div>
              {options}
              <button class="pay" type="submit" name="action" value="pay">Confirm payment</button>
              <button class="cancel" type="submit" name="action" value="cancel">Cancel</button>
            </form>
            """;
        return Html("支付宝 sandbox cashier", body);
    }

    public async Task<IResult> SubmitCashier(HttpContext context, string id)
    {
        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(context.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException or InvalidOperationException)
        {
            return Error(StatusCodes.Status400BadRequest, "Invalid request", "40002", "Send the cashier form (action=pay or cancel, channel=…).");
        }
        var checkout = store.Read(state => state.AlipayCheckouts.FirstOrDefault(c => c.Id == id));
        if (checkout is null)
            return Error(StatusCodes.Status404NotFound, "Payment not found", "ACQ.TRADE_NOT_EXIST", "This cashier session does not exist (the sandbox state may have been reset).");

        var action = form["action"].ToString();
        if (action == "cancel")
        {
            var back = checkout.QuitUrl ?? checkout.ReturnUrl;
            return back is null
                ? Html("Payment cancelled", $"<div class=\"card\"><h1>Payment cancelled</h1><p>Order {H(checkout.OutTradeNo)} was not paid.</p></div>")
                : new SeeOther(back);
        }
        if (action != "pay")
            return Error(StatusCodes.Status400BadRequest, "Invalid request", "40002", "action must be pay or cancel.");

        var channel = AlipayCashierChannels.All.FirstOrDefault(c => c.Value == form["channel"].ToString());
        if (channel is null)
            return Error(StatusCodes.Status400BadRequest, "Choose how to pay", "40002", $"channel must be one of {string.Join(", ", AlipayCashierChannels.All.Select(c => c.Value))}.");
        if (!channel.IsAllowed(checkout) && !switches.Current.ShowAllChannels)
            return Error(StatusCodes.Status400BadRequest, "Payment method not available", "ACQ.PAYMENT_REQUEST_HAS_RISK", $"{channel.Label} is disabled for this order by the merchant (disable_pay_channels).");

        var now = clock.GetUtcNow();
        if (now > checkout.ExpiresAt)
            return Error(StatusCodes.Status409Conflict, "Payment expired", "ACQ.TRADE_HAS_CLOSE", $"Order {checkout.OutTradeNo} could be paid until {SandboxTime.ToDashed(checkout.ExpiresAt)} (timeout_express).");

        var paid = store.Update(state =>
        {
            var existing = state.AlipayTrades.FirstOrDefault(t => t.OutTradeNo == checkout.OutTradeNo);
            if (existing is not null)
                return (Trade: existing, Fresh: false);
            var local = SandboxTime.ToCompact(now);
            var trade = new AlipayTradeRecord
            {
                // Shaped like Alipay's: date, 2200, 18 digits.
                TradeNo = local[..8] + "2200" + SandboxCredentials.RandomDigits(6) + state.Next().ToString("D10", CultureInfo.InvariantCulture),
                OutTradeNo = checkout.OutTradeNo,
                TotalFen = checkout.TotalFen,
                Subject = checkout.Subject,
                Body = checkout.Body,
                Status = "TRADE_SUCCESS",
                Channel = channel.Value,
                BuyerId = "2088" + SandboxCredentials.RandomDigits(12),
                BuyerLogonId = "buy***@sandbox.example",
                NotifyUrl = checkout.NotifyUrl,
                PassbackParams = checkout.PassbackParams,
                CreatedAt = checkout.CreatedAt,
                PaidAt = now,
            };
            state.AlipayTrades.Add(trade);
            if (trade.NotifyUrl is not null)
                QueueNotification(state, trade, refund: null, now);
            return (Trade: trade, Fresh: true);
        });
        notifications.Wake();

        if (!paid.Fresh)
            return Error(StatusCodes.Status409Conflict, "Already paid", "ACQ.TRADE_HAS_SUCCESS", $"交易已被支付: order {checkout.OutTradeNo} was already paid (trade {paid.Trade.TradeNo}).");
        if (checkout.ReturnUrl is null)
            return Html("Payment successful", $"<div class=\"card\"><h1>Payment successful</h1><p>¥{H(new Money(checkout.TotalFen).ToString())} paid for order {H(checkout.OutTradeNo)} (trade <span id=\"trade_no\">{H(paid.Trade.TradeNo)}</span>).</p></div>");
        return new SeeOther(ReturnUrl(checkout, paid.Trade, now));
    }

    /// <summary>§1.8: the signed parameters of the browser's return (display only on the merchant side).</summary>
    private string ReturnUrl(AlipayCheckoutRecord checkout, AlipayTradeRecord trade, DateTimeOffset now)
    {
        var fields = Fields.Of(
            ("charset", "utf-8"),
            ("out_trade_no", trade.OutTradeNo),
            ("method", checkout.Method + ".return"),
            ("total_amount", new Money(trade.TotalFen).ToString()),
            ("trade_no", trade.TradeNo),
            ("auth_app_id", credentials.AlipayAppId),
            ("version", "1.0"),
            ("app_id", credentials.AlipayAppId),
            ("sign_type", "RSA2"),
            ("seller_id", credentials.AlipaySellerId),
            ("timestamp", SandboxTime.ToDashed(now)));
        fields.Add(new("sign", AlipaySignature.Sign(AlipaySignature.NotificationSignContent(fields), credentials.AlipayPrivateKey)));
        var separator = checkout.ReturnUrl!.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        return checkout.ReturnUrl + separator + new GatewayRequest(new Uri("http://unused/"), fields).ToFormBody();
    }

    /// <summary>§1.7: the fields of a payment (or, with <paramref name="refund"/>, a refund) notification, unsigned.</summary>
    private void QueueNotification(SandboxState state, AlipayTradeRecord trade, AlipayRefundRecord? refund, DateTimeOffset now)
    {
        var channel = AlipayCashierChannels.All.First(c => c.Value == trade.Channel);
        var total = new Money(trade.TotalFen).ToString();
        var local = SandboxTime.ToCompact(now);
        var notifyId = local[..8] + "00222" + local[8..] + SandboxCredentials.RandomDigits(13);
        var fields = Fields.Of(
            ("gmt_create", SandboxTime.ToDashed(trade.CreatedAt)),
            ("charset", "utf-8"),
            ("seller_email", "sandbox-seller@cloudbill.example"),
            ("subject", trade.Subject),
            ("body", trade.Body),
            ("buyer_id", trade.BuyerId),
            ("invoice_amount", total),
            ("notify_id", notifyId),
            ("fund_bill_list", channel.FundBillJson(trade.TotalFen, notification: true)),
            ("notify_type", "trade_status_sync"),
            ("trade_status", trade.Status),
            ("receipt_amount", total),
            ("app_id", credentials.AlipayAppId),
            ("buyer_pay_amount", total),
            ("sign_type", "RSA2"),
            ("seller_id", credentials.AlipaySellerId),
            ("gmt_payment", SandboxTime.ToDashed(trade.PaidAt)),
            ("notify_time", SandboxTime.ToDashed(now)),
            ("passback_params", trade.PassbackParams),
            ("version", "1.0"),
            ("out_trade_no", trade.OutTradeNo),
            ("total_amount", total),
            ("trade_no", trade.TradeNo),
            ("auth_app_id", credentials.AlipayAppId),
            ("buyer_logon_id", trade.BuyerLogonId),
            ("point_amount", "0.00"),
            ("out_biz_no", refund?.OutRequestNo),
            ("refund_fee", refund is null ? null : new Money(trade.RefundedFen).ToString()),
            ("gmt_refund", refund is null ? null : SandboxTime.ToDashed(refund.RefundedAt)),
            ("gmt_close", refund is not null && trade.Status == "TRADE_CLOSED" ? SandboxTime.ToDashed(refund.RefundedAt) : null));
        notifications.Queue(state, SandboxGateway.Alipay, trade.NotifyUrl!, notifyId, fields, now);
    }

    // ---------------------------------------------------------------- query, close, refund, refund query

    private AlipayTradeRecord? FindTrade(SandboxState state, JsonElement biz)
    {
        // §1.9: trade_no wins when both are sent.
        var tradeNo = Text(biz, "trade_no");
        var outTradeNo = Text(biz, "out_trade_no");
        return tradeNo is not null
            ? state.AlipayTrades.FirstOrDefault(t => t.TradeNo == tradeNo)
            : outTradeNo is not null ? state.AlipayTrades.FirstOrDefault(t => t.OutTradeNo == outTradeNo) : null;
    }

    private IResult MissingTradeId(AlipayCall call, JsonElement biz) =>
        Text(biz, "trade_no") is null && Text(biz, "out_trade_no") is null
            ? Refuse(call, "40002", "Invalid Arguments", "isv.invalid-parameter", "out_trade_no or trade_no is required.")
            : NotExist(call, biz);

    private IResult NotExist(AlipayCall call, JsonElement biz) => Signed(call, json =>
    {
        json.WriteString("code", "40004");
        json.WriteString("msg", "Business Failed");
        json.WriteString("sub_code", "ACQ.TRADE_NOT_EXIST");
        json.WriteString("sub_msg", "交易不存在");
        if (Text(biz, "out_trade_no") is { } outTradeNo)
            json.WriteString("out_trade_no", outTradeNo);
        json.WriteString("buyer_pay_amount", "0.00");
        json.WriteString("invoice_amount", "0.00");
        json.WriteString("point_amount", "0.00");
        json.WriteString("receipt_amount", "0.00");
    });

    private IResult BusinessFailure(AlipayCall call, string subCode, string subMessage) => Signed(call, json =>
    {
        json.WriteString("code", "40004");
        json.WriteString("msg", "Business Failed");
        json.WriteString("sub_code", subCode);
        json.WriteString("sub_msg", subMessage);
    });

    private IResult Query(AlipayCall call, JsonElement biz)
    {
        var trade = store.Read(state => FindTrade(state, biz)?.Snapshot());
        if (trade is null)
            return MissingTradeId(call, biz);
        var withFundBills = biz.TryGetProperty("query_options", out var queryOptions) && queryOptions.ValueKind == JsonValueKind.Array
            && queryOptions.EnumerateArray().Any(option => option.ValueKind == JsonValueKind.String && option.GetString() == "fund_bill_list");
        var total = new Money(trade.TotalFen).ToString();
        var channel = AlipayCashierChannels.All.First(c => c.Value == trade.Channel);
        return Signed(call, json =>
        {
            json.WriteString("code", "10000");
            json.WriteString("msg", "Success");
            json.WriteString("buyer_logon_id", trade.BuyerLogonId);
            json.WriteString("buyer_pay_amount", total);
            json.WriteString("buyer_user_id", trade.BuyerId);
            if (withFundBills)
            {
                json.WritePropertyName("fund_bill_list");
                channel.WriteFundBills(json, trade.TotalFen);
            }
            json.WriteString("invoice_amount", total);
            json.WriteString("out_trade_no", trade.OutTradeNo);
            json.WriteString("point_amount", "0.00");
            json.WriteString("receipt_amount", total);
            json.WriteString("send_pay_date", SandboxTime.ToDashed(trade.PaidAt));
            json.WriteString("total_amount", total);
            json.WriteString("trade_no", trade.TradeNo);
            json.WriteString("trade_status", trade.Status);
        });
    }

    private IResult Close(AlipayCall call, JsonElement biz)
    {
        // §1.9: a page/wap trade exists only once paid, so an unpaid order has nothing to close
        // (ACQ.TRADE_NOT_EXIST: close it locally); its cashier stays payable until it expires, as at Alipay.
        var trade = store.Read(state => FindTrade(state, biz)?.Snapshot());
        if (trade is null)
            return MissingTradeId(call, biz);
        return BusinessFailure(call, "ACQ.TRADE_STATUS_ERROR", $"交易状态不合法: trade {trade.TradeNo} is {trade.Status}; only unpaid trades can be closed.");
    }

    private IResult Refund(AlipayCall call, Dictionary<string, string> fields, JsonElement biz)
    {
        if (!Money.TryParse(Text(biz, "refund_amount"), out var amount, out _) || !amount.IsPositive)
            return Refuse(call, "40002", "Invalid Arguments", "isv.invalid-parameter", $"refund_amount {Text(biz, "refund_amount")} must be a positive amount with at most two decimals.");
        var now = clock.GetUtcNow();
        var outcome = store.Update(state =>
        {
            var trade = FindTrade(state, biz);
            if (trade is null)
                return new RefundOutcome(null, null, "", false);
            // §1.9: out_request_no defaults to the order number; the same value again refunds only once.
            var requestNo = Text(biz, "out_request_no") ?? trade.OutTradeNo;
            var earlier = trade.Refunds.FirstOrDefault(r => r.OutRequestNo == requestNo);
            if (earlier is not null)
            {
                return earlier.AmountFen == amount.Fen
                    ? new RefundOutcome(trade.Snapshot(), null, "", false)
                    : new RefundOutcome(trade, "ACQ.DISCORDANT_REPEAT_REQUEST", $"不一致的请求: refund {requestNo} was made for {new Money(earlier.AmountFen)}, not {amount}.", false);
            }
            if (trade.Status != "TRADE_SUCCESS")
                return new RefundOutcome(trade, "ACQ.TRADE_STATUS_ERROR", $"交易状态不合法: trade {trade.TradeNo} is {trade.Status}.", false);
            var refundable = trade.TotalFen - trade.RefundedFen;
            if (amount.Fen > refundable)
                return new RefundOutcome(trade, "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", $"退款金额超限: {amount} asked, {new Money(refundable)} left to refund on trade {trade.TradeNo}.", false);
            var refund = new AlipayRefundRecord { OutRequestNo = requestNo, AmountFen = amount.Fen, Reason = Text(biz, "refund_reason"), RefundedAt = now, Request = new(fields, StringComparer.Ordinal) };
            trade.Refunds.Add(refund);
            // §1.7: a full refund closes the trade.
            if (trade.RefundedFen == trade.TotalFen)
                trade.Status = "TRADE_CLOSED";
            if (trade.NotifyUrl is not null)
                QueueNotification(state, trade, refund, now);
            return new RefundOutcome(trade.Snapshot(), null, "", true);
        });
        notifications.Wake();
        if (outcome.Trade is null)
            return MissingTradeId(call, biz);
        if (outcome.Problem is { } problem)
            return BusinessFailure(call, problem, outcome.Message);
        var trade = outcome.Trade;
        var last = trade.Refunds.Last(r => r.OutRequestNo == (Text(biz, "out_request_no") ?? trade.OutTradeNo));
        return Signed(call, json =>
        {
            json.WriteString("code", "10000");
            json.WriteString("msg", "Success");
            json.WriteString("buyer_logon_id", trade.BuyerLogonId);
            json.WriteString("buyer_user_id", trade.BuyerId);
            json.WriteString("fund_change", outcome.FundChange ? "Y" : "N");
            json.WriteString("gmt_refund_pay", SandboxTime.ToDashed(last.RefundedAt));
            json.WriteString("out_trade_no", trade.OutTradeNo);
            json.WriteString("refund_fee", new Money(trade.RefundedFen).ToString());
            json.WriteString("send_back_fee", new Money(last.AmountFen).ToString());
            json.WriteString("trade_no", trade.TradeNo);
        });
    }

    private sealed record RefundOutcome(AlipayTradeRecord? Trade, string? Problem, string Message, bool FundChange);

    private IResult RefundQuery(AlipayCall call, JsonElement biz)
    {
        var trade = store.Read(state => FindTrade(state, biz)?.Snapshot());
        if (trade is null)
            return MissingTradeId(call, biz);
        var requestNo = Text(biz, "out_request_no") ?? trade.OutTradeNo;
        var refund = trade.Refunds.FirstOrDefault(r => r.OutRequestNo == requestNo);
        return Signed(call, json =>
        {
            json.WriteString("code", "10000");
            json.WriteString("msg", "Success");
            json.WriteString("out_request_no", requestNo);
            json.WriteString("out_trade_no", trade.OutTradeNo);
            json.WriteString("trade_no", trade.TradeNo);
            // An unknown request number answers 10000 without refund_amount: no such refund.
            if (refund is not null)
            {
                json.WriteString("gmt_refund_pay", SandboxTime.ToDashed(refund.RefundedAt));
                json.WriteString("refund_amount", new Money(refund.AmountFen).ToString());
                json.WriteString("refund_status", "REFUND_SUCCESS");
                json.WriteString("total_amount", new Money(trade.TotalFen).ToString());
            }
        });
    }

    /// <summary>§1.6.3: {"&lt;node&gt;":{…},"sign":"…"}, the signature over the exact node text sent.</summary>
    private IResult Signed(AlipayCall call, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }
        var node = Encoding.UTF8.GetString(buffer.WrittenSpan);
        var sign = AlipaySignature.Sign(node, credentials.AlipayPrivateKey);
        var body = $"{{\"{call.Node}\":{node},\"sign\":\"{sign}\"}}";
        return Results.Text(body, "application/json; charset=utf-8", Encoding.UTF8);
    }

    private static List<string> Codes(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static string? Text(JsonElement node, string name) =>
        node.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() is { Length: > 0 } text ? text : null,
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;
}
