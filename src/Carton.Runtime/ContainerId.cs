using System.Text.RegularExpressions;

namespace Carton.Runtime;

/// <summary>Container ids as runc accepts them (design.md §3 item 6): no path separators, no "." or "..".</summary>
public static partial class ContainerId
{
    [GeneratedRegex("^[A-Za-z0-9_+-][A-Za-z0-9_+.-]*$")]
    private static partial Regex Pattern();

    public static void Validate(string? id)
    {
        if (string.IsNullOrEmpty(id)) throw new RuntimeError("container id cannot be empty");
        if (id.Length > 1024) throw new RuntimeError($"invalid container id \"{id[..32]}...\": longer than 1024 characters");
        if (!Pattern().IsMatch(id) || id == "." || id == "..")
            throw new RuntimeError($"invalid container id \"{id}\": must match ^[A-Za-z0-9_+-][A-Za-z0-9_+.-]*$");
    }
}
