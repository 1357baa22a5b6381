using Microsoft.Playwright;

namespace Cloudbill.Server.Tests;

/// <summary>
/// Waits for where a double tap lands by what the page shows. A double tap posts twice and the
/// browser abandons the first navigation for the second: a navigation wait (WaitForURL) can see
/// the abandoned one and fail with net::ERR_ABORTED although the page arrives, while a locator
/// waits across navigations.
/// </summary>
public static class DoubleTaps
{
    /// <summary>The element <paramref name="testId"/> is shown, on a page whose path satisfies <paramref name="path"/>.</summary>
    public static async Task LandsOn(this IPage page, Func<Uri, bool> path, string testId)
    {
        await page.GetByTestId(testId).First.WaitForAsync();
        Assert.True(path(new Uri(page.Url)), $"The double tap landed on {page.Url}.");
    }
}
