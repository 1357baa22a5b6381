using Cloudbill.Core.Problems;

namespace Cloudbill.Server.OpenApi;

/// <summary>What an action answers: the `Data` of a success (a record of the action's own), or an error.</summary>
public readonly record struct BssOutcome(object? Data, BssError? Error)
{
    public static BssOutcome Ok(object? data) => new(data, null);

    public static BssOutcome FromError(BssError error) => new(null, error);
}

/// <summary>An action's typed answer: its <typeparamref name="TAnswer"/>, or an error.</summary>
public readonly record struct BssResult<TAnswer>(TAnswer? Data, BssError? Error)
    where TAnswer : class
{
    /// <summary>A success without data (the SDK's model has none: SetRenewal).</summary>
    public static BssResult<TAnswer> Done => default;

    public static implicit operator BssResult<TAnswer>(TAnswer data) => new(data, null);

    public static implicit operator BssResult<TAnswer>(BssError error) => new(null, error);

    public static implicit operator BssResult<TAnswer>(Problem problem) => new(null, BssErrors.From(problem));
}

/// <summary>One action of the table (<see cref="BssActions"/>), resolved from the request's services.</summary>
public interface IBssAction
{
    Task<BssOutcome> Run(BssCaller caller, BssParameters parameters, CancellationToken ct);
}

/// <summary>
/// An action as a handler: its parameters bound once into <typeparamref name="TRequest"/> (a
/// missing or malformed one answered as MissingParameter or InvalidParameter before anything
/// runs), then handled with the services its constructor takes.
/// </summary>
public abstract class BssAction<TRequest, TAnswer> : IBssAction
    where TAnswer : class
{
    protected abstract TRequest Bind(BssParameters parameters);

    protected abstract Task<BssResult<TAnswer>> Handle(BssCaller caller, TRequest request, CancellationToken ct);

    public async Task<BssOutcome> Run(BssCaller caller, BssParameters parameters, CancellationToken ct)
    {
        TRequest request;
        try
        {
            request = Bind(parameters);
        }
        catch (BssParameterException e)
        {
            return BssOutcome.FromError(e.Error);
        }
        var result = await Handle(caller, request, ct);
        return new BssOutcome(result.Data, result.Error);
    }
}

/// <summary>The request of an action that takes no parameters of its own.</summary>
public sealed record BssNoParameters
{
    public static BssNoParameters Value { get; } = new();
}
