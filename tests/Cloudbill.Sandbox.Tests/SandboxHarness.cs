using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Cloudbill.Core.Payments.Alipay;
using Cloudbill.Core.Payments.UnionPay;
using Cloudbill.Sandbox.Notifications;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Cloudbill.Sandbox.Tests;

/// <summary>
/// The sandbox gateways in a real Kestrel on 127.0.0.1 (random port), a separate "merchant" web
/// app that receives the notifications, and the merchant's protocol code (AlipayGateway,
/// UnionPayGateway) configured from <see cref="SandboxCredentials"/>, as Cloudbill will be.
/// Time is a FakeTimeProvider shared by both sides; nothing sleeps to wait for a schedule.
/// </summary>
internal sealed partial class SandboxHarness : IAsyncDisposable
{
    /// <summary>2026-11-26 12:00:00 in Asia/Shanghai.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 26, 4, 0, 0, TimeSpan.Zero);

    internal static readonly Lazy<string> TemplateCredentials = new(() =>
    {
        // Six RSA-2048 keys take a moment: made once per test run, copied into each sandbox directory.
        var directory = System.IO.Directory.CreateTempSubdirectory("cloudbill-sandbox-template-").FullName;
        using var credentials = SandboxCredentials.LoadOrCreate(directory, new FakeTimeProvider(Start));
        return Path.Combine(directory, SandboxCredentials.FileName);
    });

    private readonly WebApplication merchant;
    private WebApplication sandbox;
    private readonly Channel<Received> alipayNotifications = Channel.CreateUnbounded<Received>();
    private readonly Channel<Received> unionPayNotifications = Channel.CreateUnbounded<Received>();
    private int alipayReceived;
    private int unionPayReceived;

    private SandboxHarness(string directory, SandboxOptions options, WebApplication merchant, WebApplication sandbox)
    {
        Directory = directory;
        Options = options;
        this.merchant = merchant;
        this.sandbox = sandbox;
    }

    public FakeTimeProvider Clock { get; } = new(Start);
    public string Directory { get; }

    public SandboxOptions Options { get; }
    public SandboxCredentials Credentials { get; private set; } = null!;
    public Uri SandboxUrl { get; private set; } = null!;
    public Uri MerchantUrl { get; private set; } = null!;
    public AlipayGateway Alipay { get; private set; } = null!;
    public UnionPayGateway UnionPay { get; private set; } = null!;

    /// <summary>How the merchant answers its Nth Alipay notification (1-based): the body. Default: success.</summary>
    public Func<int, string> AlipayReply { get; set; } = _ => AlipayNotification.SuccessReply;

    /// <summary>How the merchant answers its Nth UnionPay notification: the HTTP status. Default: 200.</summary>
    public Func<int, int> UnionPayReply { get; set; } = _ => StatusCodes.Status200OK;

    /// <summary>How long (real time) the merchant takes to answer its Nth UnionPay notification. Default: at once.</summary>
    public Func<int, TimeSpan> UnionPayAnswerTime { get; set; } = _ => TimeSpan.Zero;

    /// <summary>The "browser": follows nothing by itself, so that every 303 can be looked at.</summary>
    public HttpClient Browser { get; } = new(new SocketsHttpHandler { AllowAutoRedirect = false });

    public sealed record Received(List<KeyValuePair<string, string>> Fields, DateTimeOffset At);

