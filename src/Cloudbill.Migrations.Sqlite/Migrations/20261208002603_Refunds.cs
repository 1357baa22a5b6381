using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cloudbill.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Refunds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "RefundedFen",
                table: "Orders",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "RefundTxnTime",
                table: "GatewayPayments",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "RefundedAt",
                table: "GatewayPayments",
                type: "INTEGER",
                nullable: true);

            // What orders gave back before this release (an instance the cloud could not create,
            // docs/decisions/0032): its cash postings, so a refund cannot give it a second time.
            migrationBuilder.Sql("""
                UPDATE "Orders" SET "RefundedFen" = r.fen
                FROM (SELECT CAST(substr(t."BusinessKey", 7, instr(substr(t."BusinessKey", 7), ':') - 1) AS INTEGER) AS order_id, SUM(p."AmountFen") AS fen
                      FROM "JournalTransactions" t JOIN "Postings" p ON p."TransactionId" = t."Id"
                      WHERE t."BusinessKey" LIKE 'order:%:refund:%' AND p."BillingAccountId" IS NOT NULL
                      GROUP BY order_id) AS r
                WHERE "Orders"."Id" = r.order_id;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "RefundedFen",
                table: "Orders");

            migrationBuilder.DropColumn(
                name: "RefundTxnTime",
                table: "GatewayPayments");

            migrationBuilder.DropColumn(
                name: "RefundedAt",
                table: "GatewayPayments");
        }
    }
}
