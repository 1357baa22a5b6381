using Cloudbill.Core;
using Cloudbill.Core.Demo;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cloudbill.Server.Cli;

public sealed class SeedDemoCommand : CloudbillCommand<SeedDemoCommand.Settings>
{
    public sealed class Settings : CommandSettings;

    protected override async Task<int> Execute(IServiceProvider services, Settings settings, CancellationToken ct)
    {
        var result = await services.GetRequiredService<DemoSeeder>().Seed(ct);
        if (!result.Succeeded)
        {
            Console.Error.WriteLine($"cloudbill: {result.Problem!.Message}");
            return 1;
        }

        var demo = services.GetRequiredService<CloudbillOptions>().Demo;
        if (!result.Value.Created)
        {
            Console.Out.WriteLine($"The demo customer {demo.Email} already exists; nothing changed.");
            return 0;
        }

        var table = new Table().AddColumns("Demo customer", "");
        table.AddRow("Email", Markup.Escape(demo.Email));
        table.AddRow("Password", Markup.Escape(demo.Password));
        table.AddRow("AccessKey ID", Markup.Escape(demo.AccessKeyId));
        table.AddRow("AccessKey secret", Markup.Escape(demo.AccessKeySecret));
        table.AddRow("Cash balance", Markup.Escape(demo.CashBalance));
        table.AddRow("Instances", result.Value.Instances.ToString(System.Globalization.CultureInfo.InvariantCulture));
        table.AddRow("Coupons", result.Value.Coupons.ToString(System.Globalization.CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        return 0;
    }
}
