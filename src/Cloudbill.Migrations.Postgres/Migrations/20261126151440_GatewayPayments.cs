using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Cloudbill.Migrations.Postgres.Migrations
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    AccountId = table.Column<long>(type: "bigint", nullable: false),
                    Gateway = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Purpose = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    OrderId = table.Column<long>(type: "bigint", nullable: true),
                    OutTradeNo = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    ClientToken = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    AmountFen = table.Column<long>(type: "bigint", nullable: false),
                    Device = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    State = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    TxnTime = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    PayBy = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    GatewayTradeNo = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    ConfirmedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ConfirmedBy = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    Outcome = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    Flag = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    RefundRequestNo = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    NextQueryAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    QueryCount = table.Column<int>(type: "integer", nullable: false),
                    Version = table.Column<long>(type: "bigint", nullable: false)
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
