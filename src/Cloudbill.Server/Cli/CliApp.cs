using Spectre.Console.Cli;

namespace Cloudbill.Server.Cli;

/// <summary>The operator verbs of the `cloudbill` executable.</summary>
public static class CliApp
{
    private static readonly HashSet<string> Verbs = ["migrate", "seed-demo", "reconcile", "backup", "accounts", "coupons", "engine", "suggestions", "audit", "webhooks", "provider-keys", "operators", "import", "--help", "-h", "-?", "help", "--version"];

    /// <summary>The verbs and what each does, for the answer to a mistyped one.</summary>
    private static readonly (string Verb, string Does)[] VerbList =
    [
        ("migrate", "apply the database migrations of the configured provider"),
        ("seed-demo", "create the demo customer, its instances and coupons"),
        ("reconcile [--gateways]", "check every ledger balance against its postings (and the gateways)"),
        ("backup --to FILE", "copy the embedded SQLite database while the server runs"),
        ("accounts create", "create a customer and print its AccessKey pair"),
        ("coupons issue", "issue a coupon to a customer"),
        ("engine run [--at TIME]", "run the lifecycle engine once"),
        ("suggestions list [--since DATE]", "list the customers' suggestions"),
        ("audit [--account EMAIL] [--since DATE]", "show the audit log of money and security events"),
        ("webhooks list|add|disable|enable|rotate-secret|replay|log", "the endpoints that receive the lifecycle events"),
        ("provider-keys add|list|revoke", "the keys the provider's cloud calls /provider/v1 with"),
        ("operators add|list|reset-authenticator", "the provider's staff who sign in to the operator console"),
        ("import FILE.csv [--dry-run]", "import the provider's customers and instances, all or nothing"),
    ];

    public static bool IsCommand(string[] args) => args.Length > 0 && Verbs.Contains(args[0]);

    /// <summary>
    /// A first argument that is neither a verb nor a setting (`--urls …`, `--Key=value`, `/Key=value`,
    /// `Key=value`) is a mistyped verb: it must not start the server.
    /// </summary>
    public static bool IsMistypedVerb(string[] args) =>
        args.Length > 0 && !IsCommand(args) && !args[0].StartsWith('-') && !args[0].StartsWith('/') && !args[0].Contains('=', StringComparison.Ordinal);

    /// <summary>One line naming the unknown verb, then the verbs; exit code 2 like every other refusal.</summary>
    public static int ReportMistypedVerb(string verb, TextWriter error)
    {
        error.WriteLine($"cloudbill: '{verb}' is not a verb; use one of the verbs below, or no verb (only settings such as --urls) to start the server.");
        foreach (var (name, does) in VerbList)
            error.WriteLine($"  {name,-40}{does}");
        error.WriteLine($"  {"--help",-40}every verb and its options");
        return 2;
    }

