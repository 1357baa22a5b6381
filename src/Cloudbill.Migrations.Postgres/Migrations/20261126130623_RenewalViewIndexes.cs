using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cloudbill.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class RenewalViewIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Instances_RenewalViews",
                table: "Instances",
                columns: new[] { "AccountId", "ExpiresAt", "Id", "ProductCode", "RegionId", "RenewalMethod" },
                filter: "\"ReleasedAt\" IS NULL AND \"ChargeType\" = 'Subscription'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Instances_RenewalViews",
                table: "Instances");
        }
    }
}
