using Carton.Images.Model;

namespace Carton.Images.Registry;

/// <summary>
/// Picks an index's manifest for a platform (image-spec image-index.md, "platform"): os and architecture must be equal;
/// a variant asked for must be equal too, where arm64's missing variant means v8 and arm's v7 (the defaults Go and
/// containerd assume). Without an asked variant the first entry of the os/architecture wins, as the registry ordered them.
/// </summary>
public static class PlatformMatcher
{
    /// <summary>The first entry of <paramref name="manifests"/> for <paramref name="wanted"/>, or null.</summary>
    public static Descriptor? Select(IEnumerable<Descriptor> manifests, Platform wanted)
    {
        Descriptor? sameArch = null;
        foreach (var d in manifests)
        {
            if (d.Platform is not { } p) continue;
            if (!string.Equals(p.Os, wanted.Os, StringComparison.Ordinal)) continue;
            if (!string.Equals(p.Architecture, wanted.Architecture, StringComparison.Ordinal)) continue;
            if (string.IsNullOrEmpty(wanted.Variant)) return d;
            if (NormalVariant(p.Architecture, p.Variant) == NormalVariant(wanted.Architecture, wanted.Variant)) return d;
            // An entry without a variant for an architecture that has no default one still fits.
            if (string.IsNullOrEmpty(p.Variant)) sameArch ??= d;
        }
        return sameArch;
    }

    private static string? NormalVariant(string architecture, string? variant) => (architecture, variant) switch
    {
        ("arm64", null or "") => "v8",
        ("arm", null or "") => "v7",
        ("amd64", null or "") => "v1",
        _ => variant,
    };

    /// <summary>Parses "os/arch[/variant]" (the CLI's --platform).</summary>
    public static Platform Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length is < 2 or > 3 || parts.Any(p => p.Length == 0))
            throw new CartonException(ErrorKind.InvalidDocument, $"invalid platform \"{text}\": expected os/architecture[/variant]", jsonPath: "platform");
        return new Platform { Os = parts[0], Architecture = parts[1], Variant = parts.Length == 3 ? parts[2] : null };
    }
}
