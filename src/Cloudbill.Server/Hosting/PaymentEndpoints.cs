using Cloudbill.Core.Payments;
using Cloudbill.Core.Payments.Alipay;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Cloudbill.Server.Hosting;

/// <summary>
/// The HTTP side of gateway payments: the notify URLs the gateways post to (no session, no
/// antiforgery: the gateway's signature is the authentication), the browser's return URLs, the
/// checkout page that posts the signed request to the gateway, and paying an order by gateway.
/// </summary>
internal static class PaymentEndpoints
{
    public static WebApplication MapPaymentEndpoints(this WebApplication app)
    {
        // The notify, return and front URLs need the public address; without configuration it is the server's own.
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
            if (address is not null)
                app.Services.GetRequiredService<PaymentGateways>().UseBaseUrlIfUnset(new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal)));
        });

        app.MapPost(PaymentGateways.AlipayNotifyPath, async (HttpRequest request, GatewayNotifications notifications, CancellationToken ct) =>
            await FormFields(request, ct) is { } fields ? Reply(await Retrying(request, token => notifications.FromAlipay(fields, token))) : Results.Text(AlipayNotification.FailureReply, "text/plain", statusCode: 400))
            .DisableAntiforgery().AllowAnonymous();
        app.MapPost(PaymentGateways.UnionPayNotifyPath, async (HttpRequest request, GatewayNotifications notifications, CancellationToken ct) =>
            await FormFields(request, ct) is { } fields ? Reply(await Retrying(request, token => notifications.FromUnionPay(fields, token))) : Results.Text("unreadable form", "text/plain", statusCode: 400))
            .DisableAntiforgery().AllowAnonymous();

        // R7.3: the return page is display only. It names the trade; the gateway is then asked.
        app.MapGet(PaymentGateways.AlipayReturnPath, (HttpRequest request, PaymentGateways gateways) =>
        {
            var alipay = gateways.Alipay;
            if (!alipay.Succeeded)
                return Problem(alipay.Problem!);
            var returned = alipay.Value.VerifyReturn(request.Query.SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string>(q.Key, v ?? ""))));
            if (!returned.Succeeded)
                return Problem(returned.Problem!);
            return Results.Redirect($"/payments/{Uri.EscapeDataString(returned.Value.OutTradeNo)}");
        }).AllowAnonymous();

        // UnionPay's cashier posts the payer back from its own site: a cross-site POST carries no
        // (SameSite=Lax) sign-in cookie, so this step is anonymous and only names the trade; the
        // payment's page (signed in, a top-level GET) then asks UnionPay.
        app.MapMethods(PaymentGateways.UnionPayReturnPath, ["GET", "POST"], async (HttpRequest request, CancellationToken ct) =>
        {
            var fields = request.HasFormContentType ? await FormFields(request, ct) : request.Query.Select(q => new KeyValuePair<string, string>(q.Key, q.Value.ToString())).ToList();
            var orderId = fields?.FirstOrDefault(f => f.Key == "orderId").Value;
            if (string.IsNullOrEmpty(orderId) || orderId.Length > 40 || !orderId.All(char.IsAsciiLetterOrDigit))
                return Problem(Core.Problems.Problem.Invalid("Payment.ReturnWithoutOrder", "The UnionPay return does not name a payment (orderId)."));
            return Results.Redirect($"/payments/{orderId}", permanent: false, preserveMethod: false);
        }).DisableAntiforgery().AllowAnonymous();

        app.MapGet("/payments/{outTradeNo}/checkout", async (string outTradeNo, GatewayCheckouts checkouts, HttpContext http, CancellationToken ct) =>
        {
            var checkout = await checkouts.Resume(http.User.AccountId(), outTradeNo, ct);
            return checkout.Succeeded ? Results.Content(checkout.Value.Request.ToAutoSubmitHtml(), "text/html; charset=utf-8") : Problem(checkout.Problem!);
        }).RequireAuthorization();

        return app;
    }

    /// <summary>The decoded form fields in the order received (duplicates kept, so the verifier can refuse them); null when the body is not a readable form.</summary>
    private static async Task<IReadOnlyList<KeyValuePair<string, string>>?> FormFields(HttpRequest request, CancellationToken ct)
    {
        if (!request.HasFormContentType)
            return null;
        try
        {
            var form = await request.ReadFormAsync(ct);
            return form.SelectMany(f => f.Value.Select(v => new KeyValuePair<string, string>(f.Key, v ?? ""))).ToList();
        }
        catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException)
        {
            return null;
        }
    }

    /// <summary>
    /// A notification is keyed by its trade number (a second one finds the payment credited), so one
    /// that failed on the database connection is handled again on the new primary (docs/decisions/0034);
    /// past the retries the answer is a 503 and the gateway sends it again later.
    /// </summary>
    private static Task<NotificationReply> Retrying(HttpRequest request, Func<CancellationToken, Task<NotificationReply>> handle)
    {
        var services = request.HttpContext.RequestServices;
        return DatabaseOutage.Retry(services.GetRequiredService<CloudbillDbContext>(), services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PaymentEndpoints)), "A gateway notification", handle, request.HttpContext.RequestAborted);
    }

    private static IResult Reply(NotificationReply reply) => Results.Text(reply.Body, "text/plain", statusCode: reply.StatusCode);

    private static IResult Problem(Problem problem) => ProblemResults.From(problem);
}
