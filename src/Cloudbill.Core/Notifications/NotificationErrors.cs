using Cloudbill.Core.Problems;

namespace Cloudbill.Core.Notifications;

public static class NotificationErrors
{
    public static Problem NotFound(long id) =>
        Problem.NotFound("Notification.NotFound", $"Message {id} was not found in your Message Center.");

    public static Problem InvalidFilter(string message) =>
        Problem.Invalid("Notification.InvalidFilter", message);

    public static Problem NoEmailServer(long id) =>
        Problem.Conflict("Notification.NoEmailServer", $"Message {id} has no email to send again: no email server is configured, so it is in the Message Center only.");

    public static Problem EmailPending(long id) =>
        Problem.Conflict("Notification.EmailPending", $"The email of message {id} is waiting to be sent already.");
}
