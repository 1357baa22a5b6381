namespace Cloudbill.Server.Tests;

/// <summary>Sets the payment sandbox's switches as its index page does: with the page's antiforgery token (and its cookie, kept by the client).</summary>
public static class SandboxSwitches
{
    public static async Task<HttpResponseMessage> Set(HttpClient http, IReadOnlyDictionary<string, string> switches, CancellationToken ct = default)
    {
        var index = await http.GetStringAsync("/sandbox/", ct);
        var token = System.Text.RegularExpressions.Regex.Match(index, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        var form = new Dictionary<string, string>(switches) { ["__RequestVerificationToken"] = System.Net.WebUtility.HtmlDecode(token) };
        return await http.PostAsync("/sandbox/switches", new FormUrlEncodedContent(form), ct);
    }
}
