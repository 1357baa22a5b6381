using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Cloudbill.Sandbox.Cloud;
using Cloudbill.Sandbox.Notifications;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;

namespace Cloudbill.Sandbox;

/// <summary>The sandbox's small HTML pages: mobile-friendly, no script needed, every value HTML-encoded.</summary>
internal static class SandboxPages
{
    private const string Style = """
        body{font-family:system-ui,sans-serif;margin:0;background:#f5f5f5;color:#222}
        main{max-width:28rem;margin:0 auto;padding:1rem}
        .card{background:#fff;border-radius:.5rem;padding:1rem;margin-bottom:1rem}
        .amount{font-size:2rem;font-weight:600;margin:.5rem 0}
        .muted{color:#666;font-size:.9rem}
        .banner{background:#fff3cd;padding:.5rem 1rem;font-size:.85rem}
        label.channel{display:block;padding:.6rem 0;border-bottom:1px solid #eee}
        label.blocked{color:#a00}
        input[type=text]{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}
        button{width:100%;padding:.8rem;font-size:1rem;border:0;border-radius:.4rem;margin-top:.6rem}
        button.pay{background:#1677ff;color:#fff}
        button.cancel{background:#e5e5e5}
        .error{color:#a00}
        """;

    private static readonly JsonSerializerOptions IndentedJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string H(string? text) => WebUtility.HtmlEncode(text ?? "");

