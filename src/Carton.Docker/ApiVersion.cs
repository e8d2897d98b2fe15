using System.Globalization;

namespace Carton.Docker;

/// <summary>
/// A Docker Engine API version (major.minor, compared numerically: 1.9 is older than 1.41). Carton serves
/// <see cref="Minimum"/> (Debian's docker 20.10 CLI speaks 1.41) to <see cref="Maximum"/> (the docker 28.2 CLI's 1.50).
/// </summary>
public readonly record struct ApiVersion(int Major, int Minor) : IComparable<ApiVersion>
{
    /// <summary>The oldest version served: docker 20.10's.</summary>
    public static readonly ApiVersion Minimum = new(1, 41);

    /// <summary>The newest version served: docker 28.2's. Unversioned paths are served as this one, as Docker does.</summary>
    public static readonly ApiVersion Maximum = new(1, 50);

    /// <summary>Parses "1.41"; false for anything else.</summary>
    public static bool TryParse(string text, out ApiVersion version)
    {
        version = default;
        int dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == text.Length - 1) return false;
        if (!int.TryParse(text.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out int major)
            || !int.TryParse(text.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int minor))
            return false;
        version = new ApiVersion(major, minor);
        return true;
    }

    public int CompareTo(ApiVersion other) => Major != other.Major ? Major.CompareTo(other.Major) : Minor.CompareTo(other.Minor);

    public static bool operator <(ApiVersion a, ApiVersion b) => a.CompareTo(b) < 0;
    public static bool operator >(ApiVersion a, ApiVersion b) => a.CompareTo(b) > 0;
    public static bool operator <=(ApiVersion a, ApiVersion b) => a.CompareTo(b) <= 0;
    public static bool operator >=(ApiVersion a, ApiVersion b) => a.CompareTo(b) >= 0;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}");
}
