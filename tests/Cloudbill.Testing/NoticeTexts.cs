using System.Globalization;
using Cloudbill.Core;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Notifications;

namespace Cloudbill.Testing;

/// <summary>
/// A stored notice as a reader reads it (docs/decisions/0030): rendered with the shipped catalog,
/// in English unless asked for another language, as the Message Center and the email write it.
/// </summary>
public static class NoticeTexts
{
    private static readonly Lazy<NoticeRenderer> Renderer = new(() => new NoticeRenderer(CatalogLoader.Load(CloudbillPaths.ShippedCatalog)));

    public static RenderedNotice Rendered(this Notification notification, string language = NoticeRenderer.English) =>
        Renderer.Value.Render(notification, CultureInfo.GetCultureInfo(language));

    /// <summary>The title an English reader sees.</summary>
    public static string Title(this Notification notification) => notification.Rendered().Title;

    /// <summary>The body an English reader sees.</summary>
    public static string Body(this Notification notification) => notification.Rendered().Body;
}
