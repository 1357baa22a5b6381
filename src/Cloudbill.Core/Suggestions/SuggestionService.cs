using Cloudbill.Core.Audit;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Suggestions;

/// <summary>A suggestion as the operator reads it: with the customer's email.</summary>
public sealed record SuggestionRow(DateTimeOffset CreatedAt, string AccountEmail, string Product, string Text);

/// <summary>Stores customers' suggestions, lists them for the operator and carries staff's answers to the Message Center.</summary>
public sealed class SuggestionService(CloudbillDbContext db, Notifier notifier, AuditLog audit, TimeProvider clock)
{
    /// <summary>The cause key of a suggestion's answer (R9.3): one answer per suggestion.</summary>
    public static string AnswerKey(long suggestionId) => $"suggestion:{suggestionId}:answer";

    /// <summary>
    /// Staff's answer to one of the customer's suggestions, written to the customer's Message Center
    /// (and emailed from it) with its audit row, once: a second answer, or the same form sent twice,
    /// is refused as answered.
    /// </summary>
    public async Task<Result<Notification>> Answer(long accountId, long suggestionId, string? answer, CancellationToken ct)
    {
        var text = (answer ?? "").Trim();
        if (text.Length == 0)
            return SuggestionErrors.AnswerMissing();
        if (text.Length > Suggestion.AnswerMaxLength)
            return SuggestionErrors.AnswerTooLong(text.Length);
        if (text.Any(c => char.IsControl(c) && c is not ('\r' or '\n' or '\t')))
            return SuggestionErrors.AnswerInvalid();
        if (await db.Suggestions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == suggestionId && s.AccountId == accountId, ct) is not { } suggestion)
            return SuggestionErrors.NotFound(suggestionId);
        var key = AnswerKey(suggestionId);
        if (await db.Notifications.AnyAsync(n => n.CauseKey == key, ct))
            return SuggestionErrors.AlreadyAnswered(suggestionId);

        var message = notifier.Add(accountId, key, new SuggestionAnswered(suggestionId, suggestion.Product, suggestion.CreatedAt, text));
        audit.Add(AuditEventKind.SuggestionAnswered, accountId, $"answered suggestion {suggestionId} about {suggestion.Product}");
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Two members of staff answered at once: the cause key kept the first answer.
            db.ChangeTracker.Clear();
            if (await db.Notifications.AnyAsync(n => n.CauseKey == key, ct))
                return SuggestionErrors.AlreadyAnswered(suggestionId);
            throw;
        }
        return message;
    }

    /// <summary>The input's own checks, field by field, so the form can show each beside its field.</summary>
    public static (Problem? Product, Problem? Text) Check(string? product, string? text)
    {
        var p = (product ?? "").Trim();
        var t = (text ?? "").Trim();
        return (
            p.Length == 0 ? SuggestionErrors.ProductMissing() : p.Length > Suggestion.ProductMaxLength ? SuggestionErrors.ProductTooLong(p.Length) : null,
            t.Length == 0 ? SuggestionErrors.TextMissing() : t.Length > Suggestion.TextMaxLength ? SuggestionErrors.TextTooLong(t.Length) : null);
    }

    /// <summary>Stores the caller's suggestion; the same client token returns the one stored first.</summary>
    public async Task<Result<Suggestion>> Submit(long accountId, string? product, string? text, ClientToken token, CancellationToken ct)
    {
        var (productProblem, textProblem) = Check(product, text);
        if ((productProblem ?? textProblem) is { } problem)
            return problem;
        var earlier = await db.Suggestions.AsNoTracking().FirstOrDefaultAsync(s => s.AccountId == accountId && s.ClientToken == token.Value, ct);
        if (earlier is not null)
            return earlier;
        var suggestion = new Suggestion
        {
            AccountId = accountId,
            Product = product!.Trim(),
            Text = text!.Trim(),
            CreatedAt = clock.GetUtcNow(),
            ClientToken = token.Value,
        };
        db.Suggestions.Add(suggestion);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The same form posted twice at once: the other request stored it.
            db.ChangeTracker.Clear();
            return await db.Suggestions.AsNoTracking().FirstAsync(s => s.AccountId == accountId && s.ClientToken == token.Value, ct);
        }
        return suggestion;
    }

    /// <summary>Every suggestion made at or after <paramref name="since"/> (all when null), oldest first.</summary>
    public async Task<IReadOnlyList<SuggestionRow>> List(DateTimeOffset? since, CancellationToken ct)
    {
        var query = db.Suggestions.AsNoTracking();
        if (since is { } from)
            query = query.Where(s => s.CreatedAt >= from);
        var rows = await query.Join(db.BillingAccounts, s => s.AccountId, a => a.Id, (s, a) => new { s.Id, s.CreatedAt, a.Email, s.Product, s.Text })
            .OrderBy(r => r.CreatedAt).ThenBy(r => r.Id)
            .ToListAsync(ct);
        return rows.Select(r => new SuggestionRow(r.CreatedAt, r.Email, r.Product, r.Text)).ToList();
    }
}
