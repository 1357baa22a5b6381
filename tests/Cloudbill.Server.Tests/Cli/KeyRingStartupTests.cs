using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cloudbill.Core.Persistence;

namespace Cloudbill.Server.Tests;

/// <summary>
/// The certificate that encrypts the key ring at rest (docs/decisions/0004): generated under the data
/// folder for the embedded database, required by name with PostgreSQL outside Development, and a
/// file that cannot be opened stops the start with one line naming the setting.
/// </summary>
public class KeyRingStartupTests
{
    public static TheoryData<string> Entrypoints => ["server", "migrate"];

    private static string Temporary(string name)
    {
        var folder = Path.Combine(Path.GetTempPath(), "cloudbill-tests", name + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static async Task<string> OneLineFailure(Dictionary<string, string> environment, string entrypoint)
    {
        string[] args = entrypoint == "server" ? ["--urls", $"http://127.0.0.1:{CloudbillProcess.FreePort()}"] : [entrypoint];
        var result = await CloudbillProcess.Run(environment, args);
        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.DoesNotContain("   at ", result.Output + result.Error, StringComparison.Ordinal);
        return line;
    }

    [Theory]
    [MemberData(nameof(Entrypoints))]
    public async Task PostgreSQL_outside_Development_without_a_certificate_is_refused_by_name(string entrypoint)
    {
        var line = await OneLineFailure(new()
        {
            ["Cloudbill__Database__Provider"] = "Postgres",
            // Never reached: the refusal comes before anything connects.
            ["ConnectionStrings__Cloudbill"] = "Host=127.0.0.1;Database=cloudbill_not_used;Username=cloudbill;Password=cloudbill",
            ["Cloudbill__DataDirectory"] = Temporary("pg-no-cert"),
        }, entrypoint);
        Assert.Equal("cloudbill: Cloudbill:DataProtection:CertificatePath is required with PostgreSQL outside Development: every node needs the same PFX certificate "
                     + "(with its private key; password in Cloudbill:DataProtection:CertificatePassword) to encrypt and read the Data Protection keys in the database (docs/operations-backup.md).", line);
    }

    [Theory]
    [MemberData(nameof(Entrypoints))]
    public async Task A_wrong_certificate_password_is_refused_by_name(string entrypoint)
    {
        var folder = Temporary("wrong-password");
        var pfx = Path.Combine(folder, "keyring.pfx");
        using (var rsa = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=Key ring test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            await File.WriteAllBytesAsync(pfx, certificate.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, "Right-Password-1"), TestContext.Current.CancellationToken);
        }
        var line = await OneLineFailure(new()
        {
            ["Cloudbill__DataDirectory"] = folder,
            ["Cloudbill__DataProtection__CertificatePath"] = pfx,
            ["Cloudbill__DataProtection__CertificatePassword"] = "Wrong-Password-2",
        }, entrypoint);
        Assert.StartsWith($"cloudbill: Cloudbill:DataProtection:CertificatePassword does not open the PFX at {pfx}, or the file is not a PFX (", line, StringComparison.Ordinal);
        Assert.EndsWith("); set the password the file was exported with.", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Wrong-Password-2", line, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Entrypoints))]
    public async Task A_certificate_file_that_cannot_be_read_is_refused_by_name(string entrypoint)
    {
        var folder = Temporary("missing-cert");
        var missing = Path.Combine(folder, "nowhere", "keyring.pfx");
        var line = await OneLineFailure(new()
        {
            ["Cloudbill__DataDirectory"] = folder,
            ["Cloudbill__DataProtection__CertificatePath"] = missing,
        }, entrypoint);
        Assert.StartsWith($"cloudbill: Cloudbill:DataProtection:CertificatePath is '{missing}', which cannot be read (", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_embedded_database_gets_its_certificate_under_the_data_folder_readable_by_the_owner_only()
    {
        var data = Path.Combine(Temporary("generated-cert"), "data");
        var environment = new Dictionary<string, string> { ["Cloudbill__DataDirectory"] = data };

        var migrate = await CloudbillProcess.Run(environment, "migrate");
        Assert.Equal(0, migrate.ExitCode);
        var pfx = KeyRingCertificate.GeneratedPath(data);
        Assert.True(File.Exists(pfx), migrate.Output + migrate.Error);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(pfx));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(pfx)!));
        }
        var generated = await File.ReadAllBytesAsync(pfx, TestContext.Current.CancellationToken);

        // The next start keeps it (a new one would lose every key the first encrypted).
        var created = await CloudbillProcess.Run(environment, "accounts", "create", "--email", "kim@example.com", "--password", "Secret-2026");
        Assert.Equal(0, created.ExitCode);
        Assert.Equal(generated, await File.ReadAllBytesAsync(pfx, TestContext.Current.CancellationToken));
    }
}
