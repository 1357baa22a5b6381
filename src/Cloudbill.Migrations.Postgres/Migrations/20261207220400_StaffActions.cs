using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cloudbill.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class StaffActions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "IssueKey",
                table: "Coupons",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "RevokedAt",
                table: "Coupons",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Reason",
                table: "AuditEvents",
                type: "character varying(300)",
                maxLength: 300,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Orders_PaidAt",
                table: "Orders",
                column: "PaidAt");

            migrationBuilder.CreateIndex(
                name: "IX_JournalTransactions_PostedAt",
                table: "JournalTransactions",
                column: "PostedAt");

            migrationBuilder.CreateIndex(
                name: "IX_Instances_CreatedAt_Id",
                table: "Instances",
                columns: new[] { "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_GatewayPayments_ConfirmedAt",
                table: "GatewayPayments",
                column: "ConfirmedAt");

            migrationBuilder.CreateIndex(
                name: "IX_GatewayPayments_State_CreatedAt",
                table: "GatewayPayments",
                columns: new[] { "State", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_EngineActions_Kind_DoneAt",
                table: "EngineActions",
                columns: new[] { "Kind", "DoneAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Coupons_IssueKey",
                table: "Coupons",
                column: "IssueKey",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Orders_PaidAt",
                table: "Orders");

            migrationBuilder.DropIndex(
                name: "IX_JournalTransactions_PostedAt",
                table: "JournalTransactions");

            migrationBuilder.DropIndex(
                name: "IX_Instances_CreatedAt_Id",
                table: "Instances");

            migrationBuilder.DropIndex(
                name: "IX_GatewayPayments_ConfirmedAt",
                table: "GatewayPayments");

            migrationBuilder.DropIndex(
                name: "IX_GatewayPayments_State_CreatedAt",
                table: "GatewayPayments");

            migrationBuilder.DropIndex(
                name: "IX_EngineActions_Kind_DoneAt",
                table: "EngineActions");

            migrationBuilder.DropIndex(
                name: "IX_Coupons_IssueKey",
                table: "Coupons");

            migrationBuilder.DropColumn(
                name: "IssueKey",
                table: "Coupons");

            migrationBuilder.DropColumn(
                name: "RevokedAt",
                table: "Coupons");

            migrationBuilder.DropColumn(
                name: "Reason",
                table: "AuditEvents");
        }
    }
}
