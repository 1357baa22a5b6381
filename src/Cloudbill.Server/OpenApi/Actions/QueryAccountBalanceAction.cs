using Cloudbill.Core;
using Cloudbill.Core.Ledger;

namespace Cloudbill.Server.OpenApi.Actions;

public sealed record QueryAccountBalanceAnswer(
    string AvailableAmount, string AvailableCashAmount, string CreditAmount, string MybankCreditAmount, string QuotaLimit, string Currency);

/// <summary>QueryAccountBalance: the caller's cash and credit line (docs/api.md).</summary>
public sealed class QueryAccountBalanceAction(LedgerService ledger) : BssAction<BssNoParameters, QueryAccountBalanceAnswer>
{
    protected override BssNoParameters Bind(BssParameters parameters) => BssNoParameters.Value;

    protected override async Task<BssResult<QueryAccountBalanceAnswer>> Handle(BssCaller caller, BssNoParameters request, CancellationToken ct)
    {
        var balance = await ledger.Balance(caller.AccountId, ct);
        return new QueryAccountBalanceAnswer(
            AvailableAmount: balance.AvailableCredit.ToString(),
            AvailableCashAmount: balance.Cash.ToString(),
            CreditAmount: balance.CreditLine.ToString(),
            MybankCreditAmount: Money.Zero.ToString(),
            QuotaLimit: balance.CreditLine.ToString(),
            Currency: BssFormat.Currency);
    }
}
