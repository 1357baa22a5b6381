using Cloudbill.Core.Problems;
using Cloudbill.Server.Hosting;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;

namespace Cloudbill.Server.App.Shared;

/// <summary>
/// What every page of the app shares: its strings in the reader's language, the request it answers,
/// and the one way a refusal is shown: the reason above the form (with Top-up beside it when a
/// top-up fixes it) and the problem's 4xx as the page's status, as the API would answer.
/// </summary>
public abstract class AppPage : ComponentBase
{
    /// <summary>Any form error: the fields say which; the status says the post changed nothing.</summary>
    protected static readonly Problem FormHasErrors = Problem.Invalid("Form.Invalid", "The form has errors.");

    [Inject]
    protected IStringLocalizer<Text> L { get; set; } = default!;

    [Inject]
    protected IHttpContextAccessor Http { get; set; } = default!;

    /// <summary>The request's token: a phone that goes away (a tap elsewhere, a closed tab) ends the page's queries instead of leaving them to run for nobody.</summary>
    protected CancellationToken RequestAborted => Http.HttpContext?.RequestAborted ?? CancellationToken.None;

    /// <summary>The refusal shown above the page, in the reader's language; null when there is none.</summary>
    protected string? Error { get; set; }

    /// <summary>Whether a top-up fixes the refusal (R7.4, R7.1): the page links to Top-up beside it.</summary>
    protected bool TopUpHelps { get; private set; }

    /// <summary>Shows the refusal and answers the page with its status (400, 404, 409).</summary>
    protected void Fail(Problem problem)
    {
        Show(problem, Display.Problem(L, problem));
        AnswerWith(problem);
    }

    /// <summary>The page's status for a refusal it shows its own way (beside the fields).</summary>
    protected void AnswerWith(Problem problem) => ProblemResults.SetStatus(Http.HttpContext, problem);

    /// <summary>
    /// Where the reason goes: above the form. The first refusal of a request is the one shown; what
    /// follows from it would only repeat it. A page that places some reasons beside a field overrides this.
    /// </summary>
    protected virtual void Show(Problem problem, string message)
    {
        Error ??= message;
        TopUpHelps = problem.Code is "Account.Overdue" or "Order.InsufficientCredit" or "PayAsYouGo.CreditBelowMinimum";
    }
}
