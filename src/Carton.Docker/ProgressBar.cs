using System.Globalization;

namespace Carton.Docker;

/// <summary>The pre-drawn bar of Docker's progress messages (pkg/jsonmessage's JSONProgress.String), for clients that
/// print <c>progress</c> rather than draw their own from progressDetail: "[=====>      ]  1.2MB/2.5MB".</summary>
internal static class ProgressBar
{
    public static string Format(long done, long total)
    {
        if (total <= 0) return Size(done);
        int width = 50, filled = (int)Math.Clamp(done * width / total, 0, width);
        var bar = new string('=', Math.Max(0, filled - 1)) + (filled > 0 ? ">" : "") + new string(' ', width - filled);
        return $"[{bar}]  {Size(done)}/{Size(total)}";
    }

    /// <summary>Decimal units, as go-units' HumanSize.</summary>
    public static string Size(long bytes)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB"];
        double v = bytes;
        int u = 0;
        while (v >= 1000 && u < units.Length - 1) { v /= 1000; u++; }
        return v.ToString(u == 0 ? "0" : "0.##", CultureInfo.InvariantCulture) + units[u];
    }
}
