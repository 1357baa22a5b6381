using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cloudbill.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class GatewayPayments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "GatewayPayments",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    AccountId = table.Column<long>(type: "INTEGER", nullable: false),
                    Gateway = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Purpose = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    OrderId = table.Column<long>(type: "INTEGER", nullable: true),
                    OutTradeNo = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    ClientToken = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    AmountFen = table.Column<long>(type: "INTEGER", nullable: false),
                    Device = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    TxnTime = table.Column<long>(type: "INTEGER", nullable: false),
                    PayBy = table.Column<long>(type: "INTEGER", nullable: false),
                    GatewayTradeNo = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    ConfirmedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ConfirmedBy = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    Flag = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    RefundRequestNo = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    NextQueryAt = table.Column<long>(type: "INTEGER", nullable: true),
                    QueryCount = table.Column<int>(type: "INTEGER", nullable: false),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_GatewayPayments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_GatewayPayments_BillingAccounts_AccountId",
                        column: x => x.AccountId,
                        principalTable: "BillingAccounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_GatewayPayments_Orders_OrderId",
                        column: x => x.OrderId,
                        principalTable: "Orders",
                        principalColumn: "Id");
                });

            migrationBuilder.CreateIndex(
                name: "IX_GatewayPayments_AccountId_ClientToken",
                table: "GatewayPayments",
                columns: new[] { "AccountId", "ClientToken" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_GatewayPayments_AccountId_CreatedAt",
                table: "GatewayPayments",
                columns: new[] { "AccountId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_GatewayPayments_NextQueryAt",
                table: "GatewayPayments",
                column: "NextQueryAt");

            migrationBuilder.CreateIndex(
                name: "IX_GatewayPayments_OrderId",
                table: "GatewayPayments",
                column: "OrderId");

            migrationBuilder.CreateIndex(
                name: "IX_GatewayPayments_OutTradeNo",
                table: "GatewayPayments",
                column: "OutTradeNo",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "GatewayPayments");
        }
    }
}
