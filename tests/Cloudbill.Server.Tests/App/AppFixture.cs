using Cloudbill.Core.Persistence;
using Cloudbill.Testing;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Cloudbill.Server.Tests.App;

/// <summary>
/// One real server on its own fresh embedded database (seeded with the demo customer), the
/// services on the same database to arrange and check what a customer cannot see, and
/// Debian's Chromium. Shared by the tests of one class, which each work on their own instances.
/// </summary>
public class AppFixture : IAsyncLifetime
{
    public const string DemoEmail = "demo@cloudbill.local";
    public const string DemoPassword = "Demo-2026!";

    private readonly BrowserFixture browser = new();

    /// <summary>The shared Chromium, for a fixture whose pages are not a phone's (the operator console).</summary>
    protected IBrowser Browser => browser.Browser;

    public TestDatabase Database { get; private set; } = null!;
    public RunningServer Server { get; private set; } = null!;
    public TestServices Services { get; private set; } = null!;

    public virtual async ValueTask InitializeAsync()
    {
        Database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        Server = await RunningServer.Start(Database, new Dictionary<string, string>
        {
            ["Cloudbill__Payments__SandboxRetryScale"] = "0.001",
            // The tests compare the database before and after a refused form: no engine run may change it meanwhile.
            ["Cloudbill__Engine__IntervalSeconds"] = "0",
            // Every test of a class signs in and up from 127.0.0.1; WebHardeningTests try the limits.
            ["Cloudbill__RateLimits__SignIn__Requests"] = "100000",
            ["Cloudbill__RateLimits__SignUp__Requests"] = "100000",
            ["Cloudbill__RateLimits__SignUpTotal__Requests"] = "100000",
        }.Concat(ExtraSettings).ToDictionary());
        Services = await TestServices.Start(Database, DateTimeOffset.UtcNow);
        await browser.InitializeAsync();
        // What the start logged (a health probe that ran before the database was ready) is not a page's doing.
        startLogLength = Server.Log.Length;
    }

    private int startLogLength;

    /// <summary>More server settings for a class whose tests need them (a derived fixture).</summary>
    protected virtual IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>();

    /// <summary>A phone page (390 × 844) that records every browser console error and failed page script.</summary>
    public async Task<AppPage> Open(string locale = "en-US")
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Server.Address.ToString(),
            ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            IsMobile = true,
            HasTouch = true,
            Locale = locale,
            UserAgent = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
        });
        context.SetDefaultTimeout(90_000);
        context.SetDefaultNavigationTimeout(90_000);
        return new AppPage(await context.NewPageAsync(), this);
    }

    public async Task<AppPage> SignedIn(string email = DemoEmail, string password = DemoPassword, string locale = "en-US")
    {
        var app = await Open(locale);
        await app.SignIn(email, password);
        return app;
    }

    /// <summary>
    /// What the server logged as a failure, each with the first lines of its message and
    /// exception (the test's report is all CI shows): no page may cause one.
    /// </summary>
    public IReadOnlyList<string> ServerFailures()
    {
        var lines = Server.Log[startLogLength..].Split('\n');
        var failures = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("fail:", StringComparison.Ordinal) && !lines[i].StartsWith("crit:", StringComparison.Ordinal))
                continue;
            var detail = lines.Skip(i + 1).TakeWhile(line => line.StartsWith(' ')).Take(20);
            failures.Add(string.Join("\n", detail.Prepend(lines[i])));
        }
        return failures;
    }

    public async ValueTask DisposeAsync()
    {
        await browser.DisposeAsync();
        if (Services is not null)
            await Services.DisposeServicesOnly();
        if (Server is not null)
            await Server.DisposeAsync();
        if (Database is not null)
            await Database.DisposeAsync();
    }
}

/// <summary>A customer's phone: the page, what went wrong in it, screenshots and accessibility checks.</summary>
public sealed class AppPage(IPage page, AppFixture app)
{
    private readonly List<string> errors = Watch(page);

    public IPage Page => page;

    public IReadOnlyList<string> ConsoleErrors => errors;

    private static List<string> Watch(IPage page)
    {
        var list = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
                lock (list) list.Add($"{message.Text} ({page.Url})");
        };
        page.PageError += (_, error) => { lock (list) list.Add($"{error} ({page.Url})"); };
        return list;
    }

    public async Task SignIn(string email, string password)
    {
        await page.GotoAsync("/signin");
        await page.Locator("#email").FillAsync(email);
        await page.Locator("#password").FillAsync(password);
        await page.GetByTestId("signin-submit").ClickAsync();
        try
        {
            // Committed is enough: the page's own marker (app.js) says when it is shown; a slow
            // stylesheet or icon must not hold the "load" event against the test.
            await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/", new() { WaitUntil = WaitUntilState.Commit });
            await page.WaitForFunctionAsync("() => !!document.documentElement.dataset.view");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"Sign-in did not reach the console; the page at {page.Url} shows:\n{await page.Locator("body").InnerTextAsync()}", e);
        }
    }

    public ILocator Link(string name) => page.GetByRole(AriaRole.Link, new() { Name = name });

    public ILocator Button(string name) => page.GetByRole(AriaRole.Button, new() { Name = name });

    /// <summary>Taps and waits until the next page is shown (a full load or Blazor's enhanced navigation, marked by app.js).</summary>
    public async Task Tap(ILocator target, Func<string, bool> arrivesAt)
    {
        var before = await page.EvaluateAsync<string?>("() => document.documentElement.dataset.view ?? null");
        await target.ClickAsync();
        // Committed is enough, as in SignIn: the marker says when the page is shown, and a slow
        // stylesheet on a loaded machine must not hold the "load" event past the timeout.
        await page.WaitForURLAsync(url => arrivesAt(new Uri(url).PathAndQuery), new() { WaitUntil = WaitUntilState.Commit });
        await page.WaitForFunctionAsync("before => !!document.documentElement.dataset.view && document.documentElement.dataset.view !== before", before);
    }

    public Task<string> Text(string testId) => page.GetByTestId(testId).First.InnerTextAsync();

    /// <summary>A full-page phone screenshot under artifacts/screenshots (listed in the README).</summary>
    public async Task Screenshot(string name)
    {
        var folder = Path.Combine(RepositoryPaths.Root, "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }

    /// <summary>axe-core on the page as it is: no serious or critical violation.</summary>
    public async Task AssertAccessible()
    {
        var result = await page.RunAxe();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => string.Join(" ", n.Target)))}")
            .ToList();
        Assert.True(serious.Count == 0, $"{page.Url}:\n" + string.Join("\n", serious));
    }

    /// <summary>
    /// No console error in the browser, no failure in the server's log. A test that sends bad
    /// input on purpose expects the pages' 4xx answers, which Chromium reports on the console as
    /// "Failed to load resource"; those, and only those, it may allow.
    /// </summary>
    public void AssertClean(bool refusalsExpected = false)
    {
        lock (errors)
        {
            var unexpected = errors.Where(e => !(refusalsExpected && System.Text.RegularExpressions.Regex.IsMatch(e, "^Failed to load resource: the server responded with a status of 4[0-9][0-9] "))).ToList();
            Assert.True(unexpected.Count == 0, "Browser console errors:\n" + string.Join("\n", unexpected));
        }
        var failures = app.ServerFailures();
        Assert.True(failures.Count == 0, "Server failures:\n" + string.Join("\n", failures));
    }

    /// <summary>The Available Credit on My, as the customer reads it.</summary>
    public async Task<string> AvailableCredit()
    {
        await page.GotoAsync("/my");
        return await Text("available-credit");
    }
}
