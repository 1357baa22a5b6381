namespace Cloudbill.Core.Persistence;

/// <summary>`Cloudbill:Database` (bound as part of <c>CloudbillOptions</c>).</summary>
public sealed class DatabaseOptions
{
    /// <summary>Sqlite (default) or Postgres; the connection string is ConnectionStrings:Cloudbill.</summary>
    public string? Provider { get; set; }

    /// <summary>Apply the migrations when the server starts; false makes the start refuse an older schema instead (run `migrate`).</summary>
    public bool MigrateOnStart { get; set; } = true;
}
