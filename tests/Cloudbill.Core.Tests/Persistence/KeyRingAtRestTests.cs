using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;
using Cloudbill.Core.Accounts;
using Cloudbill.Core.Customers;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Testing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cloudbill.Core.Tests;

/// <summary>
/// The Data Protection key ring is encrypted at rest with a certificate kept outside the database
/// (docs/decisions/0004): a copy of the database alone opens no AccessKey secret, and the nodes
/// that hold the certificate share the ring.
/// </summary>
public class KeyRingAtRestTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_copy_of_the_database_without_the_certificate_reads_no_AccessKey_secret(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var email = $"keys-{Guid.NewGuid():N}@example.com";
        var created = await test.Run<AccountService, Result<NewCustomer>>((s, ct) => s.Create(email, "Secret-2026", Money.Zero, null, ct));
        var pair = created.Value.AccessKey;

        // What the copy holds: the keys' XML and the secret's column, as stored.
        var keyXml = await test.Query(db => db.DataProtectionKeys.AsNoTracking().Select(k => k.Xml!).ToListAsync());
        var stored = await test.Query(db => db.AccessKeys.AsNoTracking().Where(k => k.Id == pair.AccessKeyId).Select(k => k.ProtectedSecret).SingleAsync());
        Assert.NotEmpty(keyXml);
        foreach (var xml in keyXml)
        {
            var key = XElement.Parse(xml);
            Assert.DoesNotContain(key.Descendants(), e => e.Name.LocalName == "masterKey");
            Assert.Single(key.Descendants(), e => e.Name.LocalName == "encryptedSecret");
            Assert.Contains("EncryptedXmlDecryptor", xml, StringComparison.Ordinal);
        }
        Assert.DoesNotContain(pair.AccessKeySecret, stored, StringComparison.Ordinal);

        // Whoever has the copy but not the certificate: Data Protection over the same tables, without
        // a certificate and with another one, cannot unprotect the secret.
        using (var bare = Reader(test, _ => { }))
            Assert.ThrowsAny<CryptographicException>(() => bare.GetRequiredService<IDataProtectionProvider>().CreateProtector(AccessKeyService.ProtectorPurpose).Unprotect(stored));
        using var otherCertificate = KeyRingCertificate.LoadOrCreate(Path.Combine(Path.GetTempPath(), "cloudbill-tests", "other-" + Guid.NewGuid().ToString("N")));
        using (var other = Reader(test, b => b.ProtectKeysWithCertificate(otherCertificate)))
            Assert.ThrowsAny<CryptographicException>(() => other.GetRequiredService<IDataProtectionProvider>().CreateProtector(AccessKeyService.ProtectorPurpose).Unprotect(stored));

        // The server itself reads it.
        var resolved = await test.Run<AccessKeyService, (long, string)?>((s, ct) => s.Resolve(pair.AccessKeyId, ct));
        Assert.Equal(pair.AccessKeySecret, resolved!.Value.Item2);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Two_nodes_with_the_certificate_share_the_key_ring(DatabaseProvider provider)
    {
        await using var first = await TestServices.Start(provider);
        // The second node names the certificate file and its password, as a PostgreSQL node must.
        var folder = Path.Combine(Path.GetTempPath(), "cloudbill-tests", "keyring-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var pfx = Path.Combine(folder, "shared.pfx");
        using (var generated = KeyRingCertificate.LoadOrCreate(RepositoryPaths.Data))
            await File.WriteAllBytesAsync(pfx, generated.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, "Shared-Password-1"), TestContext.Current.CancellationToken);
        var second = await TestServices.Start(first.Database, settings: new Dictionary<string, string?>
        {
            ["Cloudbill:DataDirectory"] = Path.Combine(folder, "data"),
            ["Cloudbill:DataProtection:CertificatePath"] = pfx,
            ["Cloudbill:DataProtection:CertificatePassword"] = "Shared-Password-1",
        });
        try
        {
            var account = await first.Customer();
            var madeOnFirst = await first.Run<AccessKeyService, AccessKeyPair>((s, ct) => s.Create(account, ct));
            var madeOnSecond = await second.Run<AccessKeyService, AccessKeyPair>((s, ct) => s.Create(account, ct));

            var readOnSecond = await second.Run<AccessKeyService, (long, string)?>((s, ct) => s.Resolve(madeOnFirst.AccessKeyId, ct));
            var readOnFirst = await first.Run<AccessKeyService, (long, string)?>((s, ct) => s.Resolve(madeOnSecond.AccessKeyId, ct));
            Assert.Equal((account, madeOnFirst.AccessKeySecret), readOnSecond);
            Assert.Equal((account, madeOnSecond.AccessKeySecret), readOnFirst);
            // One ring: the second node used the key the first one made, and made none of its own.
            Assert.Equal(1, await first.Query(db => db.DataProtectionKeys.CountAsync()));
        }
        finally
        {
            await second.DisposeServicesOnly();
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Keys_an_older_build_stored_in_clear_are_retired_and_the_secrets_they_protected_are_kept(DatabaseProvider provider)
    {
        // An older build: the same services without the key ring's encryptor.
        var older = await TestServices.Start(provider, configure: s => s.PostConfigure<KeyManagementOptions>(o => o.XmlEncryptor = null));
        var email = $"older-{Guid.NewGuid():N}@example.com";
        var created = await older.Run<AccountService, Result<NewCustomer>>((s, ct) => s.Create(email, "Secret-2026", Money.Zero, null, ct));
        var pair = created.Value.AccessKey;
        var cookie = older.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("a sign-in cookie").Protect("customer 1");
        var clearKeys = await older.Query(db => db.DataProtectionKeys.CountAsync(k => k.Xml!.Contains("<masterKey")));
        Assert.Equal(1, clearKeys);
        await older.DisposeServicesOnly();

        await using var test = await TestServices.Start(older.Database);
        Assert.Equal(1, await PlaintextKeyRetirement.Run(test.Services, TestContext.Current.CancellationToken));
        Assert.Equal(0, await PlaintextKeyRetirement.Run(test.Services, TestContext.Current.CancellationToken));

        // The secret is kept, now under the encrypted key: a copy without the certificate opens nothing.
        var resolved = await test.Run<AccessKeyService, (long, string)?>((s, ct) => s.Resolve(pair.AccessKeyId, ct));
        Assert.Equal(pair.AccessKeySecret, resolved!.Value.Item2);
        var stored = await test.Query(db => db.AccessKeys.AsNoTracking().Where(k => k.Id == pair.AccessKeyId).Select(k => k.ProtectedSecret).SingleAsync());
        using (var bare = Reader(test, _ => { }))
        {
            Assert.ThrowsAny<CryptographicException>(() => bare.GetRequiredService<IDataProtectionProvider>().CreateProtector(AccessKeyService.ProtectorPurpose).Unprotect(stored));
            // What the clear key protected (a cookie) is refused everywhere: it is revoked, so a copy cannot forge with it.
            Assert.ThrowsAny<CryptographicException>(() => bare.GetRequiredService<IDataProtectionProvider>().CreateProtector("a sign-in cookie").Unprotect(cookie));
        }
        // The node that retired the key refuses it from then on, and so does any node with the certificate.
        Assert.ThrowsAny<CryptographicException>(() => test.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("a sign-in cookie").Unprotect(cookie));
        using var certificate = KeyRingCertificate.LoadOrCreate(RepositoryPaths.Data);
        using var node = Reader(test, b => b.ProtectKeysWithCertificate(certificate));
        Assert.Equal(pair.AccessKeySecret, node.GetRequiredService<IDataProtectionProvider>().CreateProtector(AccessKeyService.ProtectorPurpose).Unprotect(stored));
        Assert.ThrowsAny<CryptographicException>(() => node.GetRequiredService<IDataProtectionProvider>().CreateProtector("a sign-in cookie").Unprotect(cookie));
    }

    /// <summary>Data Protection over the test database's tables, with only what <paramref name="configure"/> adds.</summary>
    private static ServiceProvider Reader(TestServices test, Action<IDataProtectionBuilder> configure)
    {
        var settings = test.Services.GetRequiredService<DatabaseSettings>();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContext<CloudbillDbContext>(settings.Configure);
        var builder = services.AddDataProtection().SetApplicationName("Cloudbill").PersistKeysToDbContext<CloudbillDbContext>();
        // Only reading: a reader without the key must not add one to the ring under test.
        builder.DisableAutomaticKeyGeneration();
        configure(builder);
        return services.BuildServiceProvider();
    }
}
