using Cloudbill.Core;
using Cloudbill.Core.Persistence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Cloudbill.Testing;

/// <summary>
/// Cloudbill's core services over one test database with a fake clock, migrated (and its key
/// ring created) as the server would. Tests act through the same services the app and the CLI use.
/// </summary>
public sealed class TestServices : IAsyncDisposable
{
    /// <summary>2026-11-26 10:00 Asia/Shanghai: the fake clock's default start.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2026, 11, 26, 2, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider provider;

    private TestServices(TestDatabase database, ServiceProvider provider, FakeTimeProvider clock)
    {
        Database = database;
        this.provider = provider;
        Clock = clock;
    }

    public TestDatabase Database { get; }
    public FakeTimeProvider Clock { get; }
    public IServiceProvider Services => provider;

    public static async Task<TestServices> Start(DatabaseProvider provider, DateTimeOffset? start = null, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null) =>
        await Start(await TestDatabase.Create(provider), start, settings, configure);

    /// <summary>Services over an existing test database (a second node, or a changed catalog).</summary>
    /// <param name="configure">Services registered before Cloudbill's own (which only add what is missing): test gateways.</param>
    public static async Task<TestServices> Start(TestDatabase database, DateTimeOffset? start = null, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        var provider = database.Provider;
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Cloudbill:Database:Provider"] = provider.ToString(),
                ["ConnectionStrings:Cloudbill"] = database.ConnectionString,
                ["Cloudbill:DataDirectory"] = RepositoryPaths.Data,
            })
            .AddInMemoryCollection(settings ?? new Dictionary<string, string?>())
            .Build();

        var clock = new FakeTimeProvider(start ?? DefaultStart);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(clock);
        configure?.Invoke(services);
        services.AddCloudbillCore(configuration);
        var built = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        built.ValidateCloudbillOptions();

        var test = new TestServices(database, built, clock);
        await test.Run<DatabaseMigrator, IReadOnlyList<string>>((m, ct) => m.Migrate(ct));
        DatabaseMigrator.EnsureKeyRing(built.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>(), built.GetRequiredService<DatabaseSettings>());
        return test;
    }

    /// <summary>Runs one use case in its own scope, as one request would.</summary>
    public async Task<TResult> Run<TService, TResult>(Func<TService, CancellationToken, Task<TResult>> action) where TService : notnull
    {
        await using var scope = provider.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>(), CancellationToken.None);
    }

    /// <summary>A fresh DbContext for arranging and asserting.</summary>
    public async Task<TResult> Query<TResult>(Func<CloudbillDbContext, Task<TResult>> query) =>
        await Run<CloudbillDbContext, TResult>((db, _) => query(db));

    /// <summary>Disposes the services and leaves the database (for a second set of services on it).</summary>
    public async ValueTask DisposeServicesOnly() => await provider.DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        await provider.DisposeAsync();
        await Database.DisposeAsync();
    }
}
