using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cloudbill.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class BssApiNonces : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "SignatureNonces",
                columns: table => new
                {
                    AccessKeyId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Nonce = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    SeenAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SignatureNonces", x => new { x.AccessKeyId, x.Nonce });
                });

            migrationBuilder.CreateIndex(
                name: "IX_SignatureNonces_SeenAt",
                table: "SignatureNonces",
                column: "SeenAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SignatureNonces");
        }
    }
}
