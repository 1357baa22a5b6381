using Cloudbill.Core.Persistence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Cloudbill.Core.Notifications;

/// <summary>How the SMTP connection is secured.</summary>
public enum SmtpSecurity
{
    /// <summary>Plain connection upgraded with STARTTLS (port 587); refuses servers that cannot.</summary>
    StartTls,

    /// <summary>TLS from the first byte (port 465).</summary>
    SslOnConnect,

    /// <summary>No TLS: only for a relay on the same host or a test server.</summary>
    None,
}

/// <summary>
/// The `Cloudbill:Email` section (R9.2: email is sent where SMTP is configured). SMTP is
/// configured when <see cref="Host"/> is set; otherwise notifications stay in the Message
/// Center only. <see cref="ToString"/> never shows the password.
/// </summary>
public sealed class EmailOptions
{
    public const string Section = "Cloudbill:Email";

    /// <summary>The SMTP server; empty means "no email".</summary>
    public string? Host { get; set; }

    public int Port { get; set; } = 587;
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    /// <summary>Sign in to the server when set.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }
    public string? FromAddress { get; set; }
    public string FromName { get; set; } = "Cloudbill";

    /// <summary>After this many failed attempts a message is marked Failed (it stays in the Message Center).</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>How often the outbox looks for messages to send.</summary>
    public int PollIntervalSeconds { get; set; } = 10;

    /// <summary>
    /// A failed attempt is retried this long after it started; also how long a claim holds a
    /// message against other nodes, so it must exceed <see cref="TimeoutSeconds"/>.
    /// </summary>
    public int RetryDelaySeconds { get; set; } = 300;

    /// <summary>The most one message may take to send (connect, sign-in and delivery).</summary>
    public int TimeoutSeconds { get; set; } = 60;

    /// <summary>Messages looked at per pass.</summary>
    public int BatchSize { get; set; } = 50;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host);

    /// <summary>Reads and checks `Cloudbill:Email`, naming the key that is wrong.</summary>
    public static EmailOptions Read(IConfiguration configuration)
    {
        EmailOptions options;
        try
        {
            options = configuration.GetSection(Section).Get<EmailOptions>() ?? new EmailOptions();
        }
        catch (InvalidOperationException e)
        {
            // The binder's message names the key and the value, e.g. an unknown Security.
            throw new ConfigurationProblemException($"{Section} is not valid: {e.Message} Security is one of StartTls, SslOnConnect or None.", e);
        }
        options.Validate();
        return options;
    }

    /// <exception cref="ConfigurationProblemException">A setting is out of range: the first one.</exception>
    public void Validate()
    {
        if (Failures().FirstOrDefault() is { } failure)
            throw new ConfigurationProblemException(failure);
    }

    /// <summary>Every setting that is out of range, each naming its key and what is allowed (never the password).</summary>
    public IEnumerable<string> Failures()
    {
        if (MaxAttempts is < 1 or > 100)
            yield return $"{Section}:MaxAttempts is {MaxAttempts}; use 1 to 100 (default 5).";
        if (PollIntervalSeconds is < 1 or > 3600)
            yield return $"{Section}:PollIntervalSeconds is {PollIntervalSeconds}; use 1 to 3600 seconds (default 10).";
        if (TimeoutSeconds is < 1 or > 3600)
            yield return $"{Section}:TimeoutSeconds is {TimeoutSeconds}; use 1 to 3600 seconds (default 60).";
        else if (RetryDelaySeconds <= TimeoutSeconds || RetryDelaySeconds > 86400)
            yield return $"{Section}:RetryDelaySeconds is {RetryDelaySeconds}; it must be more than {Section}:TimeoutSeconds ({TimeoutSeconds}) so that no other node retries a message still being sent, and at most 86400 (default 300).";
        if (BatchSize is < 1 or > 1000)
            yield return $"{Section}:BatchSize is {BatchSize}; use 1 to 1000 (default 50).";
        if (!Enum.IsDefined(Security))
            yield return $"{Section}:Security is {Security}; use StartTls, SslOnConnect or None.";
        if (!IsConfigured)
            yield break;
        if (Port is < 1 or > 65535)
            yield return $"{Section}:Port is {Port}; use 1 to 65535 (587 for StartTls, 465 for SslOnConnect).";
        if (string.IsNullOrWhiteSpace(FromAddress))
            yield return $"{Section}:FromAddress is required when {Section}:Host is set, for example \"billing@example.com\".";
        else if (!MailboxAddress.TryParse(FromAddress, out _))
            yield return $"{Section}:FromAddress '{FromAddress}' is not an email address.";
        if (!string.IsNullOrEmpty(Username) && Password is null)
            yield return $"{Section}:Password is required when {Section}:Username is set.";
    }

    /// <summary>For logs: the server and sender, never the password.</summary>
    public override string ToString() => IsConfigured
        ? $"SMTP {Host}:{Port} ({Security}){(string.IsNullOrEmpty(Username) ? "" : $" as {Username}")} from {FromAddress}"
        : "SMTP not configured";
}

/// <summary>`Cloudbill:Email`, through the same rules as <see cref="EmailOptions.Read"/>.</summary>
public sealed class EmailOptionsValidator : IValidateOptions<EmailOptions>
{
    public ValidateOptionsResult Validate(string? name, EmailOptions options)
    {
        var failures = options.Failures().ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
