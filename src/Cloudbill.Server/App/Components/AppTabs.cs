namespace Cloudbill.Server.App.Components;

public enum AppTab
{
    Console,
    Discover,
    My,
}

/// <summary>Which bottom tab a page belongs to, from its path: renewals and instances are the Console's, purchases Discover's, costs, payments and the account's pages My's.</summary>
public static class AppTabs
{
    public static AppTab Of(string path)
    {
        var first = path.TrimStart('/').Split('/', '?', '#')[0];
        return first switch
        {
            "discover" or "purchase" => AppTab.Discover,
            "my" or "topup" or "payments" or "costs" or "messages" or "service-center" or "accesskeys" or "settings" => AppTab.My,
            _ => AppTab.Console,
        };
    }
}
