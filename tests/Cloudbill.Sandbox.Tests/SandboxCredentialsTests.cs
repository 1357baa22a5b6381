using System.Security.Cryptography.X509Certificates;
using Cloudbill.Core.Payments.Alipay;
using Cloudbill.Core.Payments.UnionPay;
using Microsoft.Extensions.Time.Testing;

namespace Cloudbill.Sandbox.Tests;

public class SandboxCredentialsTests
{
    [Fact]
    public async Task Credentials_are_made_once_even_by_processes_starting_together_and_the_merchant_code_accepts_them()
    {
        var directory = Directory.CreateTempSubdirectory("cloudbill-sandbox-credentials-").FullName;
        try
        {
            var clock = new FakeTimeProvider(SandboxHarness.Start);
            // Three starts racing on an empty directory: one file wins, all read the same credentials.
            var starts = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => SandboxCredentials.LoadOrCreate(directory, clock), TestContext.Current.CancellationToken)));
            using var later = SandboxCredentials.LoadOrCreate(directory, clock);
            Assert.Single(starts.Select(c => (c.AlipayAppId, c.UnionPayMerId, c.MerchantPfxPassword, c.AlipayPublicKeyPem)).Append((later.AlipayAppId, later.UnionPayMerId, later.MerchantPfxPassword, later.AlipayPublicKeyPem)).Distinct());
            Assert.Equal([SandboxCredentials.FileName], Directory.GetFiles(directory).Select(Path.GetFileName));
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(directory, SandboxCredentials.FileName)));

            Assert.Matches("^2088[0-9]{12}$", later.AlipaySellerId);
            Assert.Matches("^2021[0-9]{12}$", later.AlipayAppId);
            Assert.Matches("^[0-9]{15}$", later.UnionPayMerId);
            Assert.True(AlipayKeys.Load(later.AppPrivateKeyPem, later.AlipayPublicKeyPem).Succeeded);
            var certificates = UnionPayCertificates.Load(later.MerchantPfx, later.MerchantPfxPassword, later.RootCertificate, later.MiddleCertificate);
            Assert.True(certificates.Succeeded, certificates.Problem?.Message);
            using var pfx = X509CertificateLoader.LoadPkcs12(later.MerchantPfx, later.MerchantPfxPassword);
            Assert.Equal($"CN={later.UnionPayMerId}, O=Cloudbill Sandbox merchant (TEST ONLY), C=CN", pfx.Subject);
            Assert.DoesNotContain(later.MerchantPfxPassword, later.ToString());
            foreach (var credentials in starts)
                credentials.Dispose();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
