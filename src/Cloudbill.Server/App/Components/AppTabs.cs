namespace Cloudbill.Server.App.Components;

public enum AppTab
{
    Console,
    Discover,
    My,
}

/// <summary>Which bottom tab a page belongs to, from its path: renewals and instances are the Console's, purchases Discover's, costs and payments My's.</summary>
public static class AppTabs
{
    public static AppTab Of(string path)
    {
        var first = path.TrimStart('/').Split('/', '?', '#')[0];
        return first switch
        {
            "discover" or "purchase" => AppTab.Discover,
            "my" or "topup" or "payments" => AppTab.My,
            _ => AppTab.Console,
        };
    }
}
