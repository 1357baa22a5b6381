namespace Cloudbill.Core.Problems;

public enum ProblemKind
{
    Invalid,
    NotFound,
    Conflict,
    Forbidden,
}

/// <summary>
/// An expected failure: a stable code, a message that says what happened and what to do next,
/// and a kind that the one mapper at each edge turns into a status code.
/// </summary>
public sealed record Problem(string Code, string Message, ProblemKind Kind)
{
    public static Problem Invalid(string code, string message) => new(code, message, ProblemKind.Invalid);
    public static Problem NotFound(string code, string message) => new(code, message, ProblemKind.NotFound);
    public static Problem Conflict(string code, string message) => new(code, message, ProblemKind.Conflict);
    public static Problem Forbidden(string code, string message) => new(code, message, ProblemKind.Forbidden);
}

/// <summary>Either a value or the <see cref="Problem"/> that prevented it.</summary>
public readonly struct Result<T>
{
    private readonly T? value;

    private Result(T? value, Problem? problem)
    {
        this.value = value;
        Problem = problem;
    }

    public Problem? Problem { get; }
    public bool Succeeded => Problem is null;
    public T Value => Succeeded ? value! : throw new InvalidOperationException($"No value: {Problem!.Code}");

    public static implicit operator Result<T>(T value) => new(value, null);
    public static implicit operator Result<T>(Problem problem) => new(default, problem);
}
