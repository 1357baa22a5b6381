using Cloudbill.Core.Problems;
using static Cloudbill.Core.Payments.GatewayFields;

namespace Cloudbill.Core.Payments.Alipay;

/// <summary>
/// The expected failures of the Alipay protocol. A rejected notification must not be acted upon
/// and is answered with something other than <c>success</c> (payments.md §1.7); the code says
/// precisely why, for the log and for the tests.
/// </summary>
public static class AlipayErrors
{
    public static class Codes
    {
        public const string InvalidSettings = "Alipay.InvalidSettings";
        public const string InvalidKey = "Alipay.InvalidKey";
        public const string InvalidRequest = "Alipay.InvalidRequest";
        public const string DuplicateField = "Alipay.DuplicateField";
        public const string MissingSign = "Alipay.MissingSign";
        public const string UnsupportedSignType = "Alipay.UnsupportedSignType";
        public const string UnsupportedCharset = "Alipay.UnsupportedCharset";
        public const string BadSignature = "Alipay.BadSignature";
        public const string WrongAppId = "Alipay.WrongAppId";
        public const string WrongSeller = "Alipay.WrongSeller";
        public const string UnknownTrade = "Alipay.UnknownTrade";
        public const string OtherOrder = "Alipay.OtherOrder";
        public const string AmountMismatch = "Alipay.AmountMismatch";
        public const string Malformed = "Alipay.Malformed";
        public const string UnknownTradeStatus = "Alipay.UnknownTradeStatus";
        public const string UnsignedResponse = "Alipay.UnsignedResponse";
    }

    public static Problem InvalidSettings(string message) =>
        Problem.Invalid(Codes.InvalidSettings, $"Alipay settings: {message}");

    // The message never contains key text (keys and secrets are never logged).
    public static Problem InvalidKey(string message) =>
        Problem.Invalid(Codes.InvalidKey, $"Alipay keys: {message}");

    public static Problem InvalidRequest(string message) =>
        Problem.Invalid(Codes.InvalidRequest, message);

    public static Problem DuplicateField(string what, string key) =>
        Problem.Invalid(Codes.DuplicateField, $"The Alipay {what} carries the field {Quote(key)} twice; it was ignored.");

    public static Problem MissingSign(string what, string? outTradeNo) =>
        Problem.Forbidden(Codes.MissingSign, $"The Alipay {what} for order {Quote(outTradeNo)} has no sign; it was ignored.");

    public static Problem UnsupportedSignType(string what, string? signType) =>
        Problem.Invalid(Codes.UnsupportedSignType, $"The Alipay {what} is signed with sign_type {Quote(signType)}; only RSA2 is accepted. It was ignored.");

    public static Problem UnsupportedCharset(string what, string? charset) =>
        Problem.Invalid(Codes.UnsupportedCharset, $"The Alipay {what} uses charset {Quote(charset)}; requests are sent in utf-8, so only utf-8 is accepted. It was ignored.");

    public static Problem BadSignature(string what, string? outTradeNo) =>
        Problem.Forbidden(Codes.BadSignature,
            $"The Alipay {what} for order {Quote(outTradeNo)} does not carry a valid Alipay signature (tampered, or signed with another key); it was ignored. If every message fails, check that the configured key is the Alipay public key, not the app's.");

    public static Problem WrongAppId(string what, string? appId, string expected) =>
        Problem.Forbidden(Codes.WrongAppId, $"The Alipay {what} is for app_id {Quote(appId)}, not this merchant's {expected}; it was ignored.");

    public static Problem WrongSeller(string outTradeNo, string? sellerId, string expected) =>
        Problem.Forbidden(Codes.WrongSeller, $"The Alipay notification for order {Quote(outTradeNo)} pays seller {Quote(sellerId)}, not the expected {expected}; it was ignored.");

    public static Problem UnknownTrade(string outTradeNo) =>
        Problem.NotFound(Codes.UnknownTrade, $"The Alipay notification is for order {Quote(outTradeNo)}, which this merchant did not create; it was ignored.");

    public static Problem OtherOrder(string outTradeNo, string expected) =>
        Problem.Conflict(Codes.OtherOrder, $"The Alipay notification is for order {Quote(outTradeNo)}, not for order {expected}; it was ignored.");

    public static Problem AmountMismatch(string outTradeNo, Money notified, Money expected) =>
        Problem.Conflict(Codes.AmountMismatch, $"The Alipay notification for order {outTradeNo} says {notified}, but the order is for {expected}; it was ignored.");

    public static Problem Malformed(string what, string detail) =>
        Problem.Invalid(Codes.Malformed, $"The Alipay {what} cannot be read: {detail}");

    public static Problem UnknownTradeStatus(string outTradeNo, string? status) =>
        Problem.Invalid(Codes.UnknownTradeStatus, $"The Alipay notification for order {Quote(outTradeNo)} has trade_status {Quote(status)}, which is not one of WAIT_BUYER_PAY, TRADE_SUCCESS, TRADE_FINISHED, TRADE_CLOSED; it was ignored.");

    public static Problem UnsignedResponse(string method, AlipayCallStatus status) =>
        Problem.Conflict(Codes.UnsignedResponse,
            $"Alipay answered {method} without a signature (code {status.Code} {status.Message}, sub_code {Quote(status.SubCode)} {status.SubMessage}); an unsigned answer is not trusted, try the call again later.");
}
