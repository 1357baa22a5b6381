using Cloudbill.Core.Problems;

namespace Cloudbill.Core.Accounts;

public static class AccessKeyErrors
{
    public static Problem LimitReached(int held) =>
        Problem.Conflict("AccessKey.LimitReached", $"You already hold {held} AccessKey pairs, the most allowed at once; delete one you no longer use, then create a new one.");

    public static Problem NotFound(string id) =>
        Problem.NotFound("AccessKey.NotFound", $"AccessKey {id} was not found in your AccessKeys.");

    public static Problem InvalidId(int length) =>
        Problem.Invalid("AccessKey.InvalidId", $"An AccessKey ID is at most 64 letters and digits; the one given has {length} characters. Choose the key from the list.");
}
