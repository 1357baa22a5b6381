using System.ComponentModel;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Payments;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cloudbill.Server.Cli;

public sealed class ReconcileCommand : CloudbillCommand<ReconcileCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--gateways")]
        [Description("Also list every Alipay and UnionPay payment with its state on both sides, asking the gateways, and flag what differs.")]
        public bool Gateways { get; init; }
    }

    protected override async Task<int> Execute(IServiceProvider services, Settings settings, CancellationToken ct)
    {
        var ledgerClean = await ReconcileLedger(services, ct);
        var gatewaysClean = !settings.Gateways || await ReconcileGateways(services, ct);
        return ledgerClean && gatewaysClean ? 0 : 1;
    }

    private static async Task<bool> ReconcileLedger(IServiceProvider services, CancellationToken ct)
    {
        var report = await services.GetRequiredService<Reconciliation>().Run(ct);
        if (report.IsClean)
        {
            Console.Out.WriteLine($"Ledger reconciled: {report.AccountsChecked} accounts and {report.TransactionsChecked} transactions, every balance equals its postings.");
            return true;
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
        return false;
    }

    private static async Task<bool> ReconcileGateways(IServiceProvider services, CancellationToken ct)
    {
        var checks = await services.GetRequiredService<GatewayReconciliation>().Run(ct);
        if (checks.Count == 0)
        {
            Console.Out.WriteLine("Gateway payments: none yet.");
            return true;
        }

        // One line per payment (not a table): long trade numbers and reasons stay whole and greppable.
        foreach (var check in checks)
        {
            var p = check.Payment;
            var purpose = p.Purpose == GatewayPaymentPurpose.TopUp ? "top-up" : $"order {p.OrderId}";
            var verdict = check.Agrees ? (p.Flag is null ? "ok" : $"ok (flagged: {p.Flag})") : "MISMATCH: " + string.Join("; ", check.Mismatches);
            var refund = check.Refund is { } r ? $", refund {r.State}{(r.Amount is { } back ? $" {back}" : "")}" : "";
            Console.Out.WriteLine($"{p.OutTradeNo} {p.Gateway} {purpose} {p.Amount} CNY: Cloudbill {p.State}, credited {check.Credited}; gateway {check.AtGateway.State} ({check.AtGateway.Detail}){refund}: {verdict}");
        }

        var mismatched = checks.Count(c => !c.Agrees);
        if (mismatched == 0)
        {
            Console.Out.WriteLine($"Gateway payments reconciled: {checks.Count} payment(s) agree with Alipay and UnionPay.");
            return true;
        }
        Console.Error.WriteLine($"cloudbill: gateway reconciliation failed: {mismatched} of {checks.Count} payment(s) differ from the gateway or the ledger.");
        return false;
    }
}
