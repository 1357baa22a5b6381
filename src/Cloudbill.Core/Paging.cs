namespace Cloudbill.Core;

/// <summary>
/// Page arithmetic for page numbers that come from an address or an API call, where any int
/// can arrive: the offset and the "is there a next page" test are computed in long, so a page
/// far past the end is an empty page, like any page past the end, and never an overflow.
/// </summary>
public static class Paging
{
    /// <summary>The rows before page <paramref name="page"/> (from 1), capped at int.MaxValue: no list is that long, so the cap skips them all.</summary>
    public static int Skip(int page, int pageSize) => (int)Math.Clamp((page - 1L) * pageSize, 0, int.MaxValue);

    /// <summary>Whether a page follows page <paramref name="page"/> of a list of <paramref name="total"/> rows.</summary>
    public static bool HasNext(int page, int pageSize, int total) => (long)page * pageSize < total;
}