    public static string Page(string title, string bodyHtml)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(H(title)).Append("</title><style>").Append(Style).Append("</style></head><body>\n")
            .Append("<div class=\"banner\" role=\"status\" data-testid=\"sandbox-banner\">Sandbox: no real money. Cloudbill's offline sandbox gateway plays Alipay and UnionPay; nothing is charged.</div>\n<main>\n")
            .Append(bodyHtml)
            .Append("\n</main></body></html>\n");
        return html.ToString();
    }

    /// <summary>A page saying what went wrong, with the gateway's error code; never a stack trace.</summary>
    public static IResult Error(int status, string title, string code, string message) =>
        Results.Content(Page(title, $"""
            <div class="card"><h1>{H(title)}</h1><p class="error">{H(message)}</p><p class="muted">code: <code id="code">{H(code)}</code></p></div>
            """), "text/html; charset=utf-8", Encoding.UTF8, status);

    public static IResult Html(string title, string bodyHtml, int status = StatusCodes.Status200OK) =>
        Results.Content(Page(title, bodyHtml), "text/html; charset=utf-8", Encoding.UTF8, status);

    /// <summary>
    /// <c>GET {prefix}/</c>: what a developer needs to see at a glance. Ids only, never a key or the
    /// PFX password (they are in credentials.json).
    /// </summary>
    public static IResult Index(string prefix, SandboxCredentials credentials, SandboxSwitches switches, IReadOnlyList<SandboxDelivery> deliveries, CloudView cloud, AntiforgeryTokenSet antiforgery)
    {
        var rows = new StringBuilder();
        foreach (var delivery in deliveries.TakeLast(20).Reverse())
        {
            rows.Append("<tr><td>").Append(H(SandboxTime.ToDashed(delivery.At))).Append("</td><td>").Append(H(delivery.Gateway))
                .Append("</td><td>").Append(H(delivery.Key)).Append("</td><td>").Append(delivery.Send)
                .Append("</td><td>").Append(delivery.Dropped ? "dropped" : H(delivery.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "no answer"))
                .Append("</td><td>").Append(delivery.Acknowledged ? "yes" : "no").Append("</td></tr>\n");
        }
        var body = $"""
            <div class="card"><h1>Payment sandbox</h1>
              <p>Alipay gateway: <code>{H(prefix)}/alipay/gateway.do</code><br>app_id {H(credentials.AlipayAppId)}, seller_id {H(credentials.AlipaySellerId)}</p>
              <p>UnionPay gateway: <code>{H(prefix)}/unionpay/</code><br>merId {H(credentials.UnionPayMerId)}, certId {H(credentials.MerchantCertId)}</p>
            </div>
            <div class="card"><h2>Test switches</h2><pre>{H(JsonSerializer.Serialize(switches, IndentedJson))}</pre>
              {SwitchesForm(prefix, switches, antiforgery)}
              <p class="muted">Or POST {H(prefix)}/switches with JSON and this page's token in the RequestVerificationToken header.</p></div>
            <div class="card"><h2>Last notifications</h2><table><tr><th>time (CST)</th><th>gateway</th><th>notify_id / orderId</th><th>send</th><th>answer</th><th>ack</th></tr>
            {rows}</table></div>
            {CloudCard(prefix, cloud)}
            """;
        return Html("Payment sandbox", body);
    }

    /// <summary>
    /// The simulated cloud: where it is connected, its resources and the last events it accepted
    /// (all of them at <c>{prefix}/cloud/events</c>).
    /// </summary>
    private static string CloudCard(string prefix, CloudView cloud)
    {
        var resources = new StringBuilder();
        foreach (var r in cloud.Resources.Take(20))
        {
            resources.Append("<tr data-instance=\"").Append(H(r.InstanceId)).Append("\"><td><code>").Append(H(r.InstanceId)).Append("</code><br>").Append(H(r.Name))
                .Append("</td><td>").Append(H(r.Product)).Append(' ').Append(H(r.Spec)).Append("<br>").Append(H(r.Region))
                .Append("</td><td class=\"state\">").Append(H(r.State)).Append("</td><td>").Append(H(SandboxTime.ToDashed(r.ChangedAt))).Append("</td></tr>\n");
        }
        var events = new StringBuilder();
        foreach (var e in cloud.Events.Take(20))
        {
            events.Append("<tr data-event=\"").Append(H(e.Id)).Append("\"><td>").Append(H(SandboxTime.ToDashed(e.ReceivedAt))).Append("</td><td>").Append(H(e.Type))
                .Append("</td><td><code>").Append(H(e.InstanceId ?? "")).Append("</code></td><td>").Append(H(e.Action)).Append("</td></tr>\n");
        }
        var connected = cloud.ConnectedTo is { } url
            ? $"Receives Cloudbill's webhooks at <code>{H(prefix)}/cloud/webhooks</code> and reports back to <code>{H(url.ToString())}provider/v1</code>."
            : "Not connected: Cloudbill registers it once the server listens (Cloudbill:Provisioning:SandboxCloud).";
        return $"""
            <div class="card" data-testid="sandbox-cloud"><h2>Simulated cloud</h2><p>{connected}</p>
              <h3>Resources</h3><table data-testid="cloud-resources"><tr><th>instance</th><th>what</th><th>state</th><th>since (CST)</th></tr>
            {resources}</table>
              <h3>Events received</h3><table data-testid="cloud-events"><tr><th>time (CST)</th><th>type</th><th>instance</th><th>what the cloud did</th></tr>
            {events}</table></div>
            """;
    }

    /// <summary>
    /// Every switch, filled with the value in force; it sends reset=true first, so an unticked box
    /// turns its switch off. The antiforgery token goes with it.
    /// </summary>
    private static string SwitchesForm(string prefix, SandboxSwitches switches, AntiforgeryTokenSet antiforgery)
    {
        static string Box(string name, bool on) =>
            $"<label class=\"channel\"><input type=\"checkbox\" name=\"{name}\" value=\"true\"{(on ? " checked" : "")}> {name}</label>";
        static string Number(string name, string value) =>
            $"<label class=\"channel\">{name} <input type=\"text\" name=\"{name}\" value=\"{H(value)}\"></label>";
        return $"""
            <form method="post" action="{H(prefix)}/switches" data-testid="switches-form">
              <input type="hidden" name="{H(antiforgery.FormFieldName)}" value="{H(antiforgery.RequestToken)}">
              <input type="hidden" name="reset" value="true">
              {Number("dropFirst", switches.DropFirst.ToString(CultureInfo.InvariantCulture))}
              {Number("duplicate", switches.Duplicate.ToString(CultureInfo.InvariantCulture))}
              {Number("delay", switches.Delay.ToString("c", CultureInfo.InvariantCulture))}
              {Box("reorder", switches.Reorder)}{Box("wrongAmount", switches.WrongAmount)}{Box("badSignature", switches.BadSignature)}
              {Box("wrongAppId", switches.WrongAppId)}{Box("wrongSellerId", switches.WrongSellerId)}{Box("wrongMerId", switches.WrongMerId)}
              {Box("showAllChannels", switches.ShowAllChannels)}
              <button type="submit" class="pay">Set switches</button>
            </form>
            """;
    }

    /// <summary>A form that posts <paramref name="fields"/> to <paramref name="action"/> as soon as it loads, with a button when scripts are off.</summary>
    public static string AutoSubmitForm(string action, IEnumerable<KeyValuePair<string, string>> fields, string button)
    {
        var html = new StringBuilder();
        html.Append("<form id=\"return\" method=\"post\" action=\"").Append(H(action)).Append("\">\n");
        foreach (var field in fields)
            html.Append("<input type=\"hidden\" name=\"").Append(H(field.Key)).Append("\" value=\"").Append(H(field.Value)).Append("\">\n");
        html.Append("<button type=\"submit\" class=\"pay\">").Append(H(button)).Append("</button>\n</form>\n")
            .Append("<script>document.getElementById('return').submit();</script>\n");
        return html.ToString();
    }
}
