using System.Security.Cryptography;

namespace Cloudbill.Core.Instances;

/// <summary>Instance ids shaped like the provider's: a product prefix ("i-" for ECS) and 20 lower-case letters and digits.</summary>
public static class InstanceIds
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    public const int RandomLength = 20;

    public static string New(string prefix) => prefix + RandomNumberGenerator.GetString(Alphabet, RandomLength);

    /// <summary>A repeatable id for demo data, so the README can name the demo instances.</summary>
    public static string FromSeed(string prefix, Random random) =>
        prefix + new string(Enumerable.Range(0, RandomLength).Select(_ => Alphabet[random.Next(Alphabet.Length)]).ToArray());
}
