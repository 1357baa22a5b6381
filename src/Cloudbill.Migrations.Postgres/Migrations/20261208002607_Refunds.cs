using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cloudbill.Migrations.Postgres.Migrations
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
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "RefundTxnTime",
                table: "GatewayPayments",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "RefundedAt",
                table: "GatewayPayments",
                type: "timestamp with time zone",
                nullable: true);

            // What orders gave back before this release (an instance the cloud could not create,
            // docs/decisions/0032): its cash postings, so a refund cannot give it a second time.
            migrationBuilder.Sql("""
                UPDATE "Orders" AS o SET "RefundedFen" = r.fen
                FROM (SELECT CAST(split_part(t."BusinessKey", ':', 2) AS bigint) AS order_id, SUM(p."AmountFen") AS fen
                      FROM "JournalTransactions" t JOIN "Postings" p ON p."TransactionId" = t."Id"
                      WHERE t."BusinessKey" LIKE 'order:%:refund:%' AND p."BillingAccountId" IS NOT NULL
                      GROUP BY 1) AS r
                WHERE o."Id" = r.order_id;
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
