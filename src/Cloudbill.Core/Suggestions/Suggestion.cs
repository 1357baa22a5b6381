using Cloudbill.Core.Accounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cloudbill.Core.Suggestions;

/// <summary>
/// What a customer asked for in My > Service Center > Suggestions: docs/procedures.md (FAQ, Renewable products) sends those who
/// want another product renewed in the app there. Operators read them with `cloudbill suggestions list`.
/// </summary>
public sealed class Suggestion
{
    public const int ProductMaxLength = 100;
    public const int TextMaxLength = 1000;
    public const int AnswerMaxLength = 1000;

    public long Id { get; set; }
    public long AccountId { get; set; }

    /// <summary>The product wished for, in the customer's words.</summary>
    public required string Product { get; set; }

    public required string Text { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>One per form view: a double tap stores one suggestion.</summary>
    public required string ClientToken { get; set; }
}

internal sealed class SuggestionConfiguration : IEntityTypeConfiguration<Suggestion>
{
    public void Configure(EntityTypeBuilder<Suggestion> e)
    {
        e.Property(s => s.Product).HasMaxLength(Suggestion.ProductMaxLength);
        e.Property(s => s.Text).HasMaxLength(Suggestion.TextMaxLength);
        e.Property(s => s.ClientToken).HasMaxLength(ClientToken.MaxLength);
        e.HasOne<BillingAccount>().WithMany().HasForeignKey(s => s.AccountId);
        e.HasIndex(s => new { s.AccountId, s.ClientToken }).IsUnique();
        // The operator's list reads them by date.
        e.HasIndex(s => s.CreatedAt);
    }
}
