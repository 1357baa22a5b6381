using System.ComponentModel;
using Cloudbill.Core;
using Cloudbill.Core.Customers;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cloudbill.Server.Cli;

public sealed class CreateAccountCommand : CloudbillCommand<CreateAccountCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--email <EMAIL>")]
        [Description("The customer's email; it is also the sign-in name.")]
        public string Email { get; init; } = "";

        [CommandOption("--password <PASSWORD>")]
        [Description("The sign-in password: at least 8 characters with a digit, a lower-case and an upper-case letter.")]
        public string Password { get; init; } = "";

        [CommandOption("--balance <AMOUNT>")]
        [Description("Opening cash balance in CNY with up to two decimals, e.g. 100.00 (default 0.00).")]
        public string Balance { get; init; } = "0.00";

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Email))
                return ValidationResult.Error("--email is required.");
            if (string.IsNullOrEmpty(Password))
                return ValidationResult.Error("--password is required.");
            return Money.TryParse(Balance, out _, out var error) ? ValidationResult.Success() : ValidationResult.Error($"--balance: {error}");
        }
    }

    protected override async Task<int> Execute(IServiceProvider services, Settings settings, CancellationToken ct)
    {
        var created = await services.GetRequiredService<AccountService>().Create(settings.Email, settings.Password, Money.Parse(settings.Balance), null, ct);
        if (!created.Succeeded)
        {
            Console.Error.WriteLine($"cloudbill: {created.Problem!.Message}");
            return 1;
        }

        var table = new Table().AddColumns("New account", "");
        table.AddRow("Email", Markup.Escape(created.Value.Account.Email));
        table.AddRow("Cash balance", Money.Parse(settings.Balance).ToString());
        table.AddRow("AccessKey ID", created.Value.AccessKey.AccessKeyId);
        table.AddRow("AccessKey secret", created.Value.AccessKey.AccessKeySecret);
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("[yellow]The AccessKey secret is shown only now; store it safely.[/]");
        return 0;
    }
}
