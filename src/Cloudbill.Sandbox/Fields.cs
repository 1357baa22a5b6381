using System.Globalization;
using Cloudbill.Core.Payments.UnionPay;

namespace Cloudbill.Sandbox;

/// <summary>Helpers over gateway field lists (order kept, as the merchant built or the sandbox will send them).</summary>
internal static class Fields
{
    /// <summary>The list with <paramref name="key"/> set to <paramref name="value"/> (replaced in place, or added at the end).</summary>
    public static List<KeyValuePair<string, string>> With(IEnumerable<KeyValuePair<string, string>> fields, string key, string value)
    {
        var list = fields.ToList();
        var index = list.FindIndex(field => field.Key == key);
        if (index >= 0)
            list[index] = new(key, value);
        else
            list.Add(new(key, value));
        return list;
    }

    /// <summary>The list with the value of <paramref name="key"/> changed, when it is present and not empty.</summary>
    public static List<KeyValuePair<string, string>> Map(IEnumerable<KeyValuePair<string, string>> fields, string key, Func<string, string> change) =>
        fields.Select(field => field.Key == key && field.Value.Length > 0 ? new KeyValuePair<string, string>(key, change(field.Value)) : field).ToList();

    /// <summary>Builds a list from pairs, leaving out empty values (the gateways' filterBlank, §2.3).</summary>
    public static List<KeyValuePair<string, string>> Of(params (string Key, string? Value)[] pairs) =>
        pairs.Where(pair => !string.IsNullOrEmpty(pair.Value)).Select(pair => new KeyValuePair<string, string>(pair.Key, pair.Value!)).ToList();

    public static string Fen(long fen) => fen.ToString(CultureInfo.InvariantCulture);
}

/// <summary>UnionPay's side of §2.4: sign with the sandbox signing key and carry its certificate in signPubKeyCert.</summary>
internal static class UnionPaySigner
{
    public static List<KeyValuePair<string, string>> Sign(IEnumerable<KeyValuePair<string, string>> fields, SandboxCredentials credentials)
    {
        // signPubKeyCert is part of the signed text (§2.4 step 3).
        var list = Fields.With(fields.Where(field => field.Key != "signature"), "signPubKeyCert", credentials.UnionPaySigningCertificatePem);
        list.Add(new("signature", UnionPaySignature.Sign(UnionPaySignature.SignContent(list), credentials.UnionPaySigningKey)));
        return list;
    }

    /// <summary>A synchronous answer: raw <c>k=v&amp;k=v</c>, values not encoded (§2.4).</summary>
    public static string ToResponseBody(IEnumerable<KeyValuePair<string, string>> fields) =>
        string.Join('&', fields.Select(field => field.Key + "=" + field.Value));
}
