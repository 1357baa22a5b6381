using Cloudbill.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Cloudbill.Server.Tests;

/// <summary>
/// The settings of a server hosted in the test's own process (ServerHost.Build): on the test's
/// database, with the sandbox playing the gateways (so in Development, the only environment that
/// allows it), no demo customer, and no engine, payment poller or sandbox cloud writing between
/// the test's steps.
/// </summary>
public static class InProcessServer
{
    public static void Configure(WebApplicationBuilder builder, TestDatabase database, IEnumerable<KeyValuePair<string, string?>>? extra = null)
    {
        builder.Environment.EnvironmentName = Environments.Development;
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cloudbill:Database:Provider"] = database.Provider.ToString(),
            ["ConnectionStrings:Cloudbill"] = database.ConnectionString,
            ["Cloudbill:DataDirectory"] = RepositoryPaths.Data,
            ["Cloudbill:Payments:SandboxDirectory"] = Path.Combine(Path.GetTempPath(), "cloudbill-sandbox", Guid.NewGuid().ToString("N")),
            ["Cloudbill:Payments:Sandbox"] = "true",
            ["Cloudbill:Demo:SeedOnFirstStart"] = "false",
            ["Cloudbill:Engine:IntervalSeconds"] = "0",
            ["Cloudbill:Payments:PollerIntervalSeconds"] = "0",
            ["Cloudbill:Provisioning:SandboxCloud"] = "false",
        }.Concat(extra ?? []));
    }
}
