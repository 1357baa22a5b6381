using Cloudbill.Core.Operators;
using Cloudbill.Core.Problems;
using Cloudbill.Server.Tests.App;
using Cloudbill.Testing;
using Microsoft.Playwright;

namespace Cloudbill.Server.Tests.Operator;

/// <summary>The app's server and database with one member of staff of each role, and a desktop browser for the console.</summary>
public sealed class OperatorFixture : AppFixture
{
    public const string StaffPassword = "Staff-Secret-2026";

    public NewStaff Viewer { get; private set; } = null!;
    public NewStaff Support { get; private set; } = null!;
    public NewStaff Finance { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Viewer = await AddStaff("viewer@provider.example", StaffRole.Viewer);
        Support = await AddStaff("support@provider.example", StaffRole.Support);
        Finance = await AddStaff("finance@provider.example", StaffRole.Finance);
    }

    public async Task<NewStaff> AddStaff(string email, StaffRole role) =>
        (await Services.Run<StaffAccounts, Result<NewStaff>>((s, ct) => s.Add(email, role, StaffPassword, ct))).Value;

    private readonly Dictionary<string, HashSet<string>> usedCodes = new(StringComparer.Ordinal);

    /// <summary>
    /// The app's code for a sign-in. A code signs in once, so a member of staff signing in again
    /// within minutes gets a code of a neighbouring 30-second step that has not been used, which the
    /// server accepts as it allows for a phone's clock (a person would wait for the next code).
    /// </summary>
    public string NextCode(NewStaff staff)
    {
        lock (usedCodes)
        {
            var used = usedCodes.TryGetValue(staff.Email, out var set) ? set : usedCodes[staff.Email] = [];
            var now = DateTimeOffset.UtcNow;
            var code = new[] { 0, -30, 30, -60, 60 }.Select(offset => Totp.Code(staff.AuthenticatorKey, now.AddSeconds(offset))).First(c => !used.Contains(c));
            used.Add(code);
            return code;
        }
    }

    /// <summary>A desktop browser (1280 × 800) signed in to the console as <paramref name="staff"/>.</summary>
    public async Task<ConsolePage> SignedInStaff(NewStaff staff, string locale = "en-US")
    {
        var console = await OpenConsole(locale);
        await console.SignIn(staff.Email, StaffPassword, NextCode(staff));
        await console.Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/operator", new() { WaitUntil = WaitUntilState.Commit });
        return console;
    }

    public async Task<ConsolePage> OpenConsole(string locale = "en-US")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Server.Address.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            Locale = locale,
        });
        context.SetDefaultTimeout(90_000);
        context.SetDefaultNavigationTimeout(90_000);
        return new ConsolePage(await context.NewPageAsync(), this);
    }
}

/// <summary>A member of staff's browser tab on the console.</summary>
public sealed class ConsolePage(IPage page, AppFixture app)
{
    public IPage Page => page;

    /// <summary>The same checks as the app's pages: screenshots, axe, no console error, no server failure.</summary>
    public App.AppPage Checks { get; } = new(page, app);

    public async Task SignIn(string email, string password, string code)
    {
        await page.GotoAsync("/operator/signin");
        await page.Locator("#email").FillAsync(email);
        await page.Locator("#password").FillAsync(password);
        await page.Locator("#code").FillAsync(code);
        // The form's answer: the console (a redirect) or the page again with the reason.
        await page.RunAndWaitForResponseAsync(
            () => page.GetByTestId("operator-signin-submit").ClickAsync(),
            r => r.Request.Method == "POST" && new Uri(r.Url).AbsolutePath == "/operator/signin");
    }

    /// <summary>Whether a response answers a form posted on a customer's page.</summary>
    public static bool IsCustomerPost(IResponse response) =>
        response.Request.Method == "POST" && new Uri(response.Url).AbsolutePath.StartsWith("/operator/customers/", StringComparison.Ordinal);

    /// <summary>Clicks a customer page's form <paramref name="button"/> and returns the answer to its post (a refusal is the page again, with its status).</summary>
    public Task<IResponse> Post(string button) => page.RunAndWaitForResponseAsync(() => page.GetByTestId(button).ClickAsync(), IsCustomerPost);

    /// <summary>Submits a customer page's form that succeeds: post, redirect to <c>?done=</c><paramref name="done"/>, its message shown.</summary>
    public async Task Submit(string button, long accountId, string done)
    {
        await page.GetByTestId(button).ClickAsync();
        await page.WaitForURLAsync($"**/operator/customers/{accountId}?done={done}", new() { WaitUntil = WaitUntilState.Commit });
        await page.GetByTestId("action-done").WaitForAsync();
    }

    public async Task Find(string text)
    {
        await page.GotoAsync("/operator?q=" + Uri.EscapeDataString(text));
    }

    public async Task<IReadOnlyList<string>> Matches() => await page.GetByTestId("match").AllInnerTextsAsync();
}
