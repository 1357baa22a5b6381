using Microsoft.AspNetCore.Http;

namespace Cloudbill.Sandbox;

/// <summary>A 303 See Other: after a form post the browser follows with a GET.</summary>
internal sealed class SeeOther(string location) : IResult
{
    public string Location { get; } = location;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
        httpContext.Response.Headers.Location = Location;
        return Task.CompletedTask;
    }
}
