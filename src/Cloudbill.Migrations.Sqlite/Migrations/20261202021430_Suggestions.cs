using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cloudbill.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Suggestions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ClientToken",
                table: "AccessKeys",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "DeletedAt",
                table: "AccessKeys",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Suggestions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    AccountId = table.Column<long>(type: "INTEGER", nullable: false),
                    Product = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ClientToken = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Suggestions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Suggestions_BillingAccounts_AccountId",
                        column: x => x.AccountId,
                        principalTable: "BillingAccounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AccessKeys_BillingAccountId_ClientToken",
                table: "AccessKeys",
                columns: new[] { "BillingAccountId", "ClientToken" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Suggestions_AccountId_ClientToken",
                table: "Suggestions",
                columns: new[] { "AccountId", "ClientToken" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Suggestions_CreatedAt",
                table: "Suggestions",
                column: "CreatedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Suggestions");

            migrationBuilder.DropIndex(
                name: "IX_AccessKeys_BillingAccountId_ClientToken",
                table: "AccessKeys");

            migrationBuilder.DropColumn(
                name: "ClientToken",
                table: "AccessKeys");

            migrationBuilder.DropColumn(
                name: "DeletedAt",
                table: "AccessKeys");
        }
    }
}
