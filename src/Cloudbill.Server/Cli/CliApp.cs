using Spectre.Console.Cli;

namespace Cloudbill.Server.Cli;

/// <summary>The operator verbs of the `cloudbill` executable.</summary>
public static class CliApp
{
    private static readonly HashSet<string> Verbs = ["migrate", "seed-demo", "reconcile", "accounts", "coupons", "engine", "--help", "-h", "-?", "help", "--version"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Verbs.Contains(args[0]);

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
