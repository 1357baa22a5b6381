using Cloudbill.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Cloudbill.Migrations.Sqlite;

/// <summary>Lets `dotnet ef` build the SQLite model without starting the server.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<CloudbillDbContext>
{
    public CloudbillDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<CloudbillDbContext>();
        new DatabaseSettings(DatabaseProvider.Sqlite, "Data Source=design-time.db").Configure(options);
        return new CloudbillDbContext(options.Options);
    }
}
