using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cloudbill.Server.Tests.OpenApi;

namespace Cloudbill.Server.Tests.Crash;

/// <summary>An HTTP answer, read whole: the client decides from the status, the body and where it is sent next.</summary>
internal sealed record Answer(int Status, string Body, string? Location);

/// <summary>What the clients saw, to be compared with the database after the storm.</summary>
internal sealed class StormJournal
{
    /// <summary>Orders a client saw paid (Renew Now paid from the balance in the app, RenewInstance over the API), by client token.</summary>
    public ConcurrentDictionary<string, long> PaidOrders { get; } = new();

    /// <summary>Trade numbers the gateway's cashier confirmed as paid (top-ups and orders paid by Alipay or UnionPay).</summary>
    public ConcurrentDictionary<string, string> PaidTrades { get; } = new();

    /// <summary>Every client token sent, so none can have placed two orders.</summary>
    public ConcurrentBag<string> Tokens { get; } = [];

    /// <summary>Answers that are not a success, by what was asked and the status: refusals are expected, a 5xx is a bug.</summary>
    public ConcurrentBag<string> Refusals { get; } = [];

    public ConcurrentBag<string> ServerErrors { get; } = [];

    /// <summary>Requests cut off by a kill and sent again.</summary>
    public int Retries;

    /// <summary>503 answers (the database failing over, docs/decisions/0034), each sent again unchanged.</summary>
    public int Unavailable;

    /// <summary>When each write a client saw confirmed was answered (a paid renewal, a payment at the cashier): the failover test's time without writes.</summary>
    public ConcurrentBag<DateTimeOffset> ConfirmedWrites { get; } = [];

    /// <summary>Answers received: the kills are placed after a random number of them.</summary>
    public int Answers;

    /// <summary>Signals completed when <see cref="Answers"/> reaches their count.</summary>
    private readonly List<(int Count, TaskCompletionSource Signal)> awaited = [];

    public Task AnswersReach(int count)
    {
        lock (awaited)
        {
            if (Answers >= count)
                return Task.CompletedTask;
            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            awaited.Add((count, signal));
            return signal.Task;
        }
    }

    public void Answered()
    {
        lock (awaited)
        {
            Answers++;
            foreach (var reached in awaited.Where(a => a.Count <= Answers).ToList())
            {
                awaited.Remove(reached);
                reached.Signal.TrySetResult();
            }
        }
    }
}

/// <summary>
/// One phone (or script): sends a request until the server answers it, waiting for the restarted
/// server when the connection is cut, and never changes what it sends on a retry (the same form,
/// the same ClientToken). Forms are posted as the app's pages render them: their hidden fields
/// (the Blazor handler, the antiforgery token, the page's ClientToken) with what the user chose.
/// </summary>
internal sealed class StormClient : IDisposable
{
    private readonly CrashServer server;
    private readonly StormJournal journal;
    private readonly HttpClient http;

