using Microsoft.Playwright;

namespace Cloudbill.Server.Tests;

/// <summary>Debian's Chromium (never a downloaded browser), headless, one per test class.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Assert.True(File.Exists(ChromiumPath), $"{ChromiumPath} is missing: ./test.sh installs Debian's chromium package.");
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>A phone-sized page, as the customers use the app.</summary>
    public async Task<IPage> NewPhonePage(Uri baseAddress)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            IsMobile = true,
            HasTouch = true,
            Locale = "en-US",
            // A phone's browser: Cloudbill sends it to the gateways' mobile cashiers (Alipay wap pay, UnionPay channelType 08).
            UserAgent = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
        });
        // Generous limits: a loaded 2-core CI machine renders a first Blazor page slowly; a broken page still fails.
        context.SetDefaultTimeout(90_000);
        context.SetDefaultNavigationTimeout(90_000);
        return await context.NewPageAsync();
    }

    /// <summary>A phone page signed in as the demo customer, on the console home page.</summary>
    public Task<IPage> SignedInAsDemo(Uri baseAddress) => SignedIn(baseAddress, "demo@cloudbill.local", "Demo-2026!");

    /// <summary>A phone page signed in as a customer, on the console home page.</summary>
    public async Task<IPage> SignedIn(Uri baseAddress, string email, string password)
    {
        var page = await NewPhonePage(baseAddress);
        await page.GotoAsync("/signin");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        // Committed is enough, then the page's own marker (app.js) says it is shown: on a loaded
        // machine a slow stylesheet or icon must not hold the "load" event against the test.
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/", new() { WaitUntil = WaitUntilState.Commit });
        await page.WaitForFunctionAsync("() => !!document.documentElement.dataset.view");
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
            await Browser.DisposeAsync();
        playwright?.Dispose();
    }
}
