using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cloudbill.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class PayAsYouGoBilling : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "ChargedUntil",
                table: "Instances",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "PayAsYouGoDueAt",
                table: "Instances",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "OverdueSince",
                table: "BillingAccounts",
                type: "INTEGER",
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
