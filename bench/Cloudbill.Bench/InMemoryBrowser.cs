using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Cloudbill.Bench;

/// <summary>A page's timings: p50, p95 and p99 in ms, and the size of its HTML.</summary>
public sealed record PageTiming(string Name, double P50, double P95, double P99, int Bytes);

/// <summary>
/// A browser for the server hosted in memory (`TestServer`): it keeps the cookies the server sets,
/// fills a form's hidden fields as a page would, and times pages one request at a time, so the
/// time is the server's. Used by the phone app's pages (`--pages`) and the operator console (`--console`).
/// </summary>
public sealed partial class InMemoryBrowser(HttpClient http, CancellationToken ct)
{
    private readonly Dictionary<string, string> cookies = new(StringComparer.Ordinal);

    public bool HasCookie(string name) => cookies.ContainsKey(name);

    public async Task<(HttpStatusCode Status, string Body)> Send(HttpRequestMessage request)
    {
        if (cookies.Count > 0)
            request.Headers.TryAddWithoutValidation("Cookie", string.Join("; ", cookies.Select(c => $"{c.Key}={c.Value}")));
        using var response = await http.SendAsync(request, ct);
        foreach (var header in response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [])
        {
            var pair = header.Split(';')[0].Split('=', 2);
            cookies[pair[0]] = pair[1];
        }
        return (response.StatusCode, await response.Content.ReadAsStringAsync(ct));
    }

    /// <summary>The hidden fields (antiforgery, handler) of the page's form named <paramref name="formName"/>; a page may have other forms before it.</summary>
    public async Task<Dictionary<string, string>> FormFields(string path, string formName)
    {
        var (_, page) = await Send(new HttpRequestMessage(HttpMethod.Get, path));
        var form = page[page.IndexOf($"name=\"_handler\" value=\"{formName}\"", StringComparison.Ordinal)..];
        form = page[page.LastIndexOf("<form", page.Length - form.Length, StringComparison.Ordinal)..];
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match m in HiddenInput().Matches(form[..form.IndexOf("</form>", StringComparison.Ordinal)]))
            fields[WebUtility.HtmlDecode(m.Groups["name"].Value)] = WebUtility.HtmlDecode(m.Groups["value"].Value);
        return fields;
    }

    /// <summary>Warms the page up, then times <paramref name="calls"/> requests; each must answer 200 with <paramref name="marker"/> in its HTML.</summary>
    public async Task<PageTiming> Time(string name, string path, string marker, int warmUps, int calls)
    {
        async Task<(double Ms, int Bytes)> Call()
        {
            var watch = Stopwatch.StartNew();
            var (code, body) = await Send(new HttpRequestMessage(HttpMethod.Get, path));
            var elapsed = watch.Elapsed.TotalMilliseconds;
            if (code != HttpStatusCode.OK || !body.Contains(marker, StringComparison.Ordinal))
                throw new InvalidOperationException($"{path} answered {(int)code}.");
            return (elapsed, Encoding.UTF8.GetByteCount(body));
        }
        for (var i = 0; i < warmUps; i++)
            await Call();
        var times = new double[calls];
        var bytes = 0;
        for (var i = 0; i < calls; i++)
            (times[i], bytes) = await Call();
        Array.Sort(times);
        return new PageTiming(name, Percentile(times, 0.50), Percentile(times, 0.95), Percentile(times, 0.99), bytes);
    }

    public static double Percentile(double[] sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\"")]
    private static partial Regex HiddenInput();
}
