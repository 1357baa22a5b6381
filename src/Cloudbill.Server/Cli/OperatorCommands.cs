using System.ComponentModel;
using Cloudbill.Core.Operators;
using Cloudbill.Core.Time;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cloudbill.Server.Cli;

/// <summary>`cloudbill operators add --email E --role R`: a member of staff for the operator console; the password and the authenticator key are printed once.</summary>
public sealed class AddOperatorCommand : CloudbillCommand<AddOperatorCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--email <EMAIL>")]
        [Description("The staff member's email; it is also the sign-in name.")]
        public string Email { get; init; } = "";

        [CommandOption("--role <ROLE>")]
        [Description("viewer (sees), support (also acts on accounts) or finance (also moves money).")]
        public string Role { get; init; } = "";

        [CommandOption("--password <PASSWORD>")]
        [Description("The sign-in password (at least 8 characters with a digit, a lower-case and an upper-case letter); without it a random one is made and printed.")]
        public string? Password { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Email))
                return ValidationResult.Error("--email is required.");
            return ParseRole(Role) is null
                ? ValidationResult.Error($"--role is '{Role}'; use viewer, support or finance.")
                : ValidationResult.Success();
        }
    }

    internal static StaffRole? ParseRole(string role) =>
        Enum.TryParse<StaffRole>(role, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !role.Any(char.IsDigit) ? parsed : null;

    protected override async Task<int> Execute(IServiceProvider services, Settings settings, CancellationToken ct)
    {
        var added = await services.GetRequiredService<StaffAccounts>().Add(settings.Email, ParseRole(settings.Role)!.Value, settings.Password, ct);
        if (!added.Succeeded)
        {
            await Console.Error.WriteLineAsync($"cloudbill: {added.Problem!.Message}");
            return 2;
        }
        var staff = added.Value;
        Console.Out.WriteLine($"Staff member:      {staff.Email} ({staff.Role.ToString().ToLowerInvariant()})");
        if (settings.Password is null)
            Console.Out.WriteLine($"Password:          {staff.Password}");
        Console.Out.WriteLine($"Authenticator key: {staff.AuthenticatorKey}");
        Console.Out.WriteLine($"Authenticator URI: {staff.AuthenticatorUri}");
        Console.Out.WriteLine("Add the key to an authenticator app (time-based, 6 digits), then sign in at /operator/signin with the email, the password and the app's code.");
        Console.Out.WriteLine("The key and the password are shown only now; give them to the staff member by a safe channel.");
        return 0;
    }
}

/// <summary>`cloudbill operators list`: every member of staff, their role and whether they are locked out.</summary>
public sealed class ListOperatorsCommand : CloudbillCommand<ListOperatorsCommand.Settings>
{
    public sealed class Settings : CommandSettings;

    protected override async Task<int> Execute(IServiceProvider services, Settings settings, CancellationToken ct)
    {
        var staff = await services.GetRequiredService<StaffAccounts>().List(ct);
        if (staff.Count == 0)
        {
            Console.Out.WriteLine("No staff accounts; `cloudbill operators add --email E --role viewer|support|finance` makes one.");
            return 0;
        }
        if (Console.IsOutputRedirected)
            AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 200);
        var table = new Table().AddColumns("Email", "Role", "Added (Asia/Shanghai)", "Sign-in");
        foreach (var s in staff)
        {
            table.AddRow(Markup.Escape(s.Email), s.Role.ToString().ToLowerInvariant(), BusinessCalendar.FormatDateTime(s.CreatedAt),
                s.LockedUntil is { } until ? $"locked until {BusinessCalendar.FormatDateTime(until)}" : "open");
        }
        AnsiConsole.Write(table);
        return 0;
    }
}

/// <summary>`cloudbill operators reset-authenticator --email E`: a new key for a lost phone; the old codes and every session stop.</summary>
public sealed class ResetOperatorAuthenticatorCommand : CloudbillCommand<ResetOperatorAuthenticatorCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--email <EMAIL>")]
        [Description("The staff member's email.")]
        public string Email { get; init; } = "";

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Email) ? ValidationResult.Error("--email is required.") : ValidationResult.Success();
    }

    protected override async Task<int> Execute(IServiceProvider services, Settings settings, CancellationToken ct)
    {
        var reset = await services.GetRequiredService<StaffAccounts>().ResetAuthenticator(settings.Email, ct);
        if (!reset.Succeeded)
        {
            await Console.Error.WriteLineAsync($"cloudbill: {reset.Problem!.Message}");
            return 2;
        }
        Console.Out.WriteLine($"Authenticator key: {reset.Value.AuthenticatorKey}");
        Console.Out.WriteLine($"Authenticator URI: {reset.Value.AuthenticatorUri}");
        Console.Out.WriteLine("The old key's codes no longer work and every console session of this staff member has ended.");
        return 0;
    }
}
