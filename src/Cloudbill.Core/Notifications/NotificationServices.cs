using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cloudbill.Core.Notifications;

public static class NotificationServices
{
    /// <summary>
    /// Registers the Message Center and the email outbox (R9.2), with `Cloudbill:Email` read and
    /// checked now (<see cref="Persistence.ConfigurationProblemException"/> names a wrong key).
    /// The outbox is a singleton; the server runs it as a hosted service.
    /// </summary>
    public static IServiceCollection AddCloudbillNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(EmailOptions.Read(configuration));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SmtpEmailSender>();
        services.AddSingleton<EmailOutbox>();
        services.AddScoped<MessageCenter>();
        return services;
    }
}