    public static async Task<SandboxHarness> Launch(SandboxSwitches? switches = null, double retryScale = 1.0, TimeSpan? notificationTimeout = null)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("cloudbill-sandbox-").FullName;
        File.Copy(TemplateCredentials.Value, Path.Combine(directory, SandboxCredentials.FileName));
        var options = new SandboxOptions
        {
            Directory = directory,
            Switches = switches ?? new SandboxSwitches(),
            RetryScale = retryScale,
            NotificationTimeout = notificationTimeout ?? TimeSpan.FromSeconds(10),
        };
        SandboxHarness? harness = null;
        var merchantApp = BuildMerchant(() => harness!);
        await merchantApp.StartAsync();
        harness = new SandboxHarness(directory, options, merchantApp, null!);
        harness.MerchantUrl = new Uri(merchantApp.Urls.Single());
        await harness.StartSandbox();
        return harness;
    }

    private async Task StartSandbox()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(Clock);
        builder.Services.AddPaymentSandbox(Options);
        sandbox = builder.Build();
        sandbox.MapPaymentSandbox();
        await sandbox.StartAsync();
        SandboxUrl = new Uri(sandbox.Urls.Single());
        Credentials = sandbox.Services.GetRequiredService<SandboxCredentials>();

        Alipay = new AlipayGateway(new AlipaySettings
        {
            AppId = Credentials.AlipayAppId,
            SellerId = Credentials.AlipaySellerId,
            NotifyUrl = new Uri(MerchantUrl, "/notify/alipay"),
            GatewayUrl = new Uri(SandboxUrl, "/sandbox/alipay/gateway.do"),
        }, AlipayKeys.Load(Credentials.AppPrivateKeyPem, Credentials.AlipayPublicKeyPem).Value, Clock);
        UnionPay = new UnionPayGateway(new UnionPaySettings
        {
            MerId = Credentials.UnionPayMerId,
            BackUrl = new Uri(MerchantUrl, "/notify/unionpay"),
            GatewayUrl = new Uri(SandboxUrl, "/sandbox/unionpay/"),
            // §2.4: the production rule, so the CN must name 中国银联股份有限公司.
            ValidateCertificateName = true,
        }, UnionPayCertificates.Load(Credentials.MerchantPfx, Credentials.MerchantPfxPassword, Credentials.RootCertificate, Credentials.MiddleCertificate).Value, Clock);
    }

    /// <summary>Stops the sandbox process and starts a new one on the same directory (state and credentials on disk).</summary>
    public async Task RestartSandbox()
    {
        await sandbox.StopAsync();
        await sandbox.DisposeAsync();
        await StartSandbox();
    }

    private static WebApplication BuildMerchant(Func<SandboxHarness> harness)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/notify/alipay", async (HttpRequest request) =>
        {
            var h = harness();
            var form = await request.ReadFormAsync();
            var count = Interlocked.Increment(ref h.alipayReceived);
            await h.alipayNotifications.Writer.WriteAsync(new Received(Flatten(form), h.Clock.GetUtcNow()));
            return Results.Text(h.AlipayReply(count), "text/plain");
        });
        app.MapPost("/notify/unionpay", async (HttpRequest request) =>
        {
            var h = harness();
            var form = await request.ReadFormAsync();
            var count = Interlocked.Increment(ref h.unionPayReceived);
            await h.unionPayNotifications.Writer.WriteAsync(new Received(Flatten(form), h.Clock.GetUtcNow()));
            try
            {
                await Task.Delay(h.UnionPayAnswerTime(count), request.HttpContext.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return Results.Empty; // The sandbox gave up waiting and closed the connection.
            }
            return Results.Text("ok", "text/plain", statusCode: h.UnionPayReply(count));
        });
        // Where the browser lands; the tests read the Location header, these only answer.
        app.MapGet("/return", () => Results.Text("returned"));
        app.MapGet("/quit", () => Results.Text("quit"));
        app.MapPost("/front", () => Results.Text("front"));
        return app;
    }

    private static List<KeyValuePair<string, string>> Flatten(IFormCollection form) =>
        form.SelectMany(field => field.Value.Select(value => new KeyValuePair<string, string>(field.Key, value ?? ""))).ToList();

    // ------------------------------------------------------------------ waiting (on signals; real time bounds only a hang)

    /// <summary>How long a wait may last before it is a hang rather than a loaded machine (as Cloudbill.Testing's Eventually.Bound).</summary>
    private static readonly TimeSpan Hang = TimeSpan.FromMinutes(5);

    public Task<Received> NextAlipayNotification() => Next(alipayNotifications);

    public Task<Received> NextUnionPayNotification() => Next(unionPayNotifications);

    private static async Task<Received> Next(Channel<Received> channel)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Hang);
        try
        {
            return await channel.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No notification reached the merchant within {Hang.TotalMinutes} minutes.");
        }
    }

    /// <summary>
    /// True when nothing reached the merchant beyond what the test read, once the sender has
    /// nothing due at the fake clock's time: every due send is recorded (the sender's
    /// <see cref="SendProgress"/>), so nothing more can go out until the clock moves.
    /// </summary>
    public async Task<bool> NoMoreAlipayNotifications()
    {
        await SenderSettled();
        return !alipayNotifications.Reader.TryPeek(out _);
    }

    public async Task<bool> NoMoreUnionPayNotifications()
    {
        await SenderSettled();
        return !unionPayNotifications.Reader.TryPeek(out _);
    }

    private async Task SenderSettled()
    {
        var store = sandbox.Services.GetRequiredService<SandboxStore>();
        var progress = sandbox.Services.GetRequiredService<SendProgress>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Hang);
        while (true)
        {
            var sent = progress.NextSend();
            var now = Clock.GetUtcNow();
            if (!store.Read(state => state.Notifications.Any(job => job.NextAt <= now)))
                return;
            try
            {
                await sent.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"The sandbox still had a notification due after {Hang.TotalMinutes} minutes.");
            }
        }
    }

    /// <summary>The sandbox's delivery log (<c>GET /sandbox/notifications</c>).</summary>
    public async Task<List<DeliveryView>> Deliveries()
    {
        var text = await GetString(new Uri(SandboxUrl, "/sandbox/notifications"));
        return JsonSerializer.Deserialize<List<DeliveryView>>(text, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    public sealed record DeliveryView(string Gateway, string Key, int Send, DateTimeOffset At, bool Dropped, int? StatusCode, string? Body, bool Acknowledged);

    /// <summary>Waits until the sandbox has logged <paramref name="count"/> sends, so that the next clock move starts from a settled sender.</summary>
    public async Task WaitForDeliveries(int count)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Hang);
        while ((await Deliveries()).Count < count)
        {
            try
            {
                await Task.Delay(50, timeout.Token);
            }
            catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"The sandbox did not log {count} sends within {Hang.TotalMinutes} minutes.");
            }
        }
    }

    public async Task SetSwitches(object switches)
    {
        using var response = await PostSwitches(JsonContent(switches));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>The token of the sandbox's index page (its cookie stays in <see cref="Browser"/>), as its form sends it.</summary>
    public async Task<string> AntiforgeryToken()
    {
        var index = await GetString(new Uri(SandboxUrl, "/sandbox/"));
        var match = System.Text.RegularExpressions.Regex.Match(index, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"");
        Assert.True(match.Success, "the index page's switches form carries an antiforgery token");
        return System.Net.WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    /// <summary>POST /sandbox/switches with the index page's token in the header, as a script on that page would.</summary>
    public async Task<HttpResponseMessage> PostSwitches(HttpContent content)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(SandboxUrl, "/sandbox/switches")) { Content = content };
        request.Headers.Add("RequestVerificationToken", await AntiforgeryToken());
        return await Browser.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public static StringContent JsonContent(object value) =>
        new(JsonSerializer.Serialize(value), System.Text.Encoding.UTF8, "application/json");

    // ------------------------------------------------------------------ the browser

    public Task<string> GetString(Uri uri) => Browser.GetStringAsync(uri, TestContext.Current.CancellationToken);

    public Task<HttpResponseMessage> Get(Uri uri) => Browser.GetAsync(uri, TestContext.Current.CancellationToken);

    public Task<HttpResponseMessage> Post(Uri uri, HttpContent content) => Browser.PostAsync(uri, content, TestContext.Current.CancellationToken);

    /// <summary>Posts a signed request's form to its endpoint (what the auto-submitting page does).</summary>
    public async Task<HttpResponseMessage> SubmitForm(Uri endpoint, IEnumerable<KeyValuePair<string, string>> fields) =>
        await Post(endpoint, new FormUrlEncodedContent(fields));

    public static Uri Location(HttpResponseMessage response, Uri baseUri)
    {
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        return new Uri(baseUri, response.Headers.Location!);
    }

    /// <summary>The hidden inputs of the first form of a page, HTML-decoded, with its action.</summary>
    public static (string Action, List<KeyValuePair<string, string>> Fields) ReadForm(string html)
    {
        var action = WebUtility.HtmlDecode(FormAction().Match(html).Groups[1].Value);
        var fields = HiddenInput().Matches(html)
            .Select(match => new KeyValuePair<string, string>(WebUtility.HtmlDecode(match.Groups[1].Value), WebUtility.HtmlDecode(match.Groups[2].Value)))
            .ToList();
        return (action, fields);
    }

    public static List<KeyValuePair<string, string>> QueryOf(Uri uri) =>
        uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Select(pair =>
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            return new KeyValuePair<string, string>(Uri.UnescapeDataString(pair[..equals]), Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' ')));
        }).ToList();

    [GeneratedRegex("<form[^>]*action=\"([^\"]*)\"")]
    private static partial Regex FormAction();

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\">")]
    private static partial Regex HiddenInput();

    public async ValueTask DisposeAsync()
    {
        Browser.Dispose();
        await sandbox.StopAsync();
        await sandbox.DisposeAsync();
        await merchant.StopAsync();
        await merchant.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still being replaced by a late write: the temp directory is cleaned by the OS.
        }
    }
}
