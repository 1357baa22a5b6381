using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cloudbill.Server.OpenApi;

/// <summary>The two JSON shapes of every answer: a success with its `Data`, or a BSS error (docs/api.md, "Errors").</summary>
public static class BssAnswers
{
    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static Task Write(HttpContext http, BssOutcome outcome) =>
        outcome.Error is { } failed ? Error(http, failed) : Write(http, 200, new SuccessBody(RequestId(http), "Success", "Successful!", true, outcome.Data));

    public static Task Error(HttpContext http, BssError error)
    {
        var options = http.RequestServices.GetRequiredService<BssApiOptions>();
        return Write(http, error.Status, new ErrorBody(RequestId(http), options.HostId, error.Code, error.Message, $"See docs/api.md, error code {error.Code}."));
    }

    private static string RequestId(HttpContext http) => http.Features.Get<BssRequestFeature>()!.RequestId;

    private static async Task Write<TBody>(HttpContext http, int status, TBody body)
    {
        // The app's status code pages never replace an answer of the API.
        if (http.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages)
            pages.Enabled = false;
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(http.Response.Body, body, Json, http.RequestAborted);
    }

    private sealed record SuccessBody(string RequestId, string Code, string Message, bool Success, object? Data);

    private sealed record ErrorBody(string RequestId, string HostId, string Code, string Message, string Recommend);
}
