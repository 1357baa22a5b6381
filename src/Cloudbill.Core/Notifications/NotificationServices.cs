using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Cloudbill.Core.Notifications;

public static class NotificationServices
{
    /// <summary>
    /// Registers the Message Center and the email outbox (R9.2), with `Cloudbill:Email` bound and
    /// checked at start (<see cref="CloudbillOptionsStartup.ValidateCloudbillOptions"/> names a wrong key).
    /// The outbox is a singleton; the server runs it as a hosted service.
    /// </summary>
    public static IServiceCollection AddCloudbillNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EmailOptions>().Bind(configuration.GetSection(EmailOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EmailOptions>, EmailOptionsValidator>());
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<EmailOptions>>().Value);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SmtpEmailSender>();
        services.AddSingleton<NoticeRenderer>();
        services.AddSingleton<EmailOutbox>();
        services.AddScoped<MessageCenter>();
        return services;
    }
}
