using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cloudbill.Migrations.Sqlite.Migrations
{
    /// <summary>
    /// Data every database needs, once, instead of at every start (it was the migrator's): the
    /// shared ledger accounts, before any posting, so two first payments cannot race to create
    /// them; and R8.1: pay-as-you-go instances from before hourly billing are charged from now on.
    /// </summary>
    public partial class DataMovedOutOfTheMigrator : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                INSERT INTO "LedgerAccounts" ("Code", "Kind", "BalanceFen") VALUES
                    ('revenue', 'Revenue', 0),
                    ('coupon-expense', 'CouponExpense', 0),
                    ('clearing:alipay', 'AlipayClearing', 0),
                    ('clearing:unionpay', 'UnionPayClearing', 0),
                    ('operator-adjustments', 'OperatorAdjustments', 0)
                ON CONFLICT ("Code") DO NOTHING
                """);
            // Instants are UTC ticks on SQLite (docs/decisions/0003); the meter starts on a whole second.
            migrationBuilder.Sql("""
                UPDATE "Instances"
                SET "ChargedUntil" = CAST(strftime('%s', 'now') AS INTEGER) * 10000000 + 621355968000000000,
                    "PayAsYouGoDueAt" = CAST(strftime('%s', 'now') AS INTEGER) * 10000000 + 621355968000000000 + 36000000000
                WHERE "ChargeType" = 'PayAsYouGo' AND "ReleasedAt" IS NULL AND "ChargedUntil" IS NULL
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Data only: the accounts and meters stay (postings may refer to the accounts).
        }
    }
}
