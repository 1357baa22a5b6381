using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Cloudbill.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class OrdersAndCoupons : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "CreatedByOrderId",
                table: "Instances",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "UnpaidOrderId",
                table: "Instances",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "FrozenByOrderId",
                table: "Coupons",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Orders",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    AccountId = table.Column<long>(type: "bigint", nullable: false),
                    ClientToken = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Type = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    ProductCode = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    SubscriptionType = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    PayBy = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    PaidAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    PaidWith = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    CancelledAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CancelReason = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    OriginalPriceFen = table.Column<long>(type: "bigint", nullable: false),
                    DiscountFen = table.Column<long>(type: "bigint", nullable: false),
                    CouponDeductionFen = table.Column<long>(type: "bigint", nullable: false),
                    CouponId = table.Column<long>(type: "bigint", nullable: true),
                    PayableFen = table.Column<long>(type: "bigint", nullable: false),
                    Version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Orders", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Orders_BillingAccounts_AccountId",
                        column: x => x.AccountId,
                        principalTable: "BillingAccounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "OrderLines",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    OrderId = table.Column<long>(type: "bigint", nullable: false),
                    AccountId = table.Column<long>(type: "bigint", nullable: false),
                    InstanceId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    SpecCode = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    RegionId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Months = table.Column<int>(type: "integer", nullable: false),
                    Quantity = table.Column<int>(type: "integer", nullable: false),
                    MonthlyPriceFen = table.Column<long>(type: "bigint", nullable: false),
                    DiscountPercent = table.Column<int>(type: "integer", nullable: false),
                    OriginalPriceFen = table.Column<long>(type: "bigint", nullable: false),
                    DiscountFen = table.Column<long>(type: "bigint", nullable: false),
                    RenewalMethod = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    AutoRenewPeriodMonths = table.Column<int>(type: "integer", nullable: true),
                    ExpiresBefore = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ExpiresAfter = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OrderLines", x => x.Id);
                    table.ForeignKey(
                        name: "FK_OrderLines_Orders_OrderId",
                        column: x => x.OrderId,
                        principalTable: "Orders",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Instances_CreatedByOrderId",
                table: "Instances",
                column: "CreatedByOrderId");

            migrationBuilder.CreateIndex(
                name: "IX_Instances_UnpaidOrderId",
                table: "Instances",
                column: "UnpaidOrderId");

            migrationBuilder.CreateIndex(
                name: "IX_Coupons_FrozenByOrderId",
                table: "Coupons",
                column: "FrozenByOrderId");

            migrationBuilder.CreateIndex(
                name: "IX_OrderLines_InstanceId",
                table: "OrderLines",
                column: "InstanceId");

            migrationBuilder.CreateIndex(
                name: "IX_OrderLines_OrderId",
                table: "OrderLines",
                column: "OrderId");

            migrationBuilder.CreateIndex(
                name: "IX_Orders_AccountId_ClientToken",
                table: "Orders",
                columns: new[] { "AccountId", "ClientToken" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Orders_AccountId_CreatedAt",
                table: "Orders",
                columns: new[] { "AccountId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Orders_Status_PayBy",
                table: "Orders",
                columns: new[] { "Status", "PayBy" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "OrderLines");

            migrationBuilder.DropTable(
                name: "Orders");

            migrationBuilder.DropIndex(
                name: "IX_Instances_CreatedByOrderId",
                table: "Instances");

            migrationBuilder.DropIndex(
                name: "IX_Instances_UnpaidOrderId",
                table: "Instances");

            migrationBuilder.DropIndex(
                name: "IX_Coupons_FrozenByOrderId",
                table: "Coupons");

            migrationBuilder.DropColumn(
                name: "CreatedByOrderId",
                table: "Instances");

            migrationBuilder.DropColumn(
                name: "UnpaidOrderId",
                table: "Instances");

            migrationBuilder.DropColumn(
                name: "FrozenByOrderId",
                table: "Coupons");
        }
    }
}
