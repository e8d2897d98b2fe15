namespace Carton.Network.Cni;

/// <summary>The CNI specification versions this runtime speaks, and their order.</summary>
internal static class CniVersions
{
    /// <summary>Every version of the spec a configuration may name, oldest first.</summary>
    public static readonly string[] Known = ["0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"];

    /// <summary>The newest version this runtime speaks (STATUS and GC).</summary>
    public const string Latest = "1.1.0";

    /// <summary>Whether <paramref name="v"/> is a version of the spec.</summary>
    public static bool IsKnown(string v) => Array.IndexOf(Known, v) >= 0;

    /// <summary>Whether <paramref name="v"/> is at least <paramref name="min"/> (semantic versions, numeric parts).</summary>
    public static bool AtLeast(string v, string min) => Compare(v, min) >= 0;

    /// <summary>Compares two dotted versions numerically; an unparsable part counts as 0.</summary>
    public static int Compare(string a, string b)
    {
        var pa = a.Split('.');
        var pb = b.Split('.');
        for (var i = 0; i < Math.Max(pa.Length, pb.Length); i++)
        {
            var x = i < pa.Length && int.TryParse(pa[i], out var xi) ? xi : 0;
            var y = i < pb.Length && int.TryParse(pb[i], out var yi) ? yi : 0;
            if (x != y) return x.CompareTo(y);
        }
        return 0;
    }
}
