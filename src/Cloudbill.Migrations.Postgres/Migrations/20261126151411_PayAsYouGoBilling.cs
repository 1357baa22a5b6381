using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cloudbill.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class PayAsYouGoBilling : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ChargedUntil",
                table: "Instances",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "PayAsYouGoDueAt",
                table: "Instances",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "OverdueSince",
                table: "BillingAccounts",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Instances_PayAsYouGoDueAt",
                table: "Instances",
                column: "PayAsYouGoDueAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Instances_PayAsYouGoDueAt",
                table: "Instances");

            migrationBuilder.DropColumn(
                name: "ChargedUntil",
                table: "Instances");

            migrationBuilder.DropColumn(
                name: "PayAsYouGoDueAt",
                table: "Instances");

            migrationBuilder.DropColumn(
                name: "OverdueSince",
                table: "BillingAccounts");
        }
    }
}
