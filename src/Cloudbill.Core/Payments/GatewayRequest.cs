using System.Net;
using System.Text;

namespace Cloudbill.Core.Payments;

/// <summary>
/// A signed request for a payment gateway: where it goes and its exact fields, in the order they
/// were built (the signature last). Nothing may change after signing (payments.md §2.2), so the
/// three renderings below only encode, they never add or drop a field.
/// </summary>
public sealed record GatewayRequest(Uri Endpoint, IReadOnlyList<KeyValuePair<string, string>> Fields)
{
    /// <summary>The value of a field, or null when the request does not carry it.</summary>
    public string? Field(string name)
    {
        foreach (var field in Fields)
        {
            if (string.Equals(field.Key, name, StringComparison.Ordinal))
                return field.Value;
        }
        return null;
    }

    /// <summary>The fields as an <c>application/x-www-form-urlencoded</c> body (UTF-8), for server-to-server POSTs.</summary>
    public string ToFormBody()
    {
        var body = new StringBuilder();
        foreach (var field in Fields)
        {
            if (body.Length > 0)
                body.Append('&');
            body.Append(Uri.EscapeDataString(field.Key)).Append('=').Append(Uri.EscapeDataString(field.Value));
        }
        return body.ToString();
    }

    /// <summary>The request as one GET URL (payments.md §1.3: the "redirect URL" form of page/wap pay).</summary>
    public Uri ToRedirectUri()
    {
        var endpoint = Endpoint.AbsoluteUri;
        var separator = string.IsNullOrEmpty(Endpoint.Query) ? '?' : '&';
        return new Uri(endpoint + separator + ToFormBody());
    }

    /// <summary>
    /// An HTML page whose form posts the fields to the gateway as soon as it loads (payments.md §1.3,
    /// §2.2). Every value is HTML-encoded: a quote in a subject must not break the form (§3.2).
    /// </summary>
    public string ToAutoSubmitHtml()
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Payment</title></head><body>\n");
        html.Append("<form id=\"gateway\" method=\"post\" accept-charset=\"utf-8\" action=\"")
            .Append(WebUtility.HtmlEncode(Endpoint.AbsoluteUri)).Append("\">\n");
        foreach (var field in Fields)
        {
            html.Append("<input type=\"hidden\" name=\"").Append(WebUtility.HtmlEncode(field.Key))
                .Append("\" value=\"").Append(WebUtility.HtmlEncode(field.Value)).Append("\">\n");
        }
        html.Append("<noscript><button type=\"submit\">Continue to payment</button></noscript>\n</form>\n");
        html.Append("<script>document.getElementById('gateway').submit();</script>\n</body></html>\n");
        return html.ToString();
    }
}
