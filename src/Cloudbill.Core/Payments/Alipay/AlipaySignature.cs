using System.Security.Cryptography;
using System.Text;

namespace Cloudbill.Core.Payments.Alipay;

/// <summary>
/// RSA2 as Alipay defines it (payments.md §1.6): SHA256withRSA, RSASSA-PKCS1-v1_5, over the UTF-8
/// bytes of the sign content, Base64. Public so that the local sandbox gateway can play Alipay.
/// </summary>
public static class AlipaySignature
{
    /// <summary>§1.6.1: a request signs every field except <c>sign</c>; <c>sign_type</c> stays in.</summary>
    public static string RequestSignContent(IEnumerable<KeyValuePair<string, string>> fields) =>
        SignContent.Build(fields, "sign");

    /// <summary>§1.6.2 ("V1"): a notification or return_url check leaves out <c>sign</c> and <c>sign_type</c>.</summary>
    public static string NotificationSignContent(IEnumerable<KeyValuePair<string, string>> fields) =>
        SignContent.Build(fields, "sign", "sign_type");

    public static string Sign(string content, RSA privateKey) =>
        Convert.ToBase64String(privateKey.SignData(Encoding.UTF8.GetBytes(content), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    /// <summary>False for a wrong signature and for a sign that is not Base64; never throws for hostile input.</summary>
    public static bool Verify(string content, string sign, RSA publicKey)
    {
        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(sign);
        }
        catch (FormatException)
        {
            return false;
        }
        return publicKey.VerifyData(Encoding.UTF8.GetBytes(content), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }
}
