using Cloudbill.Core;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Suggestions;
using Cloudbill.Server.Cli;
using Cloudbill.Testing;

namespace Cloudbill.Server.Tests;

/// <summary>`suggestions list` prints what customers wrote: nothing of it reaches the operator's terminal as a command or as markup.</summary>
public class SuggestionsListTests
{
    [Fact]
    public void Control_characters_escape_sequences_and_bidi_controls_are_written_as_visible_escapes()
    {
        Assert.Equal(@"\x1B]0;pwned\x07 \x1B[2J \x9B31m \x9D8;;x\x9C tab\x09nl\x0A\x0D \x7F \u202Eevil\u202C \u2066i\u2069 \\x1B [red]x[/]",
            TerminalText.Safe("\u001b]0;pwned\u0007 \u001b[2J \u009b31m \u009d8;;x\u009c tab\tnl\n\r \u007f \u202eevil\u202c \u2066i\u2069 \\x1B [red]x[/]"));
        Assert.Equal("Let me renew ACR 企业版 from the phone.", TerminalText.Safe("Let me renew ACR 企业版 from the phone."));
    }

    [Fact]
    public async Task A_suggestion_with_escape_sequences_and_markup_is_listed_as_plain_visible_text()
    {
        await using var test = await TestServices.Start(DatabaseProvider.Sqlite, DateTimeOffset.UtcNow);
        var account = await test.Customer("0.00");
        var submitted = await test.Run<SuggestionService, Result<Suggestion>>((s, ct) => s.Submit(account, "[bold]ACR[/]",
            "retitle\u001b]0;pwned\u0007 clear\u001b[2J [red]boom[/] \u202eevil", ClientToken.New(), ct));
        Assert.True(submitted.Succeeded);

        var listed = await CloudbillProcess.Run(CloudbillProcess.DatabaseSettings(test.Database), "suggestions", "list");

        Assert.True(listed.ExitCode == 0, listed.Output + listed.Error);
        foreach (var raw in new[] { '\u001b', '\u0007', '\u202e' })
            Assert.DoesNotContain(raw, listed.Output);
        Assert.Contains(@"retitle\x1B]0;pwned\x07 clear\x1B[2J [red]boom[/] \u202Eevil", listed.Output, StringComparison.Ordinal);
        Assert.Contains("[bold]ACR[/]", listed.Output, StringComparison.Ordinal);
        Assert.Contains("1 suggestion(s).", listed.Output, StringComparison.Ordinal);
    }
}
