using Cloudbill.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cloudbill.Bench;

/// <summary>
/// The whole server, hosted in memory (`TestServer`) on the bench's PostgreSQL database at the
/// bench's fixed time, with the engine and the poller off: what `--pages`, `--console` and `--api`
/// time, so the time is the server's and not the loopback's.
/// </summary>
public static class InMemoryServer
{
    public static WebApplication Build(string connectionString, string dataDirectory, IReadOnlyDictionary<string, string>? settings = null) =>
        ServerHost.Build([], builder =>
        {
            builder.WebHost.UseTestServer();
            // The server's static asset manifest is named after it, not after this program.
            builder.Environment.ApplicationName = typeof(ServerHost).Assembly.GetName().Name!;
            // Only errors, so a request that fails says why.
            builder.Logging.ClearProviders();
            builder.Logging.AddSimpleConsole();
            builder.Logging.SetMinimumLevel(LogLevel.Error);
            builder.Services.AddSingleton<TimeProvider>(new FixedClock(DataGenerator.RunAt));
            builder.Configuration["Cloudbill:Database:Provider"] = "Postgres";
            builder.Configuration["ConnectionStrings:Cloudbill"] = connectionString;
            builder.Configuration["Cloudbill:DataDirectory"] = dataDirectory;
            builder.Configuration["Cloudbill:Engine:IntervalSeconds"] = "0";
            builder.Configuration["Cloudbill:Payments:PollerIntervalSeconds"] = "0";
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
                builder.Configuration[key] = value;
            // PostgreSQL outside Development needs the key ring's certificate named: the one made
            // under the data folder, so the server and the bench's own services read the same keys.
            using (Cloudbill.Core.Persistence.KeyRingCertificate.LoadOrCreate(dataDirectory))
                builder.Configuration["Cloudbill:DataProtection:CertificatePath"] = Cloudbill.Core.Persistence.KeyRingCertificate.GeneratedPath(dataDirectory);
        });
}
