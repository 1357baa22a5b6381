using Cloudbill.Core.Problems;

namespace Cloudbill.Core.Suggestions;

public static class SuggestionErrors
{
    public static Problem ProductMissing() =>
        Problem.Invalid("Suggestion.ProductMissing", "Name the product you would like to renew or buy in the app.");

    public static Problem ProductTooLong(int length) =>
        Problem.Invalid("Suggestion.ProductTooLong", $"The product name is {length} characters long; keep it to {Suggestion.ProductMaxLength}.");

    public static Problem TextMissing() =>
        Problem.Invalid("Suggestion.TextMissing", "Write your suggestion.");

    public static Problem TextTooLong(int length) =>
        Problem.Invalid("Suggestion.TextTooLong", $"The suggestion is {length} characters long; keep it to {Suggestion.TextMaxLength}.");
}
