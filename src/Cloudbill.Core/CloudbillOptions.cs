using Cloudbill.Core.Catalog;
using Cloudbill.Core.Demo;
using Cloudbill.Core.Lifecycle;
using Cloudbill.Core.Orders;
using Cloudbill.Core.PayAsYouGo;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Provisioning;
using Cloudbill.Core.Webhooks;

namespace Cloudbill.Core;

/// <summary>
/// The `Cloudbill` configuration section, bound once; each feature's part is its own class in the
/// feature's folder and is what the feature's services take (registered in <see cref="CoreServices"/>).
/// </summary>
public sealed class CloudbillOptions
{
    public const string Section = "Cloudbill";

    /// <summary>State only: the SQLite file and the sandbox's generated keys. Relative paths start at the current folder.</summary>
    public string DataDirectory { get; set; } = "data";

    public CatalogOptions Catalog { get; set; } = new();
    public DatabaseOptions Database { get; set; } = new();
    public KeyRingOptions DataProtection { get; set; } = new();
    public DemoOptions Demo { get; set; } = new();
    public OrderOptions Orders { get; set; } = new();
    public EngineOptions Engine { get; set; } = new();
    public ProvisioningOptions Provisioning { get; set; } = new();
    public PaymentOptions Payments { get; set; } = new();
    public PayAsYouGoOptions PayAsYouGo { get; set; } = new();
    public WebhookOptions Webhooks { get; set; } = new();
}
