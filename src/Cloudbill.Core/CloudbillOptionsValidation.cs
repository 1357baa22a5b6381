using Cloudbill.Core.Notifications;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cloudbill.Core;

/// <summary>
/// Every `Cloudbill` setting that can be out of range, checked when the server or a verb starts
/// (<c>ValidateOnStart</c>). Each failure is one sentence that names the key, the value and what is
/// allowed, like the catalog's and the database's own errors.
/// </summary>
public sealed class CloudbillOptionsValidator : IValidateOptions<CloudbillOptions>
{
    /// <summary>Alipay's largest total_amount (payments.md §1.4); no top-up or preset can be above it.</summary>
    public static readonly Money GatewayMaximum = Money.Parse("100000000.00");

    public ValidateOptionsResult Validate(string? name, CloudbillOptions options)
    {
        var failures = Failures(options).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public static IEnumerable<string> Failures(CloudbillOptions o)
    {
        if (string.IsNullOrWhiteSpace(o.DataDirectory))
            yield return "Cloudbill:DataDirectory is empty; use the folder for the SQLite database and the sandbox's keys (default data).";
        if (SettingRange.Check("Cloudbill:Orders:UnpaidLifetimeDays", o.Orders.UnpaidLifetimeDays, 1, 365, "days", "7") is { } orders)
            yield return orders;
        if (SettingRange.Check("Cloudbill:Engine:IntervalSeconds", o.Engine.IntervalSeconds, 0, 86400, "seconds", "60; 0 turns the hosted engine off") is { } interval)
            yield return interval;
        if (SettingRange.Check("Cloudbill:Engine:BatchSize", o.Engine.BatchSize, 1, 10000, "instances", "200") is { } batch)
            yield return batch;
        if (SettingRange.Check("Cloudbill:Provisioning:SimulatedDelaySeconds", o.Provisioning.SimulatedDelaySeconds, 0, 3600, "seconds", "3") is { } delay)
            yield return delay;
        if (o.PayAsYouGo.Problem() is { } payg)
            yield return payg;
        foreach (var webhooks in o.Webhooks.Failures())
            yield return webhooks;
        foreach (var payments in PaymentFailures(o.Payments))
            yield return payments;
        if (!Money.TryParse(o.Demo.CashBalance, out var cash, out _) || cash < Money.Zero || cash > GatewayMaximum)
            yield return $"Cloudbill:Demo:CashBalance is '{o.Demo.CashBalance}'; use an amount from 0.00 to {GatewayMaximum} with at most two decimals (default 5000.00).";
    }

    private static IEnumerable<string> PaymentFailures(PaymentOptions p)
    {
        const string Section = "Cloudbill:Payments";
        if (!string.IsNullOrWhiteSpace(p.PublicBaseUrl) && !IsHttpUrl(p.PublicBaseUrl))
            yield return $"{Section}:PublicBaseUrl is '{p.PublicBaseUrl}'; use an absolute http or https address where the gateways reach Cloudbill, for example https://billing.example.com.";
        if (SandboxRetryScaleProblem(p.SandboxRetryScale) is { } scale)
            yield return scale;
        if (SettingRange.Check($"{Section}:PollerIntervalSeconds", p.PollerIntervalSeconds, 0, 3600, "seconds", "30; 0 turns the hosted poller off") is { } poller)
            yield return poller;

        var minimumOk = Money.TryParse(p.TopUpMinimum, out var minimum, out _) && minimum >= new Money(1) && minimum <= GatewayMaximum;
        if (!minimumOk)
            yield return $"{Section}:TopUpMinimum is '{p.TopUpMinimum}'; use an amount from 0.01 to {GatewayMaximum} with at most two decimals (default 1.00, R7.2).";
        var maximumOk = Money.TryParse(p.TopUpMaximum, out var maximum, out _) && maximum >= new Money(1) && maximum <= GatewayMaximum;
        if (!maximumOk)
            yield return $"{Section}:TopUpMaximum is '{p.TopUpMaximum}'; use an amount from 0.01 to {GatewayMaximum} with at most two decimals (default 1000000.00, R7.2).";
        if (minimumOk && maximumOk && minimum > maximum)
            yield return $"{Section}:TopUpMinimum ({minimum}) is more than {Section}:TopUpMaximum ({maximum}); the minimum must not exceed the maximum (R7.2).";
        if (minimumOk && maximumOk)
        {
            foreach (var preset in p.TopUpPresets)
            {
                if (!Money.TryParse(preset, out var amount, out _) || amount < minimum || amount > maximum)
                    yield return $"{Section}:TopUpPresets has '{preset}'; each preset must be an amount from {minimum} to {maximum} (the top-up limits).";
            }
        }

        if (!string.IsNullOrWhiteSpace(p.Alipay.GatewayUrl) && !IsHttpUrl(p.Alipay.GatewayUrl))
            yield return $"{Section}:Alipay:GatewayUrl is '{p.Alipay.GatewayUrl}'; use an absolute http or https URL ending in gateway.do (default https://openapi.alipay.com/gateway.do).";
        if (!string.IsNullOrWhiteSpace(p.UnionPay.GatewayUrl) && !IsHttpUrl(p.UnionPay.GatewayUrl))
            yield return $"{Section}:UnionPay:GatewayUrl is '{p.UnionPay.GatewayUrl}'; use an absolute http or https URL (default https://gateway.95516.com/).";
    }

    /// <summary>Also checked where the sandbox is set up, before the options are bound for the services.</summary>
    public static string? SandboxRetryScaleProblem(double scale) =>
        scale is > 0 and <= 100 && double.IsFinite(scale)
            ? null
            : $"Cloudbill:Payments:SandboxRetryScale is {scale.ToString(System.Globalization.CultureInfo.InvariantCulture)}; use a number greater than 0 and at most 100 (1 = the gateways' real retry schedules, 0.001 makes minutes into fractions of a second).";

    private static bool IsHttpUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && !string.IsNullOrEmpty(uri.Host);
}

public static class CloudbillOptionsStartup
{
    /// <summary>
    /// Binds `Cloudbill` for the registration itself (paths, provider, merchants), turning a value of
    /// the wrong type into one line that names the key.
    /// </summary>
    public static CloudbillOptions Read(IConfiguration configuration)
    {
        try
        {
            return configuration.GetSection(CloudbillOptions.Section).Get<CloudbillOptions>() ?? new CloudbillOptions();
        }
        catch (InvalidOperationException e)
        {
            throw new ConfigurationProblemException(OneLine(e.Message));
        }
    }

    /// <summary>
    /// Runs the start-up validation of every options class registered with <c>ValidateOnStart</c> now,
    /// before migrations or anything else runs (the host would do it only when it starts). A failure is
    /// a <see cref="ConfigurationProblemException"/> whose message names each wrong key.
    /// </summary>
    public static void ValidateCloudbillOptions(this IServiceProvider services)
    {
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
        }
        catch (OptionsValidationException e)
        {
            throw new ConfigurationProblemException(OneLine(string.Join(" ", e.Failures)), e);
        }
        catch (AggregateException e) when (e.InnerExceptions.All(i => i is OptionsValidationException))
        {
            throw new ConfigurationProblemException(OneLine(string.Join(" ", e.InnerExceptions.Cast<OptionsValidationException>().SelectMany(i => i.Failures))), e);
        }
        catch (InvalidOperationException e)
        {
            // The binder: "Failed to convert configuration value 'x' at 'Cloudbill:Email:Security' to type …".
            var hint = e.Message.Contains(EmailOptions.Section + ":Security", StringComparison.Ordinal) ? " Security is one of StartTls, SslOnConnect or None." : "";
            throw new ConfigurationProblemException(OneLine(e.Message + hint), e);
        }
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