    public StormClient(CrashServer server, StormJournal journal)
    {
        this.server = server;
        this.journal = journal;
        http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            CookieContainer = new CookieContainer(),
            UseCookies = true,
            PooledConnectionLifetime = TimeSpan.FromSeconds(30),
        })
        {
            BaseAddress = server.Address,
            Timeout = TimeSpan.FromSeconds(20),
        };
    }

    public async Task<Answer> Send(Func<HttpRequestMessage> request)
    {
        var failures = new Failures(server);
        while (true)
        {
            await server.WhenUp;
            using var message = request();
            var asked = $"{message.Method} {message.RequestUri}";
            try
            {
                using var response = await http.SendAsync(message);
                var body = await response.Content.ReadAsStringAsync();
                journal.Answered();
                var answer = new Answer((int)response.StatusCode, body, response.Headers.Location?.OriginalString);
                if (Unavailable.Again(answer.Status, body, journal))
                {
                    await Task.Delay(Unavailable.Pause);
                    continue;
                }
                if (answer.Status >= 500)
                    journal.ServerErrors.Add($"{asked} answered {answer.Status}: {Shorten(body)}");
                return answer;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                // Cut off by a kill (or refused while the server is down): the same request again once it is back.
                Interlocked.Increment(ref journal.Retries);
                failures.Add(asked, e);
            }
        }
    }

    public Task<Answer> Get(string path) => Send(() => new HttpRequestMessage(HttpMethod.Get, path));

    public Task<Answer> Post(string path, IReadOnlyDictionary<string, string> form) =>
        Send(() => new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) });

    /// <summary>Signs in as the app's sign-in page does.</summary>
    public async Task SignIn(string email, string password)
    {
        var page = await Get("/signin");
        var form = HiddenFields(page.Body, "novalidate");
        form["Input.Email"] = email;
        form["Input.Password"] = password;
        var signedIn = await Post("/signin", form);
        if (signedIn.Status != 302)
            throw new InvalidOperationException($"Sign-in answered {signedIn.Status}: {Shorten(signedIn.Body)}");
    }

    /// <summary>
    /// Renew Now in the app (RenewNow.razor): one post with the page's ClientToken and the payment
    /// method; the balance pays at once (the call RenewInstance makes, docs/decisions/0028), a
    /// gateway's order is placed and paid at its cashier.
    /// </summary>
    public async Task RenewInApp(string instanceId, int months, string method)
    {
        var renew = $"/renew?ids={instanceId}&months={months}";
        var page = await Get(renew);
        if (page.Status != 200)
        {
            journal.Refusals.Add($"renew page {instanceId}: {page.Status}");
            return;
        }
        var form = HiddenFields(page.Body, "id=\"renew-form\"");
        form["Input.Method"] = method;
        journal.Tokens.Add(form["Input.ClientToken"]);
        var posted = await Post(renew, form);
        if (posted.Status == 302 && posted.Location is { } result && Regex.Match(result, @"/orders/(\d+)/result$") is { Success: true } paid)
        {
            journal.PaidOrders[form["Input.ClientToken"]] = long.Parse(paid.Groups[1].Value, CultureInfo.InvariantCulture);
            return;
        }
        if (posted.Status == 302 && posted.Location is { } checkout && checkout.EndsWith("/checkout", StringComparison.Ordinal))
        {
            await PayAtGateway(checkout);
            return;
        }
        journal.Refusals.Add($"renew {instanceId} {months} by {method}: {posted.Status} {Error(posted.Body)}");
    }

    /// <summary>Top-up in the app (TopUp.razor), paid at the sandbox's cashier.</summary>
    public async Task TopUp(string amount, string method)
    {
        var page = await Get("/topup");
        var form = HiddenFields(page.Body, "id=\"topup-form\"");
        form["Input.CustomAmount"] = amount;
        form["Input.Method"] = method;
        var started = await Post("/topup", form);
        if (started.Status != 302 || started.Location is not { } checkout || !checkout.EndsWith("/checkout", StringComparison.Ordinal))
        {
            journal.Refusals.Add($"top-up {amount} by {method}: {started.Status} {Error(started.Body)}");
            return;
        }
        await PayAtGateway(checkout);
    }

    /// <summary>
    /// The checkout page's auto-submitted form to the gateway, then the cashier: Alipay balance, or
    /// UnionPay's test card. "Already paid" on a retry means the first attempt went through.
    /// </summary>
    private async Task PayAtGateway(string checkout)
    {
        var outTradeNo = Regex.Match(checkout, "/payments/([^/]+)/checkout$").Groups[1].Value;
        var page = await Get(checkout);
        if (page.Status != 200)
        {
            journal.Refusals.Add($"checkout {outTradeNo}: {page.Status} {Error(page.Body)}");
            return;
        }
        var action = WebUtility.HtmlDecode(Regex.Match(page.Body, "action=\"([^\"]+)\"").Groups[1].Value);
        var fields = HiddenFields(page.Body, "id=\"gateway\"");
        var gateway = await Post(new Uri(action).PathAndQuery, fields);
        if (gateway.Status != 303 || gateway.Location is not { } cashier)
        {
            if (AlreadyPaid(gateway.Body))
                journal.PaidTrades[outTradeNo] = "already paid at the gateway";
            else
                journal.Refusals.Add($"gateway request {outTradeNo}: {gateway.Status} {Shorten(gateway.Body)}");
            return;
        }
        var choice = cashier.Contains("/alipay/", StringComparison.Ordinal)
            ? new Dictionary<string, string> { ["channel"] = "balance", ["action"] = "pay" }
            : new Dictionary<string, string> { ["cardNumber"] = "6216261000000000018", ["cardType"] = "debit", ["smsCode"] = "111111", ["action"] = "pay" };
        var paid = await Post(new Uri(server.Address, cashier).PathAndQuery, choice);
        if (paid.Status is 303 or 200)
        {
            journal.PaidTrades[outTradeNo] = "paid at the cashier";
            journal.ConfirmedWrites.Add(DateTimeOffset.UtcNow);
        }
        else if (paid.Status == 409 && AlreadyPaid(paid.Body))
            journal.PaidTrades[outTradeNo] = "already paid at the cashier";
        else
            journal.Refusals.Add($"cashier {outTradeNo}: {paid.Status} {Shorten(paid.Body)}");
    }

    private static bool AlreadyPaid(string body) =>
        body.Contains("TRADE_HAS_SUCCESS", StringComparison.Ordinal) || body.Contains("already paid", StringComparison.Ordinal)
        || body.Contains("already been paid", StringComparison.Ordinal) || body.Contains("重复交易", StringComparison.Ordinal);

    /// <summary>The hidden inputs of the first form whose start tag contains <paramref name="marker"/>.</summary>
    public static Dictionary<string, string> HiddenFields(string html, string marker)
    {
        var start = Regex.Matches(html, "<form[^>]*>").FirstOrDefault(m => m.Value.Contains(marker, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"No form with {marker} in the page:\n{Shorten(html)}");
        var end = html.IndexOf("</form>", start.Index, StringComparison.Ordinal);
        var fields = new Dictionary<string, string>();
        foreach (Match input in Regex.Matches(html[start.Index..end], "<input[^>]*>"))
        {
            if (!input.Value.Contains("type=\"hidden\"", StringComparison.Ordinal))
                continue;
            var name = Regex.Match(input.Value, "name=\"([^\"]*)\"").Groups[1].Value;
            var value = Regex.Match(input.Value, "value=\"([^\"]*)\"").Groups[1].Value;
            fields[WebUtility.HtmlDecode(name)] = WebUtility.HtmlDecode(value);
        }
        return fields;
    }

    /// <summary>The page's alert, or the problem's detail: what the refusal said.</summary>
    private static string Error(string body)
    {
        var alert = Regex.Match(body, "role=\"alert\"[^>]*>(.*?)</", RegexOptions.Singleline);
        return alert.Success ? WebUtility.HtmlDecode(Regex.Replace(alert.Groups[1].Value, "<[^>]+>", "")).Trim() : Shorten(body);
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    public void Dispose() => http.Dispose();
}

/// <summary>RenewInstance over the BSS API, signed as the SDK signs, retried with the same ClientToken until answered.</summary>
internal sealed class ApiClient(CrashServer server, StormJournal journal, string accessKeyId = BssTestClient.DemoAccessKeyId, string secret = BssTestClient.DemoSecret) : IDisposable
{
    private readonly BssTestClient bss = new(server.Address, accessKeyId, secret);

    public async Task<(int Status, JsonElement Body)> Call(string action, Dictionary<string, string> query)
    {
        var failures = new Failures(server);
        while (true)
        {
            await server.WhenUp;
            try
            {
                // A new signature (nonce, time) on every attempt; the parameters and the ClientToken stay.
                var (status, body, _) = await bss.Send(bss.SignedV3(action, query));
                journal.Answered();
                if (Unavailable.Again(status, body.ValueKind == JsonValueKind.Object && body.TryGetProperty("Code", out var code) ? code.GetString() ?? "" : "", journal))
                {
                    await Task.Delay(Unavailable.Pause);
                    continue;
                }
                if (status >= 500)
                    journal.ServerErrors.Add($"{action} {string.Join('&', query.Select(q => $"{q.Key}={q.Value}"))} answered {status}: {body}");
                return (status, body);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or JsonException)
            {
                Interlocked.Increment(ref journal.Retries);
                failures.Add(action, e);
            }
        }
    }

    public async Task RenewInstance(string instanceId, string productCode, int months, string token)
    {
        journal.Tokens.Add(token);
        var (status, body) = await Call("RenewInstance", new()
        {
            ["InstanceId"] = instanceId,
            ["ProductCode"] = productCode,
            ["RenewPeriod"] = months.ToString(CultureInfo.InvariantCulture),
            ["ClientToken"] = token,
        });
        if (status == 200)
        {
            journal.PaidOrders[token] = long.Parse(body.GetProperty("Data").GetProperty("OrderId").GetString()!, CultureInfo.InvariantCulture);
            journal.ConfirmedWrites.Add(DateTimeOffset.UtcNow);
        }
        else
            journal.Refusals.Add($"RenewInstance {instanceId} {months}: {status} {body.GetProperty("Code").GetString()}");
    }

    public void Dispose() => bss.Dispose();
}

/// <summary>
/// A 503 for the database failing over (the API's ServiceUnavailable, the app's Database.Unavailable
/// problem): the client sends the same request again, as the contract says (docs/decisions/0034).
/// </summary>
internal static class Unavailable
{
    public static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(500);

    public static bool Again(int status, string body, StormJournal journal)
    {
        if (status != 503 || !(body.Contains("ServiceUnavailable", StringComparison.Ordinal) || body.Contains("Database.Unavailable", StringComparison.Ordinal)))
            return false;
        Interlocked.Increment(ref journal.Unavailable);
        return true;
    }
}

/// <summary>
/// A request that keeps failing while the same server runs is not a kill: the server is stuck or
/// answers what no client can read. After a few such failures the client stops with the reason,
/// rather than retrying for ever.
/// </summary>
internal sealed class Failures(CrashServer server)
{
    private const int MaxPerStart = 5;
    private int generation = server.Generation;
    private int count;

    public void Add(string asked, Exception e)
    {
        if (server.Generation != generation)
            (generation, count) = (server.Generation, 0);
        if (++count >= MaxPerStart && server.WhenUp.IsCompleted)
            throw new InvalidOperationException($"{asked} failed {count} times while start {generation} of the server was up: {e.GetType().Name}: {e.Message}", e);
    }
}
