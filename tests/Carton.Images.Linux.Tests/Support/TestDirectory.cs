using Carton.Linux.Mounts;

namespace Carton.Images.Linux.Tests.Support;

/// <summary>
/// A scratch directory under /tmp (0755: the rootless tests enter it as another uid) that a test leaves nothing of:
/// disposal unmounts whatever is still mounted below it (deepest first) and refuses to delete while a mount stays,
/// so a failed test never deletes through a mount.
/// </summary>
public sealed class TestDirectory : IDisposable
{
    public TestDirectory(string label = "t")
    {
        Path = System.IO.Path.Combine("/tmp", $"carton-img-{label}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(Path);
        File.SetUnixFileMode(Path, (UnixFileMode)0x1ED);
    }

    public string Path { get; }

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Mount points at or below <paramref name="dir"/> (from /proc/self/mountinfo, octal escapes decoded).</summary>
    public static List<string> MountsUnder(string dir)
    {
        var result = new List<string>();
        foreach (var line in File.ReadAllLines("/proc/self/mountinfo"))
        {
            var mountPoint = Unescape(line.Split(' ')[4]);
            if (mountPoint == dir || mountPoint.StartsWith(dir + "/", StringComparison.Ordinal)) result.Add(mountPoint);
        }
        return result;
    }

    private static string Unescape(string s) => System.Text.RegularExpressions.Regex.Replace(s, @"\\([0-7]{3})",
        m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString());

    public void Dispose()
    {
        for (int round = 0; round < 5; round++)
        {
            var mounts = MountsUnder(Path);
            if (mounts.Count == 0) break;
            mounts.Sort((a, b) => b.Length.CompareTo(a.Length));
            foreach (var m in mounts) MountPoints.TryUnmount(m, detach: round > 2);
        }
        if (MountsUnder(Path).Count > 0) throw new InvalidOperationException($"{Path}: still mounted below, not deleted");
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}
