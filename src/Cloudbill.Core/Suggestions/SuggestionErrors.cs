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

    public static Problem NotFound(long id) =>
        Problem.NotFound("Suggestion.NotFound", $"The customer has no suggestion {id}.");

    public static Problem AnswerMissing() =>
        Problem.Invalid("Suggestion.AnswerMissing", "Write the answer the customer will read.");

    public static Problem AnswerTooLong(int length) =>
        Problem.Invalid("Suggestion.AnswerTooLong", $"The answer is {length} characters long; keep it to {Suggestion.AnswerMaxLength}.");

    public static Problem AnswerInvalid() =>
        Problem.Invalid("Suggestion.AnswerInvalid", "An answer has no control characters but line breaks.");

    public static Problem AlreadyAnswered(long id) =>
        Problem.Conflict("Suggestion.AlreadyAnswered", $"Suggestion {id} is answered already; the customer has the answer in the Message Center.");
}
