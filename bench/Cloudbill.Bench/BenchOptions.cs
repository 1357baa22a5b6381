using System.Globalization;
using Npgsql;

namespace Cloudbill.Bench;

/// <summary>The benchmark's command line: sizes, the server, the output file.</summary>
public sealed record BenchOptions(
    string Label,
    int Instances,
    int Due,
    int BigAccount,
    int AccountSize,
    int BatchSize,
    int PgbenchScale,
    int PgbenchSeconds,
    int ViewCalls,
    bool TwoEngines,
    string Server,
    string Database,
    string? Output)
{
    /// <summary>`--api`: only the data and the OpenAPI measurements (no pgbench, no engine runs).</summary>
    public bool ApiOnly { get; init; }

    /// <summary>`--pages`: only the data and the phone app's Console pages (no pgbench, no engine runs).</summary>
    public bool PagesOnly { get; init; }

    /// <summary>`--console`: only the data and the operator console's lists (no pgbench, no engine runs).</summary>
    public bool ConsoleOnly { get; init; }

    /// <summary>`--renewals-only`: the due set is auto-renewals only (three accounts in ten cannot pay), for the engine's money-moving rate.</summary>
    public bool RenewalsOnly { get; init; }

    /// <summary>`--http`: paid RenewInstance over signed HTTP against the real server on Kestrel (no engine runs).</summary>
    public bool HttpOnly { get; init; }

    /// <summary>`--sqlite`: with `--http`, the server on the embedded SQLite database (the data copied from PostgreSQL).</summary>
    public bool Sqlite { get; init; }

    /// <summary>`--clients 4,8`: the concurrent clients of each `--http` run.</summary>
    public IReadOnlyList<int> Clients { get; init; } = [4, 8];

    /// <summary>`--http-seconds`: the timed length of each `--http` run (after a warm-up).</summary>
    public int HttpSeconds { get; init; } = 20;

    /// <summary>`--keys`: how many accounts, each with its own AccessKey, the `--http` clients renew for.</summary>
    public int Keys { get; init; } = 200;

    /// <summary>`--two-nodes`: with `--http`, also two server processes on one PostgreSQL, the clients split between them.</summary>
    public bool TwoNodes { get; init; }

    /// <summary>`--reuse`: with `--http`, keep the database of an earlier run with the same `--database` instead of generating it again.</summary>
    public bool Reuse { get; init; }

    public const string ServerVariable = "CLOUDBILL_BENCH_POSTGRES";
    public const string DefaultServer = "Host=127.0.0.1;Username=cloudbill;Password=cloudbill";

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions("full", 1_000_000, 100_000, 10_000, 100, 0, 10, 30, 1000, true,
            Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } s ? s : DefaultServer, "cloudbill_bench", null);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Int() => int.Parse(Next(), NumberStyles.None, CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--quick" => options with { Label = "quick", Instances = 50_000, Due = 5_000, BigAccount = 2_000, PgbenchScale = 5, PgbenchSeconds = 10, ViewCalls = 200, HttpSeconds = 8, Keys = 50 },
                "--renewals-only" => options with { RenewalsOnly = true },
                "--http" => options with { HttpOnly = true, TwoEngines = false },
                "--sqlite" => options with { Sqlite = true },
                "--reuse" => options with { Reuse = true },
                "--two-nodes" => options with { TwoNodes = true },
                "--clients" => options with { Clients = Next().Split(',').Select(c => int.Parse(c, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray() },
                "--http-seconds" => options with { HttpSeconds = Int() },
                "--keys" => options with { Keys = Int() },
                "--instances" => options with { Instances = Int() },
                "--due" => options with { Due = Int() },
                "--big-account" => options with { BigAccount = Int() },
                "--account-size" => options with { AccountSize = Int() },
                "--batch-size" => options with { BatchSize = Int() },
                "--pgbench-scale" => options with { PgbenchScale = Int() },
                "--pgbench-seconds" => options with { PgbenchSeconds = Int() },
                "--view-calls" => options with { ViewCalls = Int() },
                "--one-engine" => options with { TwoEngines = false },
                "--api" => options with { ApiOnly = true, TwoEngines = false },
                "--pages" => options with { PagesOnly = true, TwoEngines = false },
                "--console" => options with { ConsoleOnly = true, TwoEngines = false },
                "--database" => options with { Database = Next() },
                "--output" => options with { Output = Next() },
                "--label" => options with { Label = Next() },
                _ => throw new ArgumentException($"Unknown option {args[i]}; see bench/run.sh --help."),
            };
        }
        if (options.Due > options.Instances || options.BigAccount > options.Instances || options.AccountSize < 1)
            throw new ArgumentException("Need due <= instances, big account <= instances and an account size of at least 1.");
        if (!System.Text.RegularExpressions.Regex.IsMatch(options.Database, "^[a-z_][a-z0-9_]*$"))
            throw new ArgumentException($"Database name '{options.Database}' must be lower-case letters, digits and underscores.");

        // The benchmark only ever talks to this machine.
        var host = new NpgsqlConnectionStringBuilder(options.Server).Host;
        if (host is not ("127.0.0.1" or "localhost" or "::1"))
            throw new ArgumentException($"{ServerVariable} names host '{host}'; the benchmark only talks to 127.0.0.1.");
        return options;
    }

    public string ConnectionTo(string database) =>
        new NpgsqlConnectionStringBuilder(Server) { Database = database, MaxPoolSize = 20, IncludeErrorDetail = true }.ConnectionString;
}
