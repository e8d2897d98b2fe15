using System.Text.RegularExpressions;
using Carton.Linux.Security;

namespace Carton.Runtime;

/// <summary>Container ids as runc accepts them (design.md §3 item 6): no path separators, no "." or "..".</summary>
public static partial class ContainerId
{
    /// <summary>The name of this check for <see cref="Defences"/> (docs/security.md row 8).</summary>
    public const string EndAnchorDefence = "container-id-end-anchor";

    // \z, not $: in .NET, $ also matches before a final "\n", so "abc\n" would pass and become a directory name.
    [GeneratedRegex(@"\A[A-Za-z0-9_+-][A-Za-z0-9_+.-]*\z")]
    private static partial Regex Pattern();

    // What the pattern was before it was anchored with \z: used only when a mutation build switches the defence off.
    [GeneratedRegex("^[A-Za-z0-9_+-][A-Za-z0-9_+.-]*$")]
    private static partial Regex UnanchoredPattern();

    /// <summary>True when <paramref name="id"/> is a valid container id.</summary>
    public static bool IsValid(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= 1024 && id != "." && id != ".." &&
        (Defences.IsDisabled(EndAnchorDefence) ? UnanchoredPattern() : Pattern()).IsMatch(id);

    public static void Validate(string? id)
    {
        if (string.IsNullOrEmpty(id)) throw new RuntimeError("container id cannot be empty");
        if (id.Length > 1024) throw new RuntimeError($"invalid container id \"{id[..32]}...\": longer than 1024 characters");
        if (!IsValid(id))
            throw new RuntimeError($"invalid container id \"{id}\": must match ^[A-Za-z0-9_+-][A-Za-z0-9_+.-]*$");
    }
}
