using System.ComponentModel;
using Cloudbill.Core.ProviderApi;
using Cloudbill.Core.Time;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cloudbill.Server.Cli;

/// <summary>`cloudbill provider-keys add --description D`: a key for the provider API; the secret is printed once.</summary>
public sealed class AddProviderKeyCommand : CloudbillCommand<AddProviderKeyCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--description <TEXT>")]
        [Description("What the key is for, e.g. \"production cloud\" (1 to 200 characters).")]
        public string Description { get; init; } = "";

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Description) ? ValidationResult.Error("--description is required.") : ValidationResult.Success();
    }

    protected override async Task<int> Execute(IServiceProvider services, Settings settings, CancellationToken ct)
    {
        var added = await services.GetRequiredService<ProviderKeyService>().Add(settings.Description, ct);
        if (!added.Succeeded)
        {
            await Console.Error.WriteLineAsync($"cloudbill: {added.Problem!.Message}");
            return 2;
        }
        Console.Out.WriteLine($"Provider key id: {added.Value.Id}");
        Console.Out.WriteLine($"Secret:          {added.Value.Secret}");
        Console.Out.WriteLine($"Send it as:      Authorization: Bearer {added.Value.Token}");
        Console.Out.WriteLine("The secret is shown only now and is not stored; keep it in the provider's secret store.");
        return 0;
    }
}

/// <summary>`cloudbill provider-keys list`: every provider key, without secrets.</summary>
public sealed class ListProviderKeysCommand : CloudbillCommand<ListProviderKeysCommand.Settings>
{
    public sealed class Settings : CommandSettings;

    protected override async Task<int> Execute(IServiceProvider services, Settings settings, CancellationToken ct)
    {
        var keys = await services.GetRequiredService<ProviderKeyService>().List(ct);
        if (keys.Count == 0)
        {
            Console.Out.WriteLine("No provider keys; `cloudbill provider-keys add --description TEXT` makes one.");
            return 0;
        }
        if (Console.IsOutputRedirected)
            AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 200);
        var table = new Table().AddColumns("Key id", "Description", "Created (Asia/Shanghai)", "State");
        foreach (var key in keys)
        {
            table.AddRow(key.Id, Markup.Escape(key.Description), BusinessCalendar.FormatDateTime(key.CreatedAt),
                key.RevokedAt is { } revoked ? $"revoked {BusinessCalendar.FormatDateTime(revoked)}" : "active");
        }
        AnsiConsole.Write(table);
        return 0;
    }
}

/// <summary>`cloudbill provider-keys revoke ID`: the key authenticates nothing from now on.</summary>
public sealed class RevokeProviderKeyCommand : CloudbillCommand<RevokeProviderKeyCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<ID>")]
        [Description("The key id, pk_…")]
        public string Id { get; init; } = "";
    }

    protected override async Task<int> Execute(IServiceProvider services, Settings settings, CancellationToken ct)
    {
        var revoked = await services.GetRequiredService<ProviderKeyService>().Revoke(settings.Id.Trim(), ct);
        if (!revoked.Succeeded)
        {
            await Console.Error.WriteLineAsync($"cloudbill: {revoked.Problem!.Message}");
            return 2;
        }
        Console.Out.WriteLine($"Provider key {revoked.Value.Id} is revoked.");
        return 0;
    }
}