    public static async Task<int> Run(string[] args)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("cloudbill");
            config.AddCommand<MigrateCommand>("migrate")
                .WithDescription("Apply the database migrations of the configured provider.");
            config.AddCommand<SeedDemoCommand>("seed-demo")
                .WithDescription("Create the demo customer, its instances and coupons (does nothing if it exists).");
            config.AddCommand<ReconcileCommand>("reconcile")
                .WithDescription("Check every ledger balance against its postings; exit 1 on any mismatch.");
            config.AddCommand<BackupCommand>("backup")
                .WithDescription("Copy the embedded SQLite database to a new file, consistently, while the server runs (docs/operations-backup.md).")
                .WithExample("backup", "--to", "/backups/cloudbill-2026-12-01.db");
            config.AddBranch("accounts", accounts =>
            {
                accounts.SetDescription("Customer accounts.");
                accounts.AddCommand<CreateAccountCommand>("create")
                    .WithDescription("Create a customer and print its AccessKey pair.")
                    .WithExample("accounts", "create", "--email", "alice@example.com", "--password", "Secret-2026", "--balance", "100.00");
            });
            config.AddBranch("coupons", coupons =>
            {
                coupons.SetDescription("Coupons (vouchers).");
                coupons.AddCommand<IssueCouponCommand>("issue")
                    .WithDescription("Issue a coupon to a customer (R6.2).")
                    .WithExample("coupons", "issue", "--account", "demo@cloudbill.local", "--amount", "50.00", "--min-order", "100.00", "--products", "ecs,rds", "--order-types", "New,Renew", "--valid-days", "30");
            });
            config.AddBranch("engine", engine =>
            {
                engine.SetDescription("The lifecycle engine (auto-renewal, reminders, expiry, suspension, release, order time-outs).");
                engine.AddCommand<EngineRunCommand>("run")
                    .WithDescription("Do everything due up to a time, once, and print a count per action.")
                    .WithExample("engine", "run", "--at", "2026-12-01T08:00:00+08:00");
            });
            config.AddCommand<AuditCommand>("audit")
                .WithDescription("Show the audit log (sign-ins, AccessKeys, payments, balance changes, refused signatures and notifications) as a table.")
                .WithExample("audit", "--account", "demo@cloudbill.local", "--since", "2026-12-01");
            config.AddBranch("webhooks", webhooks =>
            {
                webhooks.SetDescription("The endpoints of the provider's cloud that receive the lifecycle events, signed (docs/webhooks.md).");
                webhooks.AddCommand<ListWebhooksCommand>("list")
                    .WithDescription("List the endpoints with their state, event filter and pending deliveries.");
                webhooks.AddCommand<AddWebhookCommand>("add")
                    .WithDescription("Add an endpoint and print its id and signing secret (shown once).")
                    .WithExample("webhooks", "add", "--url", "https://cloud.example.com/cloudbill/events", "--events", "instance.create_requested,instance.released");
                webhooks.AddCommand<DisableWebhookCommand>("disable")
                    .WithDescription("Stop sending to an endpoint; its events wait until it is enabled.")
                    .WithExample("webhooks", "disable", "1");
                webhooks.AddCommand<EnableWebhookCommand>("enable")
                    .WithDescription("Send to a disabled endpoint again, starting with what it missed.")
                    .WithExample("webhooks", "enable", "1");
                webhooks.AddCommand<RotateWebhookSecretCommand>("rotate-secret")
                    .WithDescription("Give an endpoint a new signing secret; the old one keeps signing beside it for a while.")
                    .WithExample("webhooks", "rotate-secret", "1", "--keep-old-hours", "24");
                webhooks.AddCommand<ReplayWebhooksCommand>("replay")
                    .WithDescription("Send an endpoint's events since a time again.")
                    .WithExample("webhooks", "replay", "1", "--since", "2026-12-01T00:00:00+08:00");
                webhooks.AddCommand<WebhookLogCommand>("log")
                    .WithDescription("The newest delivery attempts with their status and latency.")
                    .WithExample("webhooks", "log", "1", "--limit", "20");
            });
            config.AddBranch("suggestions", suggestions =>
            {
                suggestions.SetDescription("What customers asked for in My > Service Center > Suggestions.");
                suggestions.AddCommand<ListSuggestionsCommand>("list")
                    .WithDescription("List the suggestions as a table (date, account, product, text).")
                    .WithExample("suggestions", "list", "--since", "2026-12-01");
            });
            config.AddBranch("provider-keys", keys =>
            {
                keys.SetDescription("Keys of the provider API (/provider/v1, docs/webhooks.md): the provider's cloud, never a customer.");
                keys.AddCommand<AddProviderKeyCommand>("add")
                    .WithDescription("Make a provider key and print its secret once.")
                    .WithExample("provider-keys", "add", "--description", "production cloud");
                keys.AddCommand<ListProviderKeysCommand>("list")
                    .WithDescription("List the provider keys (ids, descriptions, states; never secrets).");
                keys.AddCommand<RevokeProviderKeyCommand>("revoke")
                    .WithDescription("Revoke a provider key at once.")
                    .WithExample("provider-keys", "revoke", "pk_0123456789abcdef01234567");
            });
            config.AddBranch("operators", operators =>
            {
                operators.SetDescription("Staff accounts of the operator console (/operator): roles viewer, support and finance, a password and an authenticator app.");
                operators.AddCommand<AddOperatorCommand>("add")
                    .WithDescription("Add a member of staff; prints the password (unless given) and the authenticator key once.")
                    .WithExample("operators", "add", "--email", "ops@example.com", "--role", "support");
                operators.AddCommand<ListOperatorsCommand>("list")
                    .WithDescription("List the staff accounts, their roles and lockouts.");
                operators.AddCommand<ResetOperatorAuthenticatorCommand>("reset-authenticator")
                    .WithDescription("Give a member of staff a new authenticator key (a lost phone); ends their sessions.")
                    .WithExample("operators", "reset-authenticator", "--email", "ops@example.com");
            });
            config.AddCommand<ImportCommand>("import")
                .WithDescription("Import the provider's customers, balances and instances from a CSV file (docs/webhooks.md, \"Importing\"); all or nothing.")
                .WithExample("import", "customers.csv", "--dry-run");
            config.PropagateExceptions();
        });

        try
        {
            return await app.RunAsync(args);
        }
        catch (CommandAppException e)
        {
            // A wrong verb, option or value: one line naming it, never a stack trace.
            Console.Error.WriteLine($"cloudbill: {e.Message}");
            return 2;
        }
    }
}
