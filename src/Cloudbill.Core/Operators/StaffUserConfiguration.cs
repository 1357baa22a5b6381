using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cloudbill.Core.Operators;

/// <summary>
/// Staff tables beside the customers' AspNetUsers, never mixed with them: a staff row is not a
/// customer (no billing account) and a customer's row never opens the operator console. The
/// claim, login and token rows derive from Identity's own types, which the customers' tables
/// already map; each is made a root of its own here so that EF does not put both in one table.
/// </summary>
internal sealed class StaffUserConfiguration :
    IEntityTypeConfiguration<StaffUser>,
    IEntityTypeConfiguration<StaffUserClaim>,
    IEntityTypeConfiguration<StaffUserLogin>,
    IEntityTypeConfiguration<StaffUserToken>
{
    public void Configure(EntityTypeBuilder<StaffUser> e)
    {
        e.ToTable("StaffUsers");
        e.HasKey(u => u.Id);
        e.Property(u => u.Id).HasMaxLength(64);
        e.Property(u => u.UserName).HasMaxLength(256);
        e.Property(u => u.NormalizedUserName).HasMaxLength(256);
        e.Property(u => u.Email).HasMaxLength(256);
        e.Property(u => u.NormalizedEmail).HasMaxLength(256);
        e.Property(u => u.PasswordHash).HasMaxLength(512);
        e.Property(u => u.SecurityStamp).HasMaxLength(64);
        e.Property(u => u.ConcurrencyStamp).HasMaxLength(64).IsConcurrencyToken();
        e.Property(u => u.PhoneNumber).HasMaxLength(32);
        e.HasIndex(u => u.NormalizedUserName).IsUnique();
        e.HasIndex(u => u.NormalizedEmail).IsUnique();
    }

    public void Configure(EntityTypeBuilder<StaffUserClaim> e)
    {
        e.HasBaseType((Type?)null);
        e.ToTable("StaffUserClaims");
        e.HasKey(c => c.Id);
        e.Property(c => c.UserId).HasMaxLength(64);
        e.Property(c => c.ClaimType).HasMaxLength(256);
        e.Property(c => c.ClaimValue).HasMaxLength(256);
        e.HasOne<StaffUser>().WithMany().HasForeignKey(c => c.UserId).IsRequired();
    }

    public void Configure(EntityTypeBuilder<StaffUserLogin> e)
    {
        e.HasBaseType((Type?)null);
        e.ToTable("StaffUserLogins");
        e.HasKey(l => new { l.LoginProvider, l.ProviderKey });
        e.Property(l => l.LoginProvider).HasMaxLength(128);
        e.Property(l => l.ProviderKey).HasMaxLength(128);
        e.Property(l => l.UserId).HasMaxLength(64);
        e.HasOne<StaffUser>().WithMany().HasForeignKey(l => l.UserId).IsRequired();
    }

    public void Configure(EntityTypeBuilder<StaffUserToken> e)
    {
        e.HasBaseType((Type?)null);
        e.ToTable("StaffUserTokens");
        e.HasKey(t => new { t.UserId, t.LoginProvider, t.Name });
        e.Property(t => t.UserId).HasMaxLength(64);
        e.Property(t => t.LoginProvider).HasMaxLength(128);
        e.Property(t => t.Name).HasMaxLength(128);
        e.Property(t => t.Value).HasMaxLength(256);
        e.HasOne<StaffUser>().WithMany().HasForeignKey(t => t.UserId).IsRequired();
    }
}
