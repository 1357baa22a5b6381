using System.Security.Cryptography;
using System.Text;

namespace Cloudbill.Core.Payments.UnionPay;

/// <summary>
/// signMethod 01 of ACP 5.1.0 (payments.md §2.3, §2.4): the sign string's SHA-256 as lower-case
/// hex text, and SHA256withRSA (PKCS#1 v1.5) over that text, Base64. The data is hashed twice,
/// once into the hex text and once inside the RSA signature. Public for the local sandbox gateway.
/// </summary>
public static class UnionPaySignature
{
    /// <summary>All fields except <c>signature</c>, empty ones dropped, ordinal order (§2.3 step 3). signPubKeyCert is included.</summary>
    public static string SignContent(IEnumerable<KeyValuePair<string, string>> fields) =>
        Payments.SignContent.Build(fields, "signature");

    /// <summary>Lower-case hex SHA-256 of the UTF-8 sign string (§2.3 step 4).</summary>
    public static string Digest(string signContent) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(signContent)));

    public static string Sign(string signContent, RSA privateKey) =>
        Convert.ToBase64String(privateKey.SignData(Encoding.ASCII.GetBytes(Digest(signContent)), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    /// <summary>False for a wrong signature and for one that is not Base64; never throws for hostile input.</summary>
    public static bool Verify(string signContent, string signature, RSA publicKey)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(signature);
        }
        catch (FormatException)
        {
            return false;
        }
        return publicKey.VerifyData(Encoding.ASCII.GetBytes(Digest(signContent)), bytes, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }
}
