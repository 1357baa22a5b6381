using Cloudbill.Core.Problems;

namespace Cloudbill.Core.Webhooks;

/// <summary>The expected failures of the webhook verbs and of <see cref="WebhookEndpoints"/>.</summary>
public static class WebhookErrors
{
    public static Problem UrlInvalid(string url) =>
        Problem.Invalid("Webhook.UrlInvalid", $"'{url}' is not an absolute http or https address; use one like https://cloud.example.com/cloudbill/events.");

    public static Problem UrlTooLong() =>
        Problem.Invalid("Webhook.UrlInvalid", $"The address is longer than {WebhookEndpoint.UrlMaxLength} characters; use a shorter one.");

    public static Problem HttpNotAllowed(string url) =>
        Problem.Invalid("Webhook.HttpNotAllowed", $"'{url}' is plain http to a host other than this machine; use https, or set Cloudbill:Webhooks:AllowHttp to true to allow it.");

    public static Problem UnknownEventType(string type) =>
        Problem.Invalid("Webhook.UnknownEventType", $"'{type}' is not an event type; use some of {string.Join(", ", LifecycleEventTypes.All)}.");

    public static Problem DescriptionTooLong() =>
        Problem.Invalid("Webhook.DescriptionTooLong", $"The description is longer than {WebhookEndpoint.DescriptionMaxLength} characters.");

    public static Problem NotFound(long id) =>
        Problem.NotFound("Webhook.NotFound", $"There is no webhook endpoint {id}; `cloudbill webhooks list` shows them.");

    public static Problem AlreadyDisabled(long id) =>
        Problem.Conflict("Webhook.AlreadyDisabled", $"Webhook endpoint {id} is already disabled.");

    public static Problem AlreadyEnabled(long id) =>
        Problem.Conflict("Webhook.AlreadyEnabled", $"Webhook endpoint {id} is already enabled.");

    public static Problem KeepOldHoursInvalid(int hours) =>
        Problem.Invalid("Webhook.KeepOldHoursInvalid", $"--keep-old-hours is {hours}; use 0 (the old secret stops now) to 720 hours.");

    public static Problem SinceInFuture(DateTimeOffset since) =>
        Problem.Invalid("Webhook.SinceInFuture", $"--since {since:O} is in the future; use a past time.");
}
