using Cloudbill.Core.Persistence;

namespace Cloudbill.Server.Operations;

/// <summary>The `Cloudbill:Metrics` section: where Prometheus scrapes, and what /readyz calls lagging (docs/operations.md).</summary>
public sealed class MetricsOptions
{
    public const string Section = "Cloudbill:Metrics";

    /// <summary>
    /// The address of the Prometheus endpoint, on its own port apart from the app (http://127.0.0.1:9464/
    /// serves http://127.0.0.1:9464/metrics). Empty, the default: no metrics endpoint at all, so
    /// nothing about the business is public unless the operator asks for it.
    /// </summary>
    public string? Listen { get; set; }

    /// <summary>How often the gauges read from the database (engine lag, unconfirmed payments, outbox depth) are sampled.</summary>
    public int SampleSeconds { get; set; } = 15;

    /// <summary>/readyz answers 503 while the oldest due engine action has waited longer than this.</summary>
    public int ReadyMaxEngineLagSeconds { get; set; } = 900;

    public Uri? ListenUri => string.IsNullOrWhiteSpace(Listen) ? null : new Uri(Listen.EndsWith('/') ? Listen : Listen + "/");

    public static MetricsOptions Read(IConfiguration configuration)
    {
        MetricsOptions options;
        try
        {
            options = configuration.GetSection(Section).Get<MetricsOptions>() ?? new MetricsOptions();
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
        if (!string.IsNullOrWhiteSpace(Listen)
            && (!Uri.TryCreate(Listen, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || uri.IsDefaultPort || uri.AbsolutePath != "/"))
            throw new ConfigurationProblemException($"{Section}:Listen must be an http address with its own port, such as http://127.0.0.1:9464/; it is '{Listen}'.");
        if (SampleSeconds is < 1 or > 3600)
            throw new ConfigurationProblemException($"{Section}:SampleSeconds must be from 1 to 3600; it is {SampleSeconds}.");
        if (ReadyMaxEngineLagSeconds is < 60 or > 86_400)
            throw new ConfigurationProblemException($"{Section}:ReadyMaxEngineLagSeconds must be from 60 to 86400; it is {ReadyMaxEngineLagSeconds}.");
    }
}
