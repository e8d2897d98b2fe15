using System.Text.Json;

namespace Carton.Images.Linux.Archive;

/// <summary>
/// What Docker's <c>HEAD/GET /containers/{id}/archive</c> says about a path in its <c>X-Docker-Container-Path-Stat</c>
/// header (Docker's ContainerPathStat): the path's last component as the container sees it, not followed.
/// </summary>
/// <param name="Name">The base name of the path as asked ("/" for the root, "." for a path ending in "/.").</param>
/// <param name="Size">The lstat size in bytes (a symlink's is the length of its target).</param>
/// <param name="Mode">Go's os.FileMode bits, as Docker sends them: the permission bits, 1&lt;&lt;31 directory,
/// 1&lt;&lt;27 symlink, 1&lt;&lt;26 device (with 1&lt;&lt;21 for a character device), 1&lt;&lt;25 named pipe,
/// 1&lt;&lt;24 socket, 1&lt;&lt;23 setuid, 1&lt;&lt;22 setgid, 1&lt;&lt;20 sticky (<see cref="GoFileMode"/>).</param>
/// <param name="Mtime">The modification time (to 100 ns).</param>
/// <param name="LinkTarget">For a symlink, where it leads in the container, fully resolved inside the rootfs and
/// absolute ("/etc/passwd"); "" otherwise.</param>
public sealed record RootfsPathStat(string Name, long Size, uint Mode, DateTimeOffset Mtime, string LinkTarget)
{
    /// <summary>True when <see cref="Mode"/> has Go's ModeDir bit.</summary>
    public bool IsDirectory => (Mode & GoFileMode.Dir) != 0;

    /// <summary>True when <see cref="Mode"/> has Go's ModeSymlink bit.</summary>
    public bool IsSymlink => (Mode & GoFileMode.Symlink) != 0;

    /// <summary>The JSON Docker puts in the header: {"name","size","mode","mtime","linkTarget"}, mtime in RFC 3339.</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("name", Name);
            json.WriteNumber("size", Size);
            json.WriteNumber("mode", Mode);
            json.WriteString("mtime", Mtime.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("linkTarget", LinkTarget);
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The value of the <c>X-Docker-Container-Path-Stat</c> header: <see cref="ToJson"/> in base64 (standard
    /// alphabet, as Go's base64.StdEncoding).</summary>
    public string ToHeaderValue() => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(ToJson()));
}
