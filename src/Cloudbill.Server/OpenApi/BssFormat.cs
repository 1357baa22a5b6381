using System.Globalization;
using Cloudbill.Core;

namespace Cloudbill.Server.OpenApi;

/// <summary>Values as the SDK's models show them.</summary>
public static class BssFormat
{
    public const string Currency = "CNY";

    /// <summary>Times: UTC, yyyy-MM-ddTHH:mm:ssZ.</summary>
    public static string? Time(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Money where the model says number (prices): yuan as an exact decimal (System.Decimal from fen), so no rounding enters.</summary>
    public static decimal Number(Money money) => money.Fen / 100m;

    /// <summary>Ids the models show as strings of digits.</summary>
    public static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
