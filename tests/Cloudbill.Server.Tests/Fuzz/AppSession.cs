using System.Net;
using System.Text.RegularExpressions;
using Cloudbill.Server.Tests.App;

namespace Cloudbill.Server.Tests.Fuzz;

/// <summary>A browser's session: cookies, no automatic redirects, and the antiforgery token of its current identity.</summary>
public sealed class AppSession(Uri server, bool signedIn) : IDisposable
{
    private HttpClient http = null!;
    public string Token { get; private set; } = "";

    public HttpClient Http => http;

    public async Task Start()
    {
        http?.Dispose();
        http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = server,
            Timeout = TimeSpan.FromSeconds(60),
        };
        Token = await TokenOf("/signin");
        if (!signedIn)
            return;
        using var signIn = await http.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "signin",
            ["__RequestVerificationToken"] = Token,
            ["Input.Email"] = AppFixture.DemoEmail,
            ["Input.Password"] = AppFixture.DemoPassword,
        }));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Token = await TokenOf("/settings");
    }

    private async Task<string> TokenOf(string path)
    {
        var html = await http.GetStringAsync(path);
        var input = Regex.Match(html, "<input[^>]*name=\"__RequestVerificationToken\"[^>]*>").Value;
        var token = Regex.Match(input, "value=\"([^\"]+)\"").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(token), $"No antiforgery token on {path}");
        return WebUtility.HtmlDecode(token);
    }

    public void Dispose() => http?.Dispose();
}

