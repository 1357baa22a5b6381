using System.Globalization;
using System.Text;

namespace Cloudbill.Server.Cli;

/// <summary>
/// Customer text made safe for the operator's terminal: every control character (C0, DEL, C1,
/// so ESC and with it CSI and OSC sequences, and the 8-bit CSI/OSC introducers) and every bidi
/// control (which can reorder what the operator reads) is written as a visible escape such as
/// <c>\x1B</c> or <c>\u202E</c>; a backslash is doubled so an escape cannot be faked. The result
/// goes into a Spectre <c>Text</c>, never into markup, so "[red]" stays text.
/// </summary>
public static class TerminalText
{
    public static string Safe(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return "";
        var safe = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c == '\\')
                safe.Append(@"\\");
            else if (c < 0x20 || c is >= '\u007F' and <= '\u009F')
                safe.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}");
            else if (IsBidiControl(c))
                safe.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            else
                safe.Append(c);
        }
        return safe.ToString();
    }

    /// <summary>Bidi embeddings, overrides, isolates and marks (Unicode's "Trojan Source" characters).</summary>
    private static bool IsBidiControl(char c) =>
        c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}
