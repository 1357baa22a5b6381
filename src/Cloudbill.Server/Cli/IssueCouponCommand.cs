using System.ComponentModel;
using Cloudbill.Core;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Time;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cloudbill.Server.Cli;

public sealed class IssueCouponCommand : CloudbillCommand<IssueCouponCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--account <EMAIL>")]
        [Description("Email of the customer account that receives the coupon.")]
        public string Account { get; init; } = "";

        [CommandOption("--amount <AMOUNT>")]
        [Description("Face value in CNY with up to two decimals, e.g. 50.00.")]
        public string Amount { get; init; } = "";

        [CommandOption("--min-order <AMOUNT>")]
        [Description("Minimum order amount (after the period discount) the coupon needs; default 0.00.")]
        public string MinimumOrder { get; init; } = "0.00";

        [CommandOption("--products <CODES>")]
        [Description("Comma-separated product codes (ecs,rds); omit for every product.")]
        public string Products { get; init; } = "";

        [CommandOption("--order-types <TYPES>")]
        [Description("Comma-separated order types: New, Renew; default New,Renew.")]
        public string OrderTypes { get; init; } = "New,Renew";

        [CommandOption("--subscription-type <TYPE>")]
        [Description("Subscription (default) or PayAsYouGo.")]
        public string SubscriptionType { get; init; } = "Subscription";

        [CommandOption("--valid-days <DAYS>")]
        [Description("Days the coupon stays valid, from now; default 30.")]
        public int ValidDays { get; init; } = 30;

        [CommandOption("--name <NAME>")]
        [Description("The name customers see in Vouchers; default \"<amount> voucher\".")]
        public string Name { get; init; } = "";

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Account))
                return ValidationResult.Error("--account is required.");
            if (!Money.TryParse(Amount, out _, out var amountError))
                return ValidationResult.Error($"--amount: {amountError}");
            if (!Money.TryParse(MinimumOrder, out _, out var minError))
                return ValidationResult.Error($"--min-order: {minError}");
            if (ParseOrderTypes(OrderTypes) is null)
                return ValidationResult.Error($"--order-types: '{OrderTypes}' must list New and/or Renew, e.g. New,Renew.");
            if (!Enum.TryParse<ChargeType>(SubscriptionType, ignoreCase: true, out _))
                return ValidationResult.Error($"--subscription-type: '{SubscriptionType}' must be Subscription or PayAsYouGo.");
            return ValidationResult.Success();
        }
    }

    internal static CouponOrderTypes? ParseOrderTypes(string text)
    {
        var types = CouponOrderTypes.None;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part.Equals("New", StringComparison.OrdinalIgnoreCase))
                types |= CouponOrderTypes.New;
            else if (part.Equals("Renew", StringComparison.OrdinalIgnoreCase))
                types |= CouponOrderTypes.Renew;
            else
                return null;
        }
        return types == CouponOrderTypes.None ? null : types;
    }

    protected override async Task<int> Execute(IServiceProvider services, Settings settings, CancellationToken ct)
    {
        var issue = new CouponIssue(settings.Account.Trim(), new CouponTerms(
            settings.Name,
            Money.Parse(settings.Amount),
            Money.Parse(settings.MinimumOrder),
            settings.Products.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            ParseOrderTypes(settings.OrderTypes)!.Value,
            Enum.Parse<ChargeType>(settings.SubscriptionType, ignoreCase: true),
            settings.ValidDays));
        var issued = await services.GetRequiredService<CouponService>().Issue(issue, ct);
        if (!issued.Succeeded)
        {
            Console.Error.WriteLine($"cloudbill: {issued.Problem!.Message}");
            return 1;
        }

        var c = issued.Value;
        var table = new Table().AddColumns("Coupon", Markup.Escape(c.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        table.AddRow("Account", Markup.Escape(issue.AccountEmail));
        table.AddRow("Name", Markup.Escape(c.Name));
        table.AddRow("Amount", c.FaceValue.ToString());
        table.AddRow("Minimum order", c.MinimumOrder.ToString());
        table.AddRow("Products", c.Products.Count == 0 ? "all" : Markup.Escape(string.Join(", ", c.Products)));
        table.AddRow("Order types", CouponRules.DescribeOrderTypes(c.OrderTypes));
        table.AddRow("Subscription type", c.ChargeType.ToString());
        table.AddRow("Valid", $"{BusinessCalendar.FormatDateTime(c.ValidFrom)} to {BusinessCalendar.FormatDateTime(c.ValidTo)} (Asia/Shanghai)");
        AnsiConsole.Write(table);
        return 0;
    }
}
