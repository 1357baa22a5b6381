namespace Cloudbill.Core.Audit;

/// <summary>
/// Decides which of many identical failures get an audit row, so that whoever sends them cannot
/// flood the table: the first of a kind (per address, kind and key) within the window, then every
/// <see cref="RecordEvery"/>th; and from one address at most <see cref="FirstsPerAddress"/> firsts
/// per window, then again every <see cref="RecordEvery"/>th of all its failures (an attacker who
/// varies the key id still shows, with the count). Counted in memory on each node.
/// </summary>
public sealed class RepeatedFailures(TimeProvider clock)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(10);
    public const int RecordEvery = 100;
    public const int FirstsPerAddress = 20;
    private const int MaxTracked = 10_000;

    private readonly Lock gate = new();
    private readonly Dictionary<string, Counter> byKey = [];
    private readonly Dictionary<string, Counter> byAddress = [];
    private Counter? overflow;

    private sealed class Counter(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; } = start;
        public int Failures { get; set; }
        public int Recorded { get; set; }
    }

    /// <summary>Counts one failure; the counts to write when it gets a row, else null.</summary>
    public (int OfThisKind, int FromAddress)? Count(string? address, string kind, string? key)
    {
        var now = clock.GetUtcNow();
        address ??= "unknown";
        lock (gate)
        {
            var fromAddress = Next(byAddress, address, now) ?? Overflow(now);
            var ofKind = Next(byKey, $"{address}\n{kind}\n{key}", now);
            var first = ofKind is { Failures: 1 } && fromAddress.Recorded < FirstsPerAddress;
            var nth = (ofKind is not null && ofKind.Failures % RecordEvery == 0) || fromAddress.Failures % RecordEvery == 0;
            if (!first && !nth)
                return null;
            fromAddress.Recorded++;
            return (ofKind?.Failures ?? 0, fromAddress.Failures);
        }
    }

    /// <summary>Every address beyond the tracked ones, counted together.</summary>
    private Counter Overflow(DateTimeOffset now)
    {
        if (overflow is null || now - overflow.Start >= Window)
            overflow = new Counter(now);
        overflow.Failures++;
        return overflow;
    }

    private static Counter? Next(Dictionary<string, Counter> counters, string key, DateTimeOffset now)
    {
        if (!counters.TryGetValue(key, out var counter) || now - counter.Start >= Window)
        {
            if (counters.Count >= MaxTracked && !counters.ContainsKey(key))
            {
                foreach (var expired in counters.Where(c => now - c.Value.Start >= Window).Select(c => c.Key).ToList())
                    counters.Remove(expired);
                // Still full: a flood of distinct keys is counted by address alone until the window turns.
                if (counters.Count >= MaxTracked)
                    return null;
            }
            counter = new Counter(now);
            counters[key] = counter;
        }
        counter.Failures++;
        return counter;
    }
}
