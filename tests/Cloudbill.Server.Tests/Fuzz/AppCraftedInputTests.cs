using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Server.Tests.Fuzz;

/// <summary>
/// Issue 19: crafted page numbers that used to overflow the page offset (checked arithmetic)
/// and answer 500. A page far past the end is an empty page, like any page past the end, with
/// no link to a next one.
/// </summary>
[Collection(AppFuzzCollection.Name)]
public class AppCraftedInputTests(AppFuzzFixture fixture)
{
    [Theory]
    [InlineData("/messages")]
    [InlineData("/costs/orders")]
    [InlineData("/costs/transactions")]
    [InlineData("/costs/vouchers")]
    [InlineData("/instances/cn-hongkong")]
    [InlineData("/renewals/manage/ecs/cn-hongkong")]
    [InlineData("/renewals/urgent/swas/cn-hongkong")]
    public async Task The_largest_page_number_is_an_empty_page_without_a_next_link(string list)
    {
        using var customer = new AppSession(fixture.Server.Address, signedIn: true);
        await customer.Start();
        var before = await FuzzInputs.StateHash(fixture.Services);

        using var response = await customer.Http.GetAsync($"{list}?page={int.MaxValue}", TestContext.Current.CancellationToken);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("data-load-more href", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"next-page\"", html, StringComparison.Ordinal);
        Assert.Equal(before, await FuzzInputs.StateHash(fixture.Services));
    }

    [Fact]
    public async Task A_renewal_list_shows_its_rows_on_page_one_and_none_on_the_largest_page()
    {
        var instance = await fixture.Services.Query(db => db.Instances.Where(i => i.ReleasedAt == null && i.ChargeType == Core.Instances.ChargeType.Subscription && i.RenewalMethod == Core.Instances.RenewalMethod.ManualRenewal).OrderBy(i => i.Id).FirstAsync());
        using var customer = new AppSession(fixture.Server.Address, signedIn: true);
        await customer.Start();
        var list = $"/renewals/manage/{instance.ProductCode}/{instance.RegionId}?page=";

        var first = await customer.Http.GetStringAsync(list + "1", TestContext.Current.CancellationToken);
        using var last = await customer.Http.GetAsync(list + int.MaxValue, TestContext.Current.CancellationToken);
        var lastHtml = await last.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Contains("data-testid=\"expiry\"", first, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, last.StatusCode);
        Assert.DoesNotContain("data-testid=\"expiry\"", lastHtml, StringComparison.Ordinal);
    }

    /// <summary>Found by the fuzz: Blazor refuses these before the page runs with an empty 400, a blank page in the browser.</summary>
    [Theory]
    [InlineData("topup", "forged-token")]
    [InlineData("no-such-form", null)]
    public async Task A_form_post_the_page_cannot_take_goes_back_to_the_page_and_changes_nothing(string handler, string? token)
    {
        using var customer = new AppSession(fixture.Server.Address, signedIn: true);
        await customer.Start();
        var before = await FuzzInputs.StateHash(fixture.Services);

        using var response = await customer.Http.PostAsync("/topup?from=fuzz", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = handler,
            ["__RequestVerificationToken"] = token ?? customer.Token,
            ["Input.Amount"] = "100",
            ["Input.Method"] = "Alipay",
            ["Input.ClientToken"] = "crafted-1",
        }), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/topup?from=fuzz", response.Headers.Location?.OriginalString);
        Assert.Equal(before, await FuzzInputs.StateHash(fixture.Services));
    }

    /// <summary>Found by the fuzz: these two lists bound the page as an int, and Blazor's binding threw (500) on text.</summary>
    [Theory]
    [InlineData("/instances/cn-hongkong")]
    [InlineData("/renewals/manage/ecs/cn-hongkong")]
    public async Task A_page_number_that_is_no_number_shows_the_first_page(string list)
    {
        using var customer = new AppSession(fixture.Server.Address, signedIn: true);
        await customer.Start();
        using var response = await customer.Http.GetAsync(list + "?page=1%20UNION%20SELECT%201--", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>
    /// Found by the fuzz (seed 2691030049648203843): the voucher check without an order type (a
    /// renewal, as the form shows) answered 500, since the tabs' links escaped the missing type.
    /// </summary>
    [Fact]
    public async Task A_voucher_check_without_an_order_type_is_checked_as_a_renewal_and_its_tabs_keep_the_order()
    {
        using var customer = new AppSession(fixture.Server.Address, signedIn: true);
        await customer.Start();

        using var response = await customer.Http.GetAsync("/costs/vouchers?amount=100.00&product=hbase&state=UsedUp", TestContext.Current.CancellationToken);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("href=\"/costs/vouchers?state=Available&amp;product=hbase&amp;amount=100.00\"", html, StringComparison.Ordinal);
        Assert.Contains("<option value=\"Renew\" selected", html, StringComparison.Ordinal);
    }

    /// <summary>
    /// Found by the fuzz (seed 12078370133136478549: culture=%s%s%s%s%n, an empty returnUrl and a
    /// field named NUL): the language switch's antiforgery check threw on the unreadable form (500).
    /// It lands on the home page like any refused switch, and the language stays.
    /// </summary>
    [Theory]
    [InlineData("\0", "1")]
    [InlineData("returnUrl", "/my\0")]
    public async Task A_language_switch_that_cannot_be_read_goes_home_and_keeps_the_language(string name, string value)
    {
        using var customer = new AppSession(fixture.Server.Address, signedIn: true);
        await customer.Start();
        // The shared session's customer may have switched language in an earlier test (the fuzz does): compare with before.
        var language = LanguageOf(await customer.Http.GetStringAsync("/settings", TestContext.Current.CancellationToken));
        var other = language == "zh-CN" ? "en" : "zh-CN";

        using var response = await customer.Http.PostAsync("/culture", Form(
            new("__RequestVerificationToken", customer.Token), new("culture", other), new("returnUrl", ""), new(name, value)),
            TestContext.Current.CancellationToken);
        var settings = await customer.Http.GetStringAsync("/settings", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Equal(language, LanguageOf(settings));
    }

    /// <summary>Found by the fuzz (seed 2691692140365160337: a field named "a NUL b"): the sign-out's antiforgery check threw on the unreadable form (500).</summary>
    [Fact]
    public async Task A_sign_out_form_that_cannot_be_read_signs_nobody_out()
    {
        using var customer = new AppSession(fixture.Server.Address, signedIn: true);
        await customer.Start();

        using var response = await customer.Http.PostAsync("/signout", Form(new("__RequestVerificationToken", customer.Token), new("a\0b", "x")), TestContext.Current.CancellationToken);
        using var settings = await customer.Http.GetAsync("/settings", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/my", response.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
    }

    private static string LanguageOf(string page) =>
        System.Text.RegularExpressions.Regex.Match(page, "<html lang=\"([^\"]+)\"").Groups[1].Value;

    private static StringContent Form(params FuzzField[] fields) =>
        new(FuzzInputs.FormEncode(fields), Encoding.UTF8, "application/x-www-form-urlencoded");
}
