using Cloudbill.Core.Problems;

namespace Cloudbill.Core.Notifications;

public static class NotificationErrors
{
    public static Problem NotFound(long id) =>
        Problem.NotFound("Notification.NotFound", $"Message {id} was not found in your Message Center.");

    public static Problem InvalidFilter(string message) =>
        Problem.Invalid("Notification.InvalidFilter", message);
}
