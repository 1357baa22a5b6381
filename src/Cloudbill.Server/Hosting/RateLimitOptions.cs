using Cloudbill.Core.Persistence;

namespace Cloudbill.Server.Hosting;

/// <summary>One limit: this many attempts in each fixed window of this many seconds.</summary>
public sealed class RateLimit
{
    public int Requests { get; set; }
    public int WindowSeconds { get; set; }

    public TimeSpan Window => TimeSpan.FromSeconds(WindowSeconds);
}

/// <summary>
/// The `Cloudbill:RateLimits` section: what a client address or an account may try per window,
/// counted on each node (docs/decisions/0025). The API's per-action quotas are Cloudbill:Api's.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "Cloudbill:RateLimits";

    /// <summary>Sign-in forms sent per client address.</summary>
    public RateLimit SignIn { get; set; } = new() { Requests = 20, WindowSeconds = 300 };

    /// <summary>Sign-up forms sent per client address.</summary>
    public RateLimit SignUp { get; set; } = new() { Requests = 5, WindowSeconds = 3600 };

    /// <summary>Sign-up forms sent from all addresses together: scripted accounts from many addresses stop here.</summary>
    public RateLimit SignUpTotal { get; set; } = new() { Requests = 100, WindowSeconds = 3600 };

    /// <summary>Top-up forms sent per account (per address when not signed in).</summary>
    public RateLimit TopUp { get; set; } = new() { Requests = 30, WindowSeconds = 3600 };

    /// <summary>AccessKey creations per account.</summary>
    public RateLimit AccessKeyCreation { get; set; } = new() { Requests = 10, WindowSeconds = 3600 };

    /// <summary>
    /// API requests whose key is unknown or whose signature is wrong, per AccessKey ID and per
    /// source address; past it they are refused before the key is read and decrypted.
    /// </summary>
    public RateLimit ApiSignatureFailures { get; set; } = new() { Requests = 30, WindowSeconds = 300 };

    /// <summary>Provider API calls (/provider/v1) per client address: the provider's cloud, or whoever tries keys.</summary>
    public RateLimit ProviderApi { get; set; } = new() { Requests = 600, WindowSeconds = 60 };

    public static RateLimitOptions Read(IConfiguration configuration)
    {
        RateLimitOptions options;
        try
        {
            options = configuration.GetSection(Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
        }
        catch (InvalidOperationException e)
        {
            throw new ConfigurationProblemException($"{Section}: {e.Message.Split('\n')[0]}");
        }
        options.Validate();
        return options;
    }

    /// <summary>Stops the start with a message naming the key.</summary>
    public void Validate()
    {
        foreach (var (name, limit) in new[]
        {
            (nameof(SignIn), SignIn), (nameof(SignUp), SignUp), (nameof(SignUpTotal), SignUpTotal),
            (nameof(TopUp), TopUp), (nameof(AccessKeyCreation), AccessKeyCreation), (nameof(ApiSignatureFailures), ApiSignatureFailures),
            (nameof(ProviderApi), ProviderApi),
        })
        {
            if (limit.Requests is < 1 or > 1_000_000)
                throw new ConfigurationProblemException($"{Section}:{name}:Requests must be 1 to 1000000; it is {limit.Requests}.");
            if (limit.WindowSeconds is < 1 or > 86_400)
                throw new ConfigurationProblemException($"{Section}:{name}:WindowSeconds must be 1 to 86400; it is {limit.WindowSeconds}.");
        }
    }
}
