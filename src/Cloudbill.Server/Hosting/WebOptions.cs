using System.Net;
using Cloudbill.Core.Persistence;

namespace Cloudbill.Server.Hosting;

/// <summary>The `Cloudbill:Web` section: the proxies in front of the app, sign-in lockout and HSTS (docs/decisions/0025).</summary>
public sealed class WebOptions
{
    public const string Section = "Cloudbill:Web";

    /// <summary>
    /// Addresses whose X-Forwarded-For and X-Forwarded-Proto are believed. With neither this nor
    /// <see cref="KnownNetworks"/> set, only a proxy on the same machine (loopback) is.
    /// </summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks in CIDR form (10.0.0.0/8) whose forwarded headers are believed.</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>Wrong passwords (sign-in or the current password in Settings) before the account is locked.</summary>
    public int LockoutAttempts { get; set; } = 5;

    public int LockoutMinutes { get; set; } = 15;

    /// <summary>Strict-Transport-Security's max-age on HTTPS answers; 0 sends none.</summary>
    public int HstsMaxAgeDays { get; set; } = 365;

    public static WebOptions Read(IConfiguration configuration)
    {
        WebOptions options;
        try
        {
            options = configuration.GetSection(Section).Get<WebOptions>() ?? new WebOptions();
        }
        catch (InvalidOperationException e)
        {
            throw new ConfigurationProblemException($"{Section}: {e.Message.Split('\n')[0]}");
        }
        options.Validate();
        return options;
    }

    /// <summary>The proxies as addresses; loopback when none is configured.</summary>
    public IReadOnlyList<IPAddress> ProxyAddresses() =>
        KnownProxies.Length == 0 && KnownNetworks.Length == 0
            ? [IPAddress.Loopback, IPAddress.IPv6Loopback]
            : KnownProxies.Select(p => IPAddress.Parse(p.Trim())).ToList();

    public IReadOnlyList<System.Net.IPNetwork> ProxyNetworks() => KnownNetworks.Select(n => System.Net.IPNetwork.Parse(n.Trim())).ToList();

    /// <summary>Stops the start with a message naming the key.</summary>
    public void Validate()
    {
        for (var i = 0; i < KnownProxies.Length; i++)
        {
            if (!IPAddress.TryParse(KnownProxies[i]?.Trim(), out _))
                throw new ConfigurationProblemException($"{Section}:KnownProxies:{i} must be an IP address such as 10.0.0.5; it is '{KnownProxies[i]}'.");
        }
        for (var i = 0; i < KnownNetworks.Length; i++)
        {
            if (!System.Net.IPNetwork.TryParse(KnownNetworks[i]?.Trim(), out _))
                throw new ConfigurationProblemException($"{Section}:KnownNetworks:{i} must be a network such as 10.0.0.0/8; it is '{KnownNetworks[i]}'.");
        }
        if (LockoutAttempts is < 1 or > 100)
            throw new ConfigurationProblemException($"{Section}:LockoutAttempts must be 1 to 100; it is {LockoutAttempts}.");
        if (LockoutMinutes is < 1 or > 24 * 60)
            throw new ConfigurationProblemException($"{Section}:LockoutMinutes must be 1 to 1440; it is {LockoutMinutes}.");
        if (HstsMaxAgeDays is < 0 or > 3650)
            throw new ConfigurationProblemException($"{Section}:HstsMaxAgeDays must be 0 to 3650; it is {HstsMaxAgeDays}.");
    }
}
