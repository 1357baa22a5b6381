using System.Net;
using System.Text.RegularExpressions;
using Cloudbill.Core;
using Cloudbill.Core.Customers;
using Cloudbill.Core.Persistence;
using Cloudbill.Server.Hosting;
using Cloudbill.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Cloudbill.Server.Tests;

/// <summary>
/// The real web host in this process on a fresh embedded database, with settings a test chooses
/// (small rate limits, known proxies), and customers made through the same service as sign-up.
/// </summary>
public sealed partial class WebHost : IAsyncDisposable
{
    public const string Password = "Harden-2026x";

    private WebHost(WebApplication app, Uri address, TestDatabase database)
    {
        App = app;
        Address = address;
        Database = database;
    }

    public WebApplication App { get; }
    public Uri Address { get; }
    public TestDatabase Database { get; }

    public static Task<WebHost> Start(IReadOnlyDictionary<string, string?>? settings = null) => Start(DatabaseProvider.Sqlite, settings);

    public static async Task<WebHost> Start(DatabaseProvider provider, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var database = await TestDatabase.Create(provider);
        try
        {
            return await Start(database, settings);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    private static async Task<WebHost> Start(TestDatabase database, IReadOnlyDictionary<string, string?>? settings)
    {
        var port = CloudbillProcess.FreePort();
        var app = ServerHost.Build(["--urls", $"http://127.0.0.1:{port}"], builder =>
        {
            // The top-up form needs a gateway; the sandbox plays them.
            InProcessServer.Configure(builder, database, settings);
        });
        await ServerHost.Prepare(app.Services, app.Logger, TestContext.Current.CancellationToken);
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new WebHost(app, new Uri($"http://127.0.0.1:{port}"), database);
    }

    /// <summary>A new customer with <see cref="Password"/>; returns the account id.</summary>
    public async Task<(long Account, string AccessKeyId, string Secret)> Customer(string email)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<AccountService>().Create(email, Password, Money.Zero, null, TestContext.Current.CancellationToken);
        Assert.True(created.Succeeded, created.Problem?.Message);
        return (created.Value.Account.Id, created.Value.AccessKey.AccessKeyId, created.Value.AccessKey.AccessKeySecret);
    }

    public async Task<T> Query<T>(Func<CloudbillDbContext, Task<T>> query)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<CloudbillDbContext>());
    }

    public Browserless Client(string? forwardedFor = null, string? forwardedProto = null) => new(Address, forwardedFor, forwardedProto);

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>
    /// A client that keeps its own cookies (also Secure ones over plain HTTP, as a TLS proxy's
    /// backend sees them) and sends a page's forms the way the browser does.
    /// </summary>
    public sealed partial class Browserless : IDisposable
    {
        private readonly HttpClient http;
        private readonly string? forwardedFor;
        private readonly string? forwardedProto;

        public Browserless(Uri address, string? forwardedFor, string? forwardedProto)
        {
            http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = address };
            this.forwardedFor = forwardedFor;
            this.forwardedProto = forwardedProto;
        }

        public Dictionary<string, string> Cookies { get; } = new(StringComparer.Ordinal);

        /// <summary>Every Set-Cookie line received, as sent (to check its attributes).</summary>
        public List<string> SetCookies { get; } = [];

        public async Task<HttpResponseMessage> Send(HttpMethod method, string path, IReadOnlyDictionary<string, string>? form = null, string accept = "text/html")
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.TryAddWithoutValidation("Accept", accept);
            if (forwardedFor is not null)
                request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
            if (forwardedProto is not null)
                request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", forwardedProto);
            if (Cookies.Count > 0)
                request.Headers.TryAddWithoutValidation("Cookie", string.Join("; ", Cookies.Select(c => $"{c.Key}={c.Value}")));
            if (form is not null)
                request.Content = new FormUrlEncodedContent(form);
            var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var lines))
            {
                foreach (var line in lines)
                {
                    SetCookies.Add(line);
                    var pair = line.Split(';')[0];
                    var equals = pair.IndexOf('=', StringComparison.Ordinal);
                    var (name, value) = (pair[..equals], pair[(equals + 1)..]);
                    if (value.Length == 0 || line.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase))
                        Cookies.Remove(name);
                    else
                        Cookies[name] = value;
                }
            }
            return response;
        }

        /// <summary>Where a redirect goes, as a path and query.</summary>
        public string Location(HttpResponseMessage response) => new Uri(http.BaseAddress!, response.Headers.Location!).PathAndQuery;

        public Task<HttpResponseMessage> Get(string path, string accept = "text/html") => Send(HttpMethod.Get, path, accept: accept);

        /// <summary>
        /// Opens the page, then sends its Blazor form <paramref name="formName"/> (or, without a
        /// name, a plain form to <paramref name="action"/>) with the page's antiforgery token.
        /// </summary>
        public async Task<HttpResponseMessage> SubmitForm(string path, string? formName, IReadOnlyDictionary<string, string> fields, string accept = "text/html", string? action = null)
        {
            var page = await Get(path);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            var html = await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            var form = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = Token().Match(html).Groups[1].Value };
            if (formName is not null)
                form["_handler"] = formName;
            return await Send(HttpMethod.Post, action ?? path, form, accept);
        }

        public async Task<HttpResponseMessage> SignIn(string email, string password = Password) =>
            await SubmitForm("/signin", "signin", new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = password });

        [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
        private static partial Regex Token();

        public void Dispose() => http.Dispose();
    }
}
