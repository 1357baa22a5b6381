namespace Cloudbill.Core.Webhooks;

/// <summary>Cloudbill:Webhooks: how often the dispatcher looks for events to send, and how long a receiver may take.</summary>
public sealed class WebhookOptions
{
    /// <summary>Seconds between the dispatcher's passes on every node; 0 turns the hosted dispatcher off.</summary>
    public int PollSeconds { get; set; } = 5;

    /// <summary>Seconds a receiver has to answer one POST before the attempt counts as failed.</summary>
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// Allows http:// endpoints on hosts other than the loopback (127.0.0.1, ::1, localhost). Off by
    /// default in every environment: a signed event over plain HTTP can still be read on the way.
    /// </summary>
    public bool AllowHttp { get; set; }

    public IEnumerable<string> Failures()
    {
        if (Problems.SettingRange.Check("Cloudbill:Webhooks:PollSeconds", PollSeconds, 0, 3600, "seconds", "5; 0 turns the hosted dispatcher off") is { } poll)
            yield return poll;
        if (Problems.SettingRange.Check("Cloudbill:Webhooks:TimeoutSeconds", TimeoutSeconds, 1, 60, "seconds", "10") is { } timeout)
            yield return timeout;
    }
}
