using Cloudbill.Core.Ledger;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cloudbill.Server.Cli;

public sealed class ReconcileCommand : CloudbillCommand<ReconcileCommand.Settings>
{
    public sealed class Settings : CommandSettings;

    protected override async Task<int> Execute(IServiceProvider services, Settings settings, CancellationToken ct)
    {
        var report = await services.GetRequiredService<Reconciliation>().Run(ct);
        if (report.IsClean)
        {
            Console.Out.WriteLine($"Ledger reconciled: {report.AccountsChecked} accounts and {report.TransactionsChecked} transactions, every balance equals its postings.");
            return 0;
        }

        if (report.Mismatches.Count > 0)
        {
            var table = new Table().AddColumns("Ledger account", "Stored balance", "Sum of postings", "Difference");
            foreach (var m in report.Mismatches)
                table.AddRow(Markup.Escape(m.AccountCode), m.Stored.ToString(), m.SumOfPostings.ToString(), (m.Stored - m.SumOfPostings).ToString());
            AnsiConsole.Write(table);
        }
        foreach (var u in report.Unbalanced)
            Console.Out.WriteLine($"Transaction {u.BusinessKey} does not balance: its postings sum to {u.Sum}.");
        Console.Error.WriteLine($"cloudbill: reconciliation failed: {report.Mismatches.Count} balance(s) differ from their postings, {report.Unbalanced.Count} transaction(s) do not balance.");
        return 1;
    }
}
