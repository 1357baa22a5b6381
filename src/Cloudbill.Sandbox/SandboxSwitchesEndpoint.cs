using System.Globalization;
using System.Text.Json;
using Cloudbill.Sandbox.Notifications;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;

namespace Cloudbill.Sandbox;

/// <summary>
/// <c>POST {prefix}/switches</c>: a JSON object or a form with any of the switch names
/// (<c>dropFirst=3</c>, <c>duplicate=5</c>, <c>delay=00:05:00</c> or seconds, <c>reorder=true</c>,
/// <c>wrongAmount</c>, <c>badSignature</c>, <c>wrongAppId</c>, <c>wrongSellerId</c>, <c>wrongMerId</c>,
/// <c>showAllChannels</c>); <c>reset=true</c> first returns to the defaults. Names not sent keep
/// their value. Needs the antiforgery token of the index page. Answers the switches now in force,
/// or 400 naming the bad value or the missing token (nothing changed).
/// </summary>
internal static class SandboxSwitchesEndpoint
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static async Task<IResult> Update(HttpContext context, SwitchBoard switches, IAntiforgery antiforgery)
    {
        // Anonymous, but not cross-site: the token comes from this sandbox's own index page.
        if (!await antiforgery.IsRequestValidAsync(context))
            return Bad("Missing or invalid antiforgery token: send the form of the sandbox's index page, or its __RequestVerificationToken value in the RequestVerificationToken header (with the cookie it came with).");
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        try
        {
            if (context.Request.HasFormContentType)
            {
                var form = await context.Request.ReadFormAsync(context.RequestAborted);
                foreach (var (key, value) in form)
                    values[key] = value.ToString();
            }
            else
            {
                using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                    return Bad("Send a JSON object or a form with switch names, for example {\"duplicate\":5}.");
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    values[property.Name] = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString()!,
                        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                        _ => "",
                    };
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or BadHttpRequestException or IOException)
        {
            return Bad("Send a JSON object or a form with switch names, for example {\"duplicate\":5}.");
        }

        var updated = values.TryGetValue("reset", out var reset) && reset.Equals("true", StringComparison.OrdinalIgnoreCase)
            ? new SandboxSwitches()
            : switches.Current;
        foreach (var (name, text) in values)
        {
            if (name.Equals("reset", StringComparison.OrdinalIgnoreCase) || name.Equals("__RequestVerificationToken", StringComparison.Ordinal))
                continue;
            string? problem = null;
            switch (name.ToLowerInvariant())
            {
                case "dropfirst": updated = updated with { DropFirst = Int(name, text, ref problem) }; break;
                case "duplicate": updated = updated with { Duplicate = Int(name, text, ref problem) }; break;
                case "delay": updated = updated with { Delay = Span(name, text, ref problem) }; break;
                case "reorder": updated = updated with { Reorder = Bool(name, text, ref problem) }; break;
                case "wrongamount": updated = updated with { WrongAmount = Bool(name, text, ref problem) }; break;
                case "badsignature": updated = updated with { BadSignature = Bool(name, text, ref problem) }; break;
                case "wrongappid": updated = updated with { WrongAppId = Bool(name, text, ref problem) }; break;
                case "wrongsellerid": updated = updated with { WrongSellerId = Bool(name, text, ref problem) }; break;
                case "wrongmerid": updated = updated with { WrongMerId = Bool(name, text, ref problem) }; break;
                case "showallchannels": updated = updated with { ShowAllChannels = Bool(name, text, ref problem) }; break;
                default: problem = $"Unknown switch '{name}'. Known: dropFirst, duplicate, delay, reorder, wrongAmount, badSignature, wrongAppId, wrongSellerId, wrongMerId, showAllChannels, reset."; break;
            }
            if (problem is not null)
                return Bad(problem);
        }
        if (updated.Validate() is { } invalid)
            return Bad(invalid);
        switches.Current = updated;
        return Results.Text(JsonSerializer.Serialize(updated, Json), "application/json");
    }

    private static IResult Bad(string message) =>
        Results.Json(new { error = message }, Json, statusCode: StatusCodes.Status400BadRequest);

    private static int Int(string name, string text, ref string? problem)
    {
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            return value;
        problem = $"{name} must be a whole number, not '{text}'.";
        return 0;
    }

    private static bool Bool(string name, string text, ref string? problem)
    {
        if (bool.TryParse(text, out var value))
            return value;
        problem = $"{name} must be true or false, not '{text}'.";
        return false;
    }

    private static TimeSpan Span(string name, string text, ref string? problem)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds) && Math.Abs(seconds) < 1e7)
            return TimeSpan.FromSeconds(seconds);
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span))
            return span;
        problem = $"{name} must be seconds or hh:mm:ss, not '{text}'.";
        return TimeSpan.Zero;
    }
}
