using Cloudbill.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Cloudbill.Migrations.Postgres;

/// <summary>Lets `dotnet ef` build the PostgreSQL model without a server (adding a migration does not connect).</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<CloudbillDbContext>
{
    public CloudbillDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<CloudbillDbContext>();
        new DatabaseSettings(DatabaseProvider.Postgres, "Host=127.0.0.1;Database=cloudbill_design;Username=cloudbill").Configure(options);
        return new CloudbillDbContext(options.Options);
    }
}
