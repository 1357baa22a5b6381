using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cloudbill.Migrations.Sqlite.Migrations
{
    /// <summary>
    /// Notices are stored as their kind and parameters (Content, JSON) and rendered in the reader's
    /// language (docs/decisions/0030). The English title and body of rows written before are kept,
    /// renamed Legacy*, and shown as they were; newer rows leave them null.
    /// </summary>
    public partial class NoticesRenderedForTheReader : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(name: "Title", table: "Notifications", newName: "LegacyTitle");
            migrationBuilder.RenameColumn(name: "Body", table: "Notifications", newName: "LegacyBody");

            migrationBuilder.AlterColumn<string>(
                name: "LegacyTitle",
                table: "Notifications",
                type: "TEXT",
                maxLength: 200,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldMaxLength: 200);

            migrationBuilder.AlterColumn<string>(
                name: "LegacyBody",
                table: "Notifications",
                type: "TEXT",
                maxLength: 2000,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldMaxLength: 2000);

            migrationBuilder.AddColumn<string>(
                name: "Content",
                table: "Notifications",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Rows written with content have no English text to go back to: they keep an empty one.
            migrationBuilder.Sql("UPDATE \"Notifications\" SET \"LegacyTitle\" = '' WHERE \"LegacyTitle\" IS NULL");
            migrationBuilder.Sql("UPDATE \"Notifications\" SET \"LegacyBody\" = '' WHERE \"LegacyBody\" IS NULL");

            migrationBuilder.DropColumn(name: "Content", table: "Notifications");

            migrationBuilder.AlterColumn<string>(
                name: "LegacyTitle",
                table: "Notifications",
                type: "TEXT",
                maxLength: 200,
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldMaxLength: 200,
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "LegacyBody",
                table: "Notifications",
                type: "TEXT",
                maxLength: 2000,
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldMaxLength: 2000,
                oldNullable: true);

            migrationBuilder.RenameColumn(name: "LegacyTitle", table: "Notifications", newName: "Title");
            migrationBuilder.RenameColumn(name: "LegacyBody", table: "Notifications", newName: "Body");
        }
    }
}
