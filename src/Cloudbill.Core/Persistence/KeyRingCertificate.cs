using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cloudbill.Core.Persistence;

/// <summary>
/// `Cloudbill:DataProtection`: the certificate that encrypts the Data Protection key ring at rest
/// (docs/decisions/0004). The ring lives in the database beside the AccessKey secrets and the
/// sign-in cookies it protects; the certificate lives outside it, so a copy of the database alone
/// reads nothing.
/// </summary>
public sealed class KeyRingOptions
{
    public const string Section = "Cloudbill:DataProtection";

    /// <summary>
    /// A PFX (PKCS#12) file with an RSA certificate and its private key, the same file on every node.
    /// Empty: a self-signed one is generated under the data folder (keys/data-protection.pfx), which
    /// serves one node; PostgreSQL outside Development requires this setting.
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PFX's password; empty for a PFX without one.</summary>
    public string? CertificatePassword { get; set; }
}

/// <summary>Loads the configured key ring certificate, or loads or makes the generated one.</summary>
public static class KeyRingCertificate
{
    /// <summary>Where the generated certificate is kept, under the data folder (state only, not in the database).</summary>
    public static string GeneratedPath(string dataDirectory) => Path.Combine(dataDirectory, "keys", "data-protection.pfx");

    /// <summary>
    /// PostgreSQL outside Development means many nodes: each needs the same certificate, and a
    /// generated one would be a different certificate per node (each could read only its own keys).
    /// So the setting is required there; SQLite and Development fall back to the generated one.
    /// </summary>
    public static void RequireShared(string? databaseProvider, KeyRingOptions options, bool development)
    {
        var postgres = string.Equals(databaseProvider, nameof(DatabaseProvider.Postgres), StringComparison.OrdinalIgnoreCase);
        if (postgres && !development && string.IsNullOrWhiteSpace(options.CertificatePath))
            throw new ConfigurationProblemException($"{KeyRingOptions.Section}:CertificatePath is required with PostgreSQL outside Development: every node needs the same PFX certificate (with its private key; password in {KeyRingOptions.Section}:CertificatePassword) to encrypt and read the Data Protection keys in the database (docs/operations-backup.md).");
    }

    /// <summary>
    /// The certificate of <paramref name="options"/>, or the one under the data folder. A file that
    /// cannot be read, a wrong password, or a certificate without an RSA private key stops the start
    /// with one line naming the setting.
    /// </summary>
    public static X509Certificate2 Load(KeyRingOptions options, string dataDirectory)
    {
        if (string.IsNullOrWhiteSpace(options.CertificatePath))
            return LoadOrCreate(dataDirectory);

        var path = Path.GetFullPath(options.CertificatePath);
        byte[] pfx;
        try
        {
            pfx = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationProblemException($"{KeyRingOptions.Section}:CertificatePath is '{path}', which cannot be read ({e.Message.Split('\n')[0].Trim()}); use a PFX file with the key ring certificate and its private key, readable by Cloudbill.", e);
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12(pfx, string.IsNullOrEmpty(options.CertificatePassword) ? null : options.CertificatePassword, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (CryptographicException e)
        {
            throw new ConfigurationProblemException($"{KeyRingOptions.Section}:CertificatePassword does not open the PFX at {path}, or the file is not a PFX ({e.Message.Split('\n')[0].Trim()}); set the password the file was exported with.", e);
        }
        return RequireRsaPrivateKey(certificate, $"{KeyRingOptions.Section}:CertificatePath ('{path}')");
    }

    /// <summary>
    /// Loads the generated certificate of <paramref name="dataDirectory"/>, or makes and stores it
    /// (mode 600, folder 700). Two processes starting together cannot both make one: each writes a
    /// complete temporary file and moves it in place without overwriting; the loser reads the winner's.
    /// </summary>
    public static X509Certificate2 LoadOrCreate(string dataDirectory)
    {
        var path = GeneratedPath(dataDirectory);
        var folder = Path.GetDirectoryName(path)!;
        try
        {
            if (OperatingSystem.IsWindows())
                Directory.CreateDirectory(folder);
            else
                Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            if (!File.Exists(path))
                Store(path, Generate());
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, null, X509KeyStorageFlags.EphemeralKeySet);
            return RequireRsaPrivateKey(certificate, $"The generated key ring certificate {path}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new ConfigurationProblemException($"The key ring certificate {path} cannot be read or made ({e.Message.Split('\n')[0].Trim()}); restore it from the backup (docs/operations-backup.md), or set {KeyRingOptions.Section}:CertificatePath.", e);
        }
    }

    private static void Store(string path, byte[] pfx)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var file = new FileStream(temporary, options))
                file.Write(pfx);
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process stored its certificate first: use that one.
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Self-signed, RSA 3072, for key encipherment only; its dates do not matter to the key ring, so it lasts.</summary>
    private static byte[] Generate()
    {
        using var key = RSA.Create(3072);
        var request = new CertificateRequest("CN=Cloudbill Data Protection key ring", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment, true));
        // Made at registration, before the services (and a test's fake clock) exist.
        var now = TimeProvider.System.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(100));
        return certificate.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, null);
    }

    private static X509Certificate2 RequireRsaPrivateKey(X509Certificate2 certificate, string what)
    {
        using var rsa = certificate.GetRSAPrivateKey();
        if (rsa is not null)
            return certificate;
        certificate.Dispose();
        throw new ConfigurationProblemException($"{what} holds no RSA private key; the key ring needs an RSA certificate exported with its private key (PFX).");
    }
}
