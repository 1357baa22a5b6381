using Cloudbill.Core.Problems;

namespace Cloudbill.Server.Hosting;

/// <summary>The one place a <see cref="Problem"/> becomes an HTTP status: RFC 7807 JSON with the problem's code.</summary>
internal static class ProblemResults
{
    public static int StatusOf(Problem problem) => problem.Kind switch
    {
        ProblemKind.Invalid => StatusCodes.Status400BadRequest,
        ProblemKind.NotFound => StatusCodes.Status404NotFound,
        ProblemKind.Conflict => StatusCodes.Status409Conflict,
        ProblemKind.Forbidden => StatusCodes.Status403Forbidden,
    };

    public static IResult From(Problem problem) =>
        Results.Problem(title: problem.Message, statusCode: StatusOf(problem), extensions: new Dictionary<string, object?> { ["code"] = problem.Code });
}
