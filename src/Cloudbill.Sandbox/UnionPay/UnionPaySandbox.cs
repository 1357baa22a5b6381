using System.Globalization;
using Cloudbill.Core;
using Cloudbill.Core.Payments.UnionPay;
using Cloudbill.Core.Time;
using Cloudbill.Sandbox.Notifications;
using Microsoft.AspNetCore.Http;
using static Cloudbill.Sandbox.RequestFields;
using static Cloudbill.Sandbox.SandboxPages;

namespace Cloudbill.Sandbox.UnionPay;

/// <summary>
/// Plays UnionPay's ACP 5.1.0 gateway with signMethod 01 (payments.md §2, §5.2): the front
/// consumption with its card cashier, back transactions (refund 04, cancel 31) and the status
/// query. Requests are verified with the merchant certificate named by certId; answers and
/// notifications are signed with the sandbox signing key and carry its certificate.
/// </summary>
internal sealed class UnionPaySandbox(
    SandboxCredentials credentials, SandboxStore store, NotificationQueue notifications, TimeProvider clock)
{
    public const string FrontPath = "/gateway/api/frontTransReq.do";
    public const string BackPath = "/gateway/api/backTransReq.do";
    public const string QueryPath = "/gateway/api/queryTrans.do";

    /// <summary>The demo's test debit card and SMS code (§2.1).</summary>
    public const string TestCard = "6216261000000000018";
    public const string TestSmsCode = "111111";

    private const string Success = "成功[0000000]";

    // ---------------------------------------------------------------- verification (§2.3 as the gateway checks it)

    private sealed record Refusal(string RespCode, string RespMsg);

    private async Task<(Dictionary<string, string> Fields, Refusal? Refusal)> ReadVerified(HttpContext context)
    {
        Dictionary<string, string> fields;
        string? duplicate;
        try
        {
            (fields, duplicate) = await ReadAsync(context.Request, context.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException)
        {
            return (new Dictionary<string, string>(), new Refusal("10", "报文格式错误: the body is not a readable form."));
        }
        if (duplicate is not null)
            return (fields, new Refusal("10", $"报文格式错误: {duplicate} is sent twice."));
        if (Get(fields, "version") != UnionPayGateway.Version)
            return (fields, new Refusal("10", $"报文格式错误: version must be {UnionPayGateway.Version}."));
        if (Get(fields, "signMethod") != UnionPayGateway.SignMethod)
            return (fields, new Refusal("10", "报文格式错误: the sandbox accepts signMethod 01 (RSA certificate) only."));
        if (Get(fields, "encoding") is { } encoding && !encoding.Equals("UTF-8", StringComparison.OrdinalIgnoreCase))
            return (fields, new Refusal("10", "报文格式错误: the sandbox accepts encoding UTF-8 only."));
        var signature = Get(fields, "signature");
        if (signature is null)
            return (fields, new Refusal("11", "验证签名失败: the signature is missing."));
        if (Get(fields, "certId") != credentials.MerchantCertId)
            return (fields, new Refusal("11", $"验证签名失败: certId {Get(fields, "certId")} is not the sandbox merchant certificate ({credentials.MerchantCertId})."));
        if (!UnionPaySignature.Verify(UnionPaySignature.SignContent(fields), signature, credentials.MerchantPublicKey))
            return (fields, new Refusal("11", "验证签名失败: the signature does not match the merchant certificate."));
        if (Get(fields, "merId") != credentials.UnionPayMerId)
            return (fields, new Refusal("31", $"商户状态不正确: merId {Get(fields, "merId")} is not the sandbox merchant ({credentials.UnionPayMerId})."));
        return (fields, null);
    }

    // ---------------------------------------------------------------- front consumption

    public async Task<IResult> Front(HttpContext context)
    {
        var (fields, refusal) = await ReadVerified(context);
        if (refusal is not null)
            return FrontError(refusal);
        if (Get(fields, "txnType") != "01" || Get(fields, "txnSubType") != "01" || Get(fields, "bizType") != "000201")
            return FrontError(new Refusal("10", "报文格式错误: frontTransReq.do takes the consumption txnType 01, txnSubType 01, bizType 000201."));
        var channelType = Get(fields, "channelType");
        if (channelType is not ("07" or "08"))
            return FrontError(new Refusal("10", "报文格式错误: channelType must be 07 (PC) or 08 (mobile)."));
        var orderId = Get(fields, "orderId");
        if (orderId is not { Length: >= 8 and <= 40 } || !orderId.All(char.IsAsciiLetterOrDigit))
            return FrontError(new Refusal("10", "报文格式错误: orderId must be 8 to 40 letters or digits."));
        var txnTime = Get(fields, "txnTime");
        var txnInstant = SandboxTime.ParseCompact(txnTime);
        if (txnTime is null || txnInstant is null)
            return FrontError(new Refusal("10", "报文格式错误: txnTime must be yyyyMMddHHmmss."));
        // §2.2: txnTime must be the current Beijing time.
        if (!SandboxTime.IsCurrent(txnInstant.Value, clock.GetUtcNow()))
            return FrontError(new Refusal("10", $"报文格式错误: txnTime {txnTime} is not the current Beijing time ({SandboxTime.ToCompact(clock.GetUtcNow())})."));
        var amount = ParseFen(Get(fields, "txnAmt"));
        if (amount is null or <= 0)
            return FrontError(new Refusal("10", "报文格式错误: txnAmt must be a positive integer amount in fen."));
        if (Get(fields, "currencyCode") != UnionPayGateway.CurrencyCode)
            return FrontError(new Refusal("10", "报文格式错误: currencyCode must be 156 (CNY)."));
        var frontUrl = Get(fields, "frontUrl");
        var backUrl = Get(fields, "backUrl");
        if (!IsHttpUrl(frontUrl) || !IsHttpUrl(backUrl))
            return FrontError(new Refusal("13", "报文交易要素缺失: frontUrl and backUrl must be absolute http(s) URLs."));
        DateTimeOffset payTimeout;
        if (Get(fields, "payTimeout") is { } payTimeoutText)
        {
            if (SandboxTime.ParseCompact(payTimeoutText) is not { } parsed)
                return FrontError(new Refusal("10", "报文格式错误: payTimeout must be yyyyMMddHHmmss."));
            payTimeout = parsed;
        }
        else
        {
            payTimeout = txnInstant.Value.AddDays(1);
        }
        var now = clock.GetUtcNow();
        if (now > payTimeout)
            return FrontError(new Refusal("39", $"交易不在受理时间范围内: payTimeout {Get(fields, "payTimeout")} has passed."));

        var outcome = store.Update(state =>
        {
            // Unpaid orders a day past payTimeout are final (§2.6): forget them, the file stays small.
            state.UnionPayOrders.RemoveAll(o => !o.Paid && o.PayTimeout.AddDays(1) < now);
            var existing = state.UnionPayOrders.FirstOrDefault(o => o.OrderId == orderId && o.TxnTime == txnTime);
            if (existing is not null)
                return existing.Paid || existing.TxnAmtFen != amount.Value ? (Id: "", Duplicate: true) : (Id: existing.Id, Duplicate: false);
            var order = new UnionPayOrderRecord
            {
                Id = "u" + SandboxCredentials.RandomDigits(16),
                OrderId = orderId,
                TxnTime = txnTime,
                TxnAmtFen = amount.Value,
                ChannelType = channelType,
                FrontUrl = frontUrl!,
                BackUrl = backUrl!,
                PayTimeout = payTimeout,
                ReqReserved = Get(fields, "reqReserved"),
            };
            state.UnionPayOrders.Add(order);
            return (Id: order.Id, Duplicate: false);
        });
        if (outcome.Duplicate)
            return FrontError(new Refusal("12", $"重复交易: order {orderId} at {txnTime} was already paid or sent with another amount."));
        var path = (context.Request.PathBase + context.Request.Path).Value!;
        return new SeeOther(path[..^FrontPath.Length] + "/cashier/" + outcome.Id);
    }

    private static IResult FrontError(Refusal refusal) =>
        Error(StatusCodes.Status400BadRequest, "银联 sandbox: transaction refused", refusal.RespCode, refusal.RespMsg);

    public IResult ShowCashier(HttpContext context, string id)
    {
        var order = store.Read(state => state.UnionPayOrders.FirstOrDefault(o => o.Id == id)?.Snapshot());
        if (order is null)
            return Error(StatusCodes.Status404NotFound, "Payment not found", "34", "查无此交易: this cashier session does not exist.");
        if (order.Paid)
            return Error(StatusCodes.Status409Conflict, "Already paid", "12", $"重复交易: order {order.OrderId} is already paid.");
        var body = $"""
            <div class="card">
              <div class="muted">Merchant</div><div id="merchant">Cloudbill (merId {H(credentials.UnionPayMerId)})</div>
              <div class="muted" style="margin-top:.6rem">Order</div><div id="orderId">{H(order.OrderId)}</div>
              <div class="amount" id="amount">¥{H(new Money(order.TxnAmtFen).ToString())}</div>
              <div class="muted">Pay before {H(BusinessCalendar.FormatDateTime(order.PayTimeout))} (Beijing time)</div>
            </div>
            <form class="card" method="post" action="{H(context.Request.PathBase + context.Request.Path)}">
              <label>Card number<br><input type="text" name="cardNumber" inputmode="numeric" value="{TestCard}"></label>
              <label class="channel"><input type="radio" name="cardType" value="debit" checked> Debit card (借记卡)</label>
              <label class="channel"><input type="radio" name="cardType" value="credit"> Credit card (贷记卡)</label>
              <label>SMS code (the sandbox's is {TestSmsCode})<br><input type="text" name="smsCode" inputmode="numeric" value=""></label>
              <button class="pay" type="submit" name="action" value="pay">Confirm payment</button>
              <button class="cancel" type="submit" name="action" value="cancel">Cancel</button>
            </form>
            """;
        return Html("银联 sandbox cashier", body);
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
            return Error(StatusCodes.Status400BadRequest, "Invalid request", "10", "Send the cashier form (action=pay or cancel, cardNumber, smsCode).");
        }
        var order = store.Read(state => state.UnionPayOrders.FirstOrDefault(o => o.Id == id)?.Snapshot());
        if (order is null)
            return Error(StatusCodes.Status404NotFound, "Payment not found", "34", "查无此交易: this cashier session does not exist.");

        var action = form["action"].ToString();
        if (action == "cancel")
        {
            // The buyer goes back to the merchant without paying: no back notification (§2.5).
            var cancelled = Fields.Of(
                ("version", UnionPayGateway.Version), ("encoding", UnionPayGateway.Encoding), ("signMethod", UnionPayGateway.SignMethod),
                ("txnType", "01"), ("txnSubType", "01"), ("bizType", "000201"), ("accessType", "0"),
                ("merId", credentials.UnionPayMerId), ("orderId", order.OrderId), ("txnTime", order.TxnTime),
                ("txnAmt", Fields.Fen(order.TxnAmtFen)), ("currencyCode", UnionPayGateway.CurrencyCode),
                ("reqReserved", order.ReqReserved), ("respCode", "01"), ("respMsg", "交易失败: the payer cancelled"));
            return Html("Payment cancelled", "<div class=\"card\"><h1>Payment cancelled</h1></div>"
                + AutoSubmitForm(order.FrontUrl, UnionPaySigner.Sign(cancelled, credentials), "Return to the merchant"));
        }
        if (action != "pay")
            return Error(StatusCodes.Status400BadRequest, "Invalid request", "10", "action must be pay or cancel.");
        var card = form["cardNumber"].ToString().Replace(" ", "", StringComparison.Ordinal);
        if (card.Length is < 16 or > 19 || !card.All(char.IsAsciiDigit))
            return Error(StatusCodes.Status400BadRequest, "Card number", "10", "A card number has 16 to 19 digits.");
        if (form["smsCode"].ToString() != TestSmsCode)
            return Error(StatusCodes.Status400BadRequest, "SMS code", "38", $"短信验证码错误: the sandbox's SMS code is {TestSmsCode}.");
        var credit = form["cardType"].ToString() == "credit";

        var now = clock.GetUtcNow();
        if (now > order.PayTimeout)
            return Error(StatusCodes.Status409Conflict, "Payment expired", "39", $"交易已超时: order {order.OrderId} could be paid until {BusinessCalendar.FormatDateTime(order.PayTimeout)} (payTimeout).");

        var paid = store.Update(state =>
        {
            var stored = state.UnionPayOrders.First(o => o.Id == id);
            if (stored.Paid)
                return (Order: stored.Snapshot(), Fresh: false);
            var local = SandboxTime.ToCompact(now);
            stored.Paid = true;
            stored.PaidAt = now;
            stored.QueryId = NewQueryId(state, local);
            stored.TraceNo = (state.Sequence % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
            stored.TraceTime = local[4..];
            stored.SettleDate = local[4..8];
            stored.AccNo = card[..4] + new string('*', card.Length - 8) + card[^4..];
            stored.PayCardType = credit ? "02" : "01";
            notifications.Queue(state, SandboxGateway.UnionPay, stored.BackUrl, stored.OrderId, PaymentFields(stored), now);
            return (Order: stored.Snapshot(), Fresh: true);
        });
        notifications.Wake();
        if (!paid.Fresh)
            return Error(StatusCodes.Status409Conflict, "Already paid", "12", $"重复交易: order {order.OrderId} is already paid.");
        // §2.2 frontUrl: the cashier posts the signed result back through the browser (display only).
        return Html("Payment successful", $"<div class=\"card\"><h1>Payment successful</h1><p>¥{H(new Money(order.TxnAmtFen).ToString())} paid for order {H(order.OrderId)} (queryId <span id=\"queryId\">{H(paid.Order.QueryId)}</span>).</p></div>"
            + AutoSubmitForm(order.FrontUrl, UnionPaySigner.Sign(PaymentFields(paid.Order), credentials), "Return to the merchant"));
    }

    /// <summary>§2.5: the fields of a successful consumption, unsigned.</summary>
    private List<KeyValuePair<string, string>> PaymentFields(UnionPayOrderRecord order) => Fields.Of(
        ("version", UnionPayGateway.Version), ("encoding", UnionPayGateway.Encoding), ("signMethod", UnionPayGateway.SignMethod),
        ("txnType", "01"), ("txnSubType", "01"), ("bizType", "000201"), ("accessType", "0"), ("acqInsCode", "90880019"),
        ("merId", credentials.UnionPayMerId), ("orderId", order.OrderId), ("txnTime", order.TxnTime),
        ("txnAmt", Fields.Fen(order.TxnAmtFen)), ("currencyCode", UnionPayGateway.CurrencyCode), ("reqReserved", order.ReqReserved),
        ("queryId", order.QueryId), ("traceNo", order.TraceNo), ("traceTime", order.TraceTime),
        ("settleAmt", Fields.Fen(order.TxnAmtFen)), ("settleCurrencyCode", UnionPayGateway.CurrencyCode), ("settleDate", order.SettleDate),
        ("respCode", "00"), ("respMsg", Success), ("accNo", order.AccNo), ("payType", "0001"), ("payCardType", order.PayCardType));

    private static string NewQueryId(SandboxState state, string local) =>
        // 21 digits like UnionPay's: a prefix, the local time to the second, a sequence.
        "77" + local[2..] + (state.Next() % 10_000_000).ToString("D7", CultureInfo.InvariantCulture);

    // ---------------------------------------------------------------- back transactions (§2.7)

    public async Task<IResult> Back(HttpContext context)
    {
        var (fields, refusal) = await ReadVerified(context);
        if (refusal is not null)
            return Answer(fields, refusal.RespCode, refusal.RespMsg);
        var txnType = Get(fields, "txnType");
        if (txnType is not ("04" or "31") || Get(fields, "txnSubType") != "00")
            return Answer(fields, "10", "报文格式错误: backTransReq.do takes refund (txnType 04) and consumption cancel (31), txnSubType 00.");
        var orderId = Get(fields, "orderId");
        var txnTime = Get(fields, "txnTime");
        var amount = ParseFen(Get(fields, "txnAmt"));
        var origQryId = Get(fields, "origQryId");
        if (orderId is not { Length: >= 8 and <= 40 } || !orderId.All(char.IsAsciiLetterOrDigit) || SandboxTime.ParseCompact(txnTime) is null || amount is null or <= 0 || origQryId is null)
            return Answer(fields, "13", "报文交易要素缺失: orderId (8–40 letters or digits), txnTime, a positive txnAmt in fen and origQryId are required.");
        if (!SandboxTime.IsCurrent(SandboxTime.ParseCompact(txnTime)!.Value, clock.GetUtcNow()))
            return Answer(fields, "10", $"报文格式错误: txnTime {txnTime} is not the current Beijing time ({SandboxTime.ToCompact(clock.GetUtcNow())}).");
        var backUrl = Get(fields, "backUrl");
        if (backUrl is not null && !IsHttpUrl(backUrl))
            return Answer(fields, "10", "报文格式错误: backUrl must be an absolute http(s) URL.");

        var now = clock.GetUtcNow();
        var outcome = store.Update(state =>
        {
            if (state.UnionPayBackTransactions.Any(b => b.OrderId == orderId && b.TxnTime == txnTime)
                || state.UnionPayOrders.Any(o => o.OrderId == orderId && o.TxnTime == txnTime))
            {
                return new BackOutcome(null, "12", $"重复交易: order {orderId} at {txnTime} exists already.");
            }
            var original = state.UnionPayOrders.FirstOrDefault(o => o.Paid && o.QueryId == origQryId);
            if (original is null)
                return new BackOutcome(null, "35", $"原交易不存在或状态不正确: no paid consumption has queryId {origQryId}.");
            var refundable = original.TxnAmtFen - original.RefundedFen;
            if (txnType == "31")
            {
                // §2.7: a cancel is for the full amount, on the clearing day of the payment.
                if (original.RefundedFen > 0 || original.Cancelled)
                    return new BackOutcome(null, "35", $"原交易不存在或状态不正确: consumption {origQryId} was already refunded or cancelled.");
                if (amount != original.TxnAmtFen)
                    return new BackOutcome(null, "36", $"与原交易信息不符: a cancel is for the full {Fields.Fen(original.TxnAmtFen)} fen.");
                if (BusinessCalendar.LocalDate(original.PaidAt!.Value) != BusinessCalendar.LocalDate(now))
                    return new BackOutcome(null, "35", "原交易不存在或状态不正确: a consumption can be cancelled on its day only; refund it (txnType 04).");
                original.Cancelled = true;
            }
            else if (amount > refundable)
            {
                return new BackOutcome(null, "33", $"交易金额超限: {Fields.Fen(amount.Value)} fen asked, {Fields.Fen(refundable)} fen left to refund.");
            }
            original.RefundedFen += amount.Value;
            var local = SandboxTime.ToCompact(now);
            var record = new UnionPayBackRecord
            {
                TxnType = txnType,
                OrderId = orderId,
                TxnTime = txnTime!,
                TxnAmtFen = amount.Value,
                OrigQryId = origQryId,
                QueryId = NewQueryId(state, local),
                BackUrl = backUrl,
                ReqReserved = Get(fields, "reqReserved"),
                TraceNo = (state.Sequence % 1_000_000).ToString("D6", CultureInfo.InvariantCulture),
                TraceTime = local[4..],
                SettleDate = local[4..8],
                At = now,
            };
            state.UnionPayBackTransactions.Add(record);
            // §2.5: back transactions notify their result too.
            if (backUrl is not null)
                notifications.Queue(state, SandboxGateway.UnionPay, backUrl, orderId, BackFields(record), now);
            return new BackOutcome(record, "00", Success);
        });
        notifications.Wake();
        if (outcome.Record is null)
            return Answer(fields, outcome.Code, outcome.Message);
        return Answer(fields, "00", Success, ("queryId", outcome.Record.QueryId));
    }

    private sealed record BackOutcome(UnionPayBackRecord? Record, string Code, string Message);

    private List<KeyValuePair<string, string>> BackFields(UnionPayBackRecord record) => Fields.Of(
        ("version", UnionPayGateway.Version), ("encoding", UnionPayGateway.Encoding), ("signMethod", UnionPayGateway.SignMethod),
        ("txnType", record.TxnType), ("txnSubType", "00"), ("bizType", "000201"), ("accessType", "0"), ("acqInsCode", "90880019"),
        ("merId", credentials.UnionPayMerId), ("orderId", record.OrderId), ("txnTime", record.TxnTime),
        ("txnAmt", Fields.Fen(record.TxnAmtFen)), ("currencyCode", UnionPayGateway.CurrencyCode), ("reqReserved", record.ReqReserved),
        ("origQryId", record.OrigQryId), ("queryId", record.QueryId), ("traceNo", record.TraceNo), ("traceTime", record.TraceTime),
        ("settleAmt", Fields.Fen(record.TxnAmtFen)), ("settleCurrencyCode", UnionPayGateway.CurrencyCode), ("settleDate", record.SettleDate),
        ("respCode", "00"), ("respMsg", Success));

    // ---------------------------------------------------------------- status query (§2.6)

    public async Task<IResult> Query(HttpContext context)
    {
        var (fields, refusal) = await ReadVerified(context);
        if (refusal is not null)
            return Answer(fields, refusal.RespCode, refusal.RespMsg);
        if (Get(fields, "txnType") != "00")
            return Answer(fields, "10", "报文格式错误: queryTrans.do takes txnType 00.");
        var orderId = Get(fields, "orderId");
        var txnTime = Get(fields, "txnTime");
        if (orderId is null || txnTime is null)
            return Answer(fields, "13", "报文交易要素缺失: orderId and txnTime of the original transaction are required.");

        var now = clock.GetUtcNow();
        var (order, back) = store.Read(state => (
            state.UnionPayOrders.FirstOrDefault(o => o.OrderId == orderId && o.TxnTime == txnTime)?.Snapshot(),
            state.UnionPayBackTransactions.FirstOrDefault(b => b.OrderId == orderId && b.TxnTime == txnTime)));
        if (back is not null)
        {
            return Answer(fields, "00", Success, ("origRespCode", "00"), ("origRespMsg", Success), ("queryId", back.QueryId),
                ("origQryId", back.OrigQryId), ("txnAmt", Fields.Fen(back.TxnAmtFen)), ("settleAmt", Fields.Fen(back.TxnAmtFen)),
                ("settleCurrencyCode", UnionPayGateway.CurrencyCode), ("settleDate", back.SettleDate), ("traceNo", back.TraceNo), ("traceTime", back.TraceTime));
        }
        if (order is null)
            return Answer(fields, "34", "查无此交易[2011000]");
        if (order.Paid)
        {
            return Answer(fields, "00", Success, ("origRespCode", "00"), ("origRespMsg", Success), ("queryId", order.QueryId),
                ("txnAmt", Fields.Fen(order.TxnAmtFen)), ("currencyCode", UnionPayGateway.CurrencyCode), ("settleAmt", Fields.Fen(order.TxnAmtFen)),
                ("settleCurrencyCode", UnionPayGateway.CurrencyCode), ("settleDate", order.SettleDate), ("traceNo", order.TraceNo),
                ("traceTime", order.TraceTime), ("accNo", order.AccNo), ("payType", "0001"), ("payCardType", order.PayCardType),
                ("reqReserved", order.ReqReserved));
        }
        // At the cashier and not paid: still processing until payTimeout, then final (§2.6).
        return now <= order.PayTimeout
            ? Answer(fields, "00", Success, ("origRespCode", "05"), ("origRespMsg", "交易处理中[0000005]"), ("txnAmt", Fields.Fen(order.TxnAmtFen)))
            : Answer(fields, "00", Success, ("origRespCode", "01"), ("origRespMsg", "交易失败: payTimeout passed without payment"), ("txnAmt", Fields.Fen(order.TxnAmtFen)));
    }

    /// <summary>A synchronous answer: the request's identifying fields echoed, the result, signed (§2.4), as raw k=v.</summary>
    private IResult Answer(Dictionary<string, string> request, string respCode, string respMsg, params (string Key, string? Value)[] extra)
    {
        var echoed = new[] { "version", "encoding", "signMethod", "txnType", "txnSubType", "bizType", "accessType", "merId", "orderId", "txnTime", "txnAmt", "origQryId", "reqReserved" }
            .Select(key => (key, Get(request, key)));
        // A raw k=v body: an '&' in a message would split it (§2.4).
        var fields = Fields.Of([.. echoed, ("respCode", respCode), ("respMsg", respMsg.Replace('&', '+'))]);
        foreach (var (key, value) in extra)
        {
            if (!string.IsNullOrEmpty(value))
                fields = Fields.With(fields, key, value);
        }
        // A request that named another merchant is answered for that merId: the merchant's own check refuses it.
        fields = Fields.With(fields, "version", UnionPayGateway.Version);
        fields = Fields.With(fields, "signMethod", UnionPayGateway.SignMethod);
        var body = UnionPaySigner.ToResponseBody(UnionPaySigner.Sign(fields, credentials));
        return Results.Text(body, "text/plain; charset=utf-8", System.Text.Encoding.UTF8);
    }

    private static long? ParseFen(string? text) =>
        text is { Length: > 0 and <= 15 } && text.All(char.IsAsciiDigit) ? long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture) : null;

    private static bool IsHttpUrl(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
}
