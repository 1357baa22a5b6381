using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cloudbill.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class RenewalViewsSearchIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Instances_RenewalViews",
                table: "Instances");

            migrationBuilder.CreateIndex(
                name: "IX_Instances_RenewalViews",
                table: "Instances",
                columns: new[] { "AccountId", "ExpiresAt", "Id", "ProductCode", "RegionId", "RenewalMethod" },
                filter: "\"ReleasedAt\" IS NULL AND \"ChargeType\" = 'Subscription'")
                .Annotation("Npgsql:IndexInclude", new[] { "Name" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Instances_RenewalViews",
                table: "Instances");

            migrationBuilder.CreateIndex(
                name: "IX_Instances_RenewalViews",
                table: "Instances",
                columns: new[] { "AccountId", "ExpiresAt", "Id", "ProductCode", "RegionId", "RenewalMethod" },
                filter: "\"ReleasedAt\" IS NULL AND \"ChargeType\" = 'Subscription'");
        }
    }
}
