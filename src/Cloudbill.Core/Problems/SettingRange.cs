namespace Cloudbill.Core.Problems;

/// <summary>The one sentence a setting out of range stops the start with: the key, the value and what is allowed.</summary>
public static class SettingRange
{
    public static string? Check(string key, int value, int min, int max, string unit, string defaultValue) =>
        value >= min && value <= max ? null : $"{key} is {value}; use a number of {unit} from {min} to {max} (default {defaultValue}).";
}
