using System.Net;
using System.Text.Json;
using Cloudbill.Core.Accounts;
using Cloudbill.Core.Persistence;
using Cloudbill.Server.Hosting;
using Cloudbill.Server.Tests.OpenApi;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cloudbill.Server.Tests;

/// <summary>
/// The web app's hardening (docs/decisions/0025): security headers on every answer, the real
/// client behind a known proxy only, sign-out that ends a copied cookie, a password form that
/// reveals nothing and locks after five wrong passwords, and rate limits that refuse with 429.
/// </summary>
public sealed class WebHardeningTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void AssertSecurityHeaders(HttpResponseMessage response, bool https = false)
    {
        var what = $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri!.PathAndQuery} ({(int)response.StatusCode})";
        Assert.True(response.Headers.TryGetValues("Content-Security-Policy", out var csp), what);
        var policy = Assert.Single(csp);
        Assert.Contains("default-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("object-src 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("'unsafe-inline'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("'unsafe-eval'", policy, StringComparison.Ordinal);
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("same-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        if (https)
            Assert.Equal("max-age=31536000", Assert.Single(response.Headers.GetValues("Strict-Transport-Security")));
        else
            Assert.False(response.Headers.Contains("Strict-Transport-Security"), what);
    }

    [Fact]
    public async Task Pages_problems_static_files_and_the_API_answer_with_the_security_headers()
    {
        await using var host = await WebHost.Start();
        using var client = host.Client();

        var page = await client.Get("/signin");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        AssertSecurityHeaders(page);
        var missing = await client.Get("/no-such-page");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        AssertSecurityHeaders(missing);
        var redirect = await client.Get("/");
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        AssertSecurityHeaders(redirect);
        var script = await client.Get("/app.js", "*/*");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        AssertSecurityHeaders(script);
        var blazor = await client.Get("/_framework/blazor.web.js", "*/*");
        Assert.Equal(HttpStatusCode.OK, blazor.StatusCode);
        AssertSecurityHeaders(blazor);

        // A problem+json answer (a payment that is not the caller's) and the API's own error JSON.
        await host.Customer("headers@example.com");
        await client.SignIn("headers@example.com");
        var problem = await client.Get("/payments/no-such-trade/checkout", "application/json");
        Assert.Equal("application/problem+json", problem.Content.Headers.ContentType?.MediaType);
        AssertSecurityHeaders(problem);
        var api = await client.Send(HttpMethod.Post, "/", new Dictionary<string, string>(), "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, api.StatusCode);
        Assert.Equal("MissingParameter", JsonDocument.Parse(await api.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("Code").GetString());
        AssertSecurityHeaders(api);
    }

    [Fact]
    public async Task Behind_a_known_proxy_HTTPS_gets_HSTS_and_Secure_cookies_and_an_unknown_proxy_is_not_believed()
    {
        await using var host = await WebHost.Start();
        var (_, _, _) = await host.Customer("proxied@example.com");

        // The default: a proxy on this machine (loopback) is believed.
        using var viaProxy = host.Client(forwardedFor: "203.0.113.7", forwardedProto: "https");
        var page = await viaProxy.Get("/signin");
        AssertSecurityHeaders(page, https: true);
        var signedIn = await viaProxy.SignIn("proxied@example.com");
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/", viaProxy.Location(signedIn));
        AssertSecurityHeaders(signedIn, https: true);
        var antiforgery = viaProxy.SetCookies.First(c => c.StartsWith(".AspNetCore.Antiforgery.", StringComparison.Ordinal));
        Assert.Contains("secure", antiforgery, StringComparison.OrdinalIgnoreCase);
        var auth = viaProxy.SetCookies.Last(c => c.StartsWith("cloudbill.auth=", StringComparison.Ordinal));
        Assert.Contains("; secure", auth, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("; httponly", auth, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("; samesite=lax", auth, StringComparison.OrdinalIgnoreCase);
        // The language cookie too.
        var switched = await viaProxy.SubmitForm("/settings", null, new Dictionary<string, string> { ["culture"] = "zh-CN", ["returnUrl"] = "/settings" }, action: "/culture");
        Assert.Equal("/settings", viaProxy.Location(switched));
        var culture = viaProxy.SetCookies.Last(c => c.StartsWith(".Cloudbill.Culture=", StringComparison.Ordinal));
        Assert.Contains("; secure", culture, StringComparison.OrdinalIgnoreCase);

        // Plain HTTP from the proxy: no HSTS, no Secure.
        using var plain = host.Client();
        await plain.Get("/signin");
        Assert.DoesNotContain("secure", Assert.Single(plain.SetCookies), StringComparison.OrdinalIgnoreCase);

        // A server told that its proxy is elsewhere does not believe this one's headers.
        await using var elsewhere = await WebHost.Start(new Dictionary<string, string?> { ["Cloudbill:Web:KnownProxies:0"] = "10.9.8.7" });
        using var spoofing = elsewhere.Client(forwardedFor: "203.0.113.7", forwardedProto: "https");
        var spoofed = await spoofing.Get("/signin");
        AssertSecurityHeaders(spoofed, https: false);
        Assert.DoesNotContain("secure", Assert.Single(spoofing.SetCookies), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Sign_out_needs_its_antiforgery_token_and_ends_a_cookie_copied_before_it()
    {
        await using var host = await WebHost.Start();
        await host.Customer("signout@example.com");
        using var phone = host.Client();
        Assert.Equal(HttpStatusCode.Redirect, (await phone.SignIn("signout@example.com")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await phone.Get("/my")).StatusCode);
        var copied = phone.Cookies["cloudbill.auth"];

        // A forged sign-out (no token, as another site's form would send it) signs nobody out.
        var forged = await phone.Send(HttpMethod.Post, "/signout", new Dictionary<string, string>());
        Assert.Equal("/my", phone.Location(forged));
        Assert.Equal(HttpStatusCode.OK, (await phone.Get("/my")).StatusCode);

        // The My tab's button sends the token: signed out.
        var signedOut = await phone.SubmitForm("/my", null, new Dictionary<string, string>(), action: "/signout");
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Equal("/signin", phone.Location(signedOut));

        // The cookie copied before the sign-out no longer opens anything.
        using var thief = host.Client();
        thief.Cookies["cloudbill.auth"] = copied;
        var replayed = await thief.Get("/my");
        Assert.Equal(HttpStatusCode.Redirect, replayed.StatusCode);
        Assert.Equal("/signin?ReturnUrl=%2Fmy", thief.Location(replayed));
    }

    [Fact]
    public async Task A_wrong_current_password_reveals_nothing_and_five_lock_the_account_for_sign_in_too()
    {
        await using var host = await WebHost.Start();
        await host.Customer("oracle@example.com");
        using var phone = host.Client();
        Assert.Equal(HttpStatusCode.Redirect, (await phone.SignIn("oracle@example.com")).StatusCode);

        async Task<(HttpStatusCode Status, string Html)> Change(string current, string next)
        {
            var answer = await phone.SubmitForm("/settings", "password", new Dictionary<string, string>
            {
                ["Input.Current"] = current,
                ["Input.New"] = next,
                ["Input.Confirm"] = next,
            });
            return (answer.StatusCode, WebUtility.HtmlDecode(await answer.Content.ReadAsStringAsync(Ct)));
        }

        // The old oracle: a wrong current password with the right one as the "new" said "changed".
        var guess = await Change("Wrong-2026x", WebHost.Password);
        Assert.Equal(HttpStatusCode.BadRequest, guess.Status);
        Assert.Contains("The current password is incorrect.", guess.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("password=changed", guess.Html, StringComparison.Ordinal);
        for (var i = 2; i <= 4; i++)
            Assert.Contains("The current password is incorrect.", (await Change($"Wrong-{i}-2026x", "Another-2027x")).Html, StringComparison.Ordinal);
        var fifth = await Change("Wrong-5-2026x", "Another-2027x");
        Assert.Equal(HttpStatusCode.BadRequest, fifth.Status);
        Assert.Contains("This account is locked after too many wrong passwords. Try again in a few minutes.", fifth.Html, StringComparison.Ordinal);

        // Locked: even the right current password changes nothing, and sign-in is refused.
        var right = await Change(WebHost.Password, "Another-2027x");
        Assert.Equal(HttpStatusCode.BadRequest, right.Status);
        Assert.Contains("This account is locked after too many wrong passwords.", right.Html, StringComparison.Ordinal);
        using var other = host.Client();
        var signIn = await other.SignIn("oracle@example.com");
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        Assert.Contains("This account is locked after too many failed sign-ins.", WebUtility.HtmlDecode(await signIn.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        await using var scope = host.App.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<CloudbillUser>>();
        var user = (await users.FindByEmailAsync("oracle@example.com"))!;
        Assert.True(await users.CheckPasswordAsync(user, WebHost.Password));
        Assert.True(await users.IsLockedOutAsync(user));
    }

    [Fact]
    public async Task The_right_current_password_resets_the_count_and_changes_it()
    {
        await using var host = await WebHost.Start();
        await host.Customer("reset@example.com");
        using var phone = host.Client();
        await phone.SignIn("reset@example.com");
        Task<HttpResponseMessage> Change(string current, string next) => phone.SubmitForm("/settings", "password", new Dictionary<string, string>
        {
            ["Input.Current"] = current,
            ["Input.New"] = next,
            ["Input.Confirm"] = next,
        });

        for (var i = 0; i < 4; i++)
            Assert.Equal(HttpStatusCode.BadRequest, (await Change("Wrong-2026x", "Another-2027x")).StatusCode);
        var changed = await Change(WebHost.Password, "Another-2027x");
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        Assert.Equal("/settings?password=changed", phone.Location(changed));
        Assert.Equal(0, await host.Query(db => db.Users.Where(u => u.Email == "reset@example.com").Select(u => u.AccessFailedCount).SingleAsync()));
        // Still signed in on this phone with the renewed cookie.
        Assert.Equal(HttpStatusCode.OK, (await phone.Get("/settings")).StatusCode);
    }

    [Fact]
    public async Task Sign_in_is_limited_per_client_address_with_a_readable_429()
    {
        await using var host = await WebHost.Start(new Dictionary<string, string?>
        {
            ["Cloudbill:RateLimits:SignIn:Requests"] = "2",
            ["Cloudbill:RateLimits:SignIn:WindowSeconds"] = "3600",
        });
        await host.Customer("limited@example.com");
        using var attacker = host.Client(forwardedFor: "198.51.100.1");
        Assert.Equal(HttpStatusCode.OK, (await attacker.SignIn("limited@example.com", "Guess-1x")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await attacker.SignIn("limited@example.com", "Guess-2x")).StatusCode);
        var refused = await attacker.SignIn("limited@example.com");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.Contains("Retry-After"));
        Assert.Contains("Too many attempts from this address or account. Wait a few minutes, then try again.", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.DoesNotContain(attacker.SetCookies, c => c.StartsWith("cloudbill.auth=", StringComparison.Ordinal));
        AssertSecurityHeaders(refused);

        // Not HTML: a problem.
        var json = await attacker.Send(HttpMethod.Post, "/signin", new Dictionary<string, string> { ["_handler"] = "signin" }, "application/json");
        Assert.Equal(HttpStatusCode.TooManyRequests, json.StatusCode);
        Assert.Equal("application/problem+json", json.Content.Headers.ContentType!.MediaType);
        Assert.Equal(ProblemResults.TooManyRequestsCode, JsonDocument.Parse(await json.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("code").GetString());
        // The page itself still opens, and another client (another address behind the proxy) signs in.
        Assert.Equal(HttpStatusCode.OK, (await attacker.Get("/signin")).StatusCode);
        using var customer = host.Client(forwardedFor: "198.51.100.2");
        Assert.Equal(HttpStatusCode.Redirect, (await customer.SignIn("limited@example.com")).StatusCode);
    }

    [Fact]
    public async Task Sign_up_is_limited_per_address_and_in_total_and_a_refused_one_creates_nothing()
    {
        await using var host = await WebHost.Start(new Dictionary<string, string?>
        {
            ["Cloudbill:RateLimits:SignUp:Requests"] = "2",
            ["Cloudbill:RateLimits:SignUpTotal:Requests"] = "3",
        });
        async Task<HttpResponseMessage> SignUp(string address, string email)
        {
            using var client = host.Client(forwardedFor: address);
            return await client.SubmitForm("/signup", "signup", new Dictionary<string, string>
            {
                ["Input.Email"] = email,
                ["Input.Password"] = WebHost.Password,
                ["Input.Confirm"] = WebHost.Password,
            });
        }

        Assert.Equal(HttpStatusCode.Redirect, (await SignUp("192.0.2.1", "a1@example.com")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await SignUp("192.0.2.1", "a2@example.com")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SignUp("192.0.2.1", "a3@example.com")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await SignUp("192.0.2.2", "b1@example.com")).StatusCode);
        // The hour's total is used up: a fresh address is refused too.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SignUp("192.0.2.3", "c1@example.com")).StatusCode);

        Assert.Equal(["a1@example.com", "a2@example.com", "b1@example.com"],
            await host.Query(db => db.BillingAccounts.OrderBy(a => a.Email).Select(a => a.Email).ToListAsync()));
        Assert.Equal(3, await host.Query(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task Top_ups_and_AccessKey_creation_are_limited_per_account()
    {
        await using var host = await WebHost.Start(new Dictionary<string, string?>
        {
            ["Cloudbill:RateLimits:TopUp:Requests"] = "1",
            ["Cloudbill:RateLimits:AccessKeyCreation:Requests"] = "1",
        });
        var (account, _, _) = await host.Customer("topup@example.com");
        using var phone = host.Client();
        await phone.SignIn("topup@example.com");

        async Task<HttpResponseMessage> TopUp()
        {
            var page = await phone.Get("/topup");
            var token = System.Text.RegularExpressions.Regex.Match(await page.Content.ReadAsStringAsync(Ct), "name=\"Input.ClientToken\" value=\"([^\"]+)\"").Groups[1].Value;
            return await phone.SubmitForm("/topup", "topup", new Dictionary<string, string>
            {
                ["Input.Amount"] = "100.00",
                ["Input.Method"] = "Alipay",
                ["Input.ClientToken"] = token,
            });
        }
        var first = await TopUp();
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.EndsWith("/checkout", phone.Location(first), StringComparison.Ordinal);
        var second = await TopUp();
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal(1, await host.Query(db => db.GatewayPayments.CountAsync(p => p.AccountId == account)));

        async Task<HttpResponseMessage> CreateKey()
        {
            var page = await phone.Get("/accesskeys");
            var token = System.Text.RegularExpressions.Regex.Match(await page.Content.ReadAsStringAsync(Ct), "name=\"Create.ClientToken\" value=\"([^\"]+)\"").Groups[1].Value;
            return await phone.SubmitForm("/accesskeys", "accesskey-create", new Dictionary<string, string> { ["Create.ClientToken"] = token });
        }
        Assert.Equal(HttpStatusCode.OK, (await CreateKey()).StatusCode);
        Assert.Equal(2, await host.Query(db => db.AccessKeys.CountAsync(k => k.BillingAccountId == account)));
        // The hour's creations are used up: refused before the page (which would answer 409 at two pairs).
        Assert.Equal(HttpStatusCode.TooManyRequests, (await CreateKey()).StatusCode);
        Assert.Equal(2, await host.Query(db => db.AccessKeys.CountAsync(k => k.BillingAccountId == account)));
        // The page's other form (disable) is not creation and is not counted.
        var state = await phone.SubmitForm("/accesskeys", "accesskey-state", new Dictionary<string, string> { ["Input.Command"] = "disable:NOSUCHKEY" });
        Assert.Equal(HttpStatusCode.BadRequest, state.StatusCode);
    }

    [Fact]
    public async Task An_API_key_or_address_that_keeps_failing_signatures_gets_429_Throttling_before_any_lookup()
    {
        await using var host = await WebHost.Start(new Dictionary<string, string?>
        {
            ["Cloudbill:RateLimits:ApiSignatureFailures:Requests"] = "3",
        });
        var (_, keyId, secret) = await host.Customer("api@example.com");
        using var wrong = new BssTestClient(host.Address, keyId, "not-the-secret");
        for (var i = 0; i < 3; i++)
        {
            var refused = await wrong.Call("QueryAccountBalance");
            Assert.Equal(400, refused.Status);
            Assert.Equal("SignatureDoesNotMatch", refused.Body.GetProperty("Code").GetString());
        }
        var throttled = await wrong.Call("QueryAccountBalance");
        Assert.Equal(429, throttled.Status);
        Assert.Equal("Throttling.SignatureFailures", throttled.Body.GetProperty("Code").GetString());
        Assert.Equal(["Code", "HostId", "Message", "Recommend", "RequestId"], throttled.Body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

        // The same address with a key id nobody has: refused without looking it up (no NotFound).
        using var unknown = new BssTestClient(host.Address, "LTAI5tNoSuchKey000000001", "whatever");
        Assert.Equal("Throttling.SignatureFailures", (await unknown.Call("QueryAccountBalance")).Body.GetProperty("Code").GetString());

        // The owner, signing with the right secret, is not locked out by someone else's failures.
        using var owner = new BssTestClient(host.Address, keyId, secret);
        var answered = await owner.Call("QueryAccountBalance");
        Assert.Equal(200, answered.Status);
        Assert.Equal("0.00", answered.Body.GetProperty("Data").GetProperty("AvailableCashAmount").GetString());
    }

    [Theory]
    [InlineData("Cloudbill:RateLimits:SignIn:Requests", "0", "Cloudbill:RateLimits:SignIn:Requests must be 1 to 1000000; it is 0.")]
    [InlineData("Cloudbill:RateLimits:SignUpTotal:WindowSeconds", "0", "Cloudbill:RateLimits:SignUpTotal:WindowSeconds must be 1 to 86400; it is 0.")]
    [InlineData("Cloudbill:Web:KnownProxies:0", "proxy.example.com", "Cloudbill:Web:KnownProxies:0 must be an IP address such as 10.0.0.5; it is 'proxy.example.com'.")]
    [InlineData("Cloudbill:Web:KnownNetworks:0", "10.0.0.0/40", "Cloudbill:Web:KnownNetworks:0 must be a network such as 10.0.0.0/8; it is '10.0.0.0/40'.")]
    [InlineData("Cloudbill:Web:LockoutAttempts", "0", "Cloudbill:Web:LockoutAttempts must be 1 to 100; it is 0.")]
    public async Task A_bad_hardening_setting_stops_the_start_with_a_line_naming_it(string key, string value, string message)
    {
        var failure = await Assert.ThrowsAsync<ConfigurationProblemException>(async () => await WebHost.Start(new Dictionary<string, string?> { [key] = value }));
        Assert.Equal(message, failure.Message);
    }
}
