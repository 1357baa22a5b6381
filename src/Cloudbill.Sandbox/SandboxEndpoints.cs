using System.Text.Json;
using Cloudbill.Sandbox.Alipay;
using Cloudbill.Sandbox.Cloud;
using Cloudbill.Sandbox.Notifications;
using Cloudbill.Sandbox.UnionPay;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cloudbill.Sandbox;

/// <summary>
/// Registration of the offline sandbox gateways (payments.md §5). The sandbox talks to Cloudbill
/// only over HTTP: Cloudbill's Alipay GatewayUrl is <c>http://host{prefix}/alipay/gateway.do</c>, its
/// UnionPay GatewayUrl <c>http://host{prefix}/unionpay/</c> (trailing slash), and the keys come from
/// <see cref="SandboxCredentials"/>.
/// </summary>
public static class SandboxEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <param name="credentials">
    /// The credentials the server already loaded with <see cref="SandboxCredentials.LoadOrCreate"/> to
    /// configure its own Alipay and UnionPay settings; null loads them from <see cref="SandboxOptions.Directory"/>.
    /// </param>
    public static IServiceCollection AddPaymentSandbox(this IServiceCollection services, SandboxOptions options, SandboxCredentials? credentials = null)
    {
        if (options.Validate() is { } problem)
            throw new ArgumentException(problem, nameof(options));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        // The switches page's form carries a token: another site's page cannot flip them in a developer's browser.
        services.AddAntiforgery();
        if (credentials is not null)
            services.AddSingleton(credentials);
        else
            services.AddSingleton(provider => SandboxCredentials.LoadOrCreate(options.Directory, provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(_ => new SandboxStore(options.Directory));
        services.AddSingleton(new SwitchBoard(options.Switches));
        services.AddSingleton<NotificationQueue>();
        services.AddSingleton<SendProgress>();
        services.AddSingleton<NotificationSigner>();
        services.AddSingleton<DeliveryLog>();
        services.AddSingleton<AlipaySandbox>();
        services.AddSingleton<UnionPaySandbox>();
        services.AddHostedService<NotificationSender>();
        services.AddSingleton<SandboxCloudConnection>();
        services.AddSingleton<CloudSignal>();
        services.AddSingleton<SandboxCloud>();
        services.AddHostedService<CloudReporter>();
        return services;
    }

    /// <summary>
    /// Maps the gateways under <paramref name="prefix"/>:
    /// <c>/alipay/gateway.do</c> (GET, POST) and its cashier <c>/alipay/cashier/{id}</c>;
    /// <c>/unionpay/gateway/api/frontTransReq.do</c>, <c>backTransReq.do</c>, <c>queryTrans.do</c> and the
    /// cashier <c>/unionpay/cashier/{id}</c>; <c>/switches</c> (GET, POST) and <c>/notifications</c> (GET);
    /// the simulated cloud's webhook receiver <c>/cloud/webhooks</c> (POST, authenticated by the
    /// Standard Webhooks signature) and what it holds, <c>/cloud/events</c> and <c>/cloud/resources</c> (GET).
    /// Anonymous, without antiforgery: gateways are called by servers and by plain form posts. Only
    /// <c>POST /switches</c> checks an antiforgery token itself (the index page's form field, or the
    /// <c>RequestVerificationToken</c> header with a JSON body, with the cookie from the same page).
    /// </summary>
    public static IEndpointRouteBuilder MapPaymentSandbox(this IEndpointRouteBuilder app, string prefix = "/sandbox")
    {
        var sandbox = app.MapGroup(prefix).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();

        var alipay = sandbox.MapGroup("/alipay");
        alipay.MapMethods("/gateway.do", [HttpMethods.Get, HttpMethods.Post], (HttpContext context, AlipaySandbox gateway) => gateway.Gateway(context));
        alipay.MapGet("/cashier/{id}", (HttpContext context, string id, AlipaySandbox gateway) => gateway.ShowCashier(context, id));
        alipay.MapPost("/cashier/{id}", (HttpContext context, string id, AlipaySandbox gateway) => gateway.SubmitCashier(context, id));

        var unionPay = sandbox.MapGroup("/unionpay");
        unionPay.MapPost(UnionPaySandbox.FrontPath, (HttpContext context, UnionPaySandbox gateway) => gateway.Front(context));
        unionPay.MapPost(UnionPaySandbox.BackPath, (HttpContext context, UnionPaySandbox gateway) => gateway.Back(context));
        unionPay.MapPost(UnionPaySandbox.QueryPath, (HttpContext context, UnionPaySandbox gateway) => gateway.Query(context));
        unionPay.MapGet("/cashier/{id}", (HttpContext context, string id, UnionPaySandbox gateway) => gateway.ShowCashier(context, id));
        unionPay.MapPost("/cashier/{id}", (HttpContext context, string id, UnionPaySandbox gateway) => gateway.SubmitCashier(context, id));

        sandbox.MapGet("/", (HttpContext context, SandboxCredentials credentials, SwitchBoard switches, DeliveryLog log, SandboxStore store, SandboxCloudConnection cloud, IAntiforgery antiforgery) =>
            SandboxPages.Index(context.Request.PathBase + prefix, credentials, switches.Current, log.Snapshot(), CloudView.Of(store, cloud), antiforgery.GetAndStoreTokens(context)));
        sandbox.MapGet("/switches", (SwitchBoard switches) => Results.Text(JsonSerializer.Serialize(switches.Current, Json), "application/json"));
        sandbox.MapPost("/switches", (HttpContext context, SwitchBoard switches, IAntiforgery antiforgery) => SandboxSwitchesEndpoint.Update(context, switches, antiforgery));
        sandbox.MapGet("/notifications", (DeliveryLog log) => Results.Text(JsonSerializer.Serialize(log.Snapshot(), Json), "application/json"));

        var cloud = sandbox.MapGroup("/cloud");
        cloud.MapPost("/webhooks", (HttpContext context, SandboxCloud receiver) => receiver.Receive(context));
        cloud.MapGet("/events", (SandboxStore store, SandboxCloudConnection connection) => Results.Text(JsonSerializer.Serialize(CloudView.Of(store, connection).Events, Json), "application/json"));
        cloud.MapGet("/resources", (SandboxStore store, SandboxCloudConnection connection) => Results.Text(JsonSerializer.Serialize(CloudView.Of(store, connection).Resources, Json), "application/json"));
        return app;
    }
}
