using System.Security.Cryptography;
using System.Text;
using Carton.Linux.IO;

namespace Carton.Images.Linux.Tests.Support;

/// <summary>
/// A directory tree as lstat and the xattr calls see it, for comparing two unpacks entry by entry: type, permission
/// and setuid/setgid/sticky bits, owner, size, content hash, symlink target, device number, mtime (nanoseconds),
/// xattrs (hex), and which paths share an inode (hardlinks).
/// </summary>
public static class TreeModel
{
    public static SortedDictionary<string, string> Scan(string root, bool directoryTimes = true, bool rootEntry = true)
    {
        var nodes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var inodes = new Dictionary<ulong, List<string>>();
        Walk(root, "", nodes, inodes, directoryTimes, rootEntry);
        foreach (var group in inodes.Values)
        {
            if (group.Count < 2) continue;
            group.Sort(StringComparer.Ordinal);
            foreach (var p in group) nodes[p] += " links=" + string.Join(",", group);
        }
        return nodes;
    }

    private static void Walk(string root, string rel, SortedDictionary<string, string> nodes, Dictionary<ulong, List<string>> inodes, bool directoryTimes, bool rootEntry)
    {
        var full = rel.Length == 0 ? root : Path.Combine(root, rel);
        var st = FileStatus.OfPath(full, followSymlinks: false) ?? throw new InvalidOperationException($"lstat {full}");
        var sb = new StringBuilder();
        char type = st.Type switch
        {
            FileStatus.Directory => 'd', FileStatus.RegularFile => 'f', FileStatus.Symlink => 'l', FileStatus.CharacterDevice => 'c',
            FileStatus.BlockDevice => 'b', FileStatus.Fifo => 'p', _ => '?',
        };
        sb.Append(type).Append(' ').Append(Convert.ToString(st.Mode & 0xFFF, 8).PadLeft(4, '0'));
        sb.Append(" ").Append(st.Uid).Append(':').Append(st.Gid);
        if (type != 'd' || directoryTimes) sb.Append(" mtime=").Append(st.ModifiedSeconds).Append('.').Append(st.ModifiedNanoseconds.ToString("D9"));
        if (type == 'f')
        {
            sb.Append(" size=").Append(st.Size).Append(" sha=").Append(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(full)))[..16]);
            if (!inodes.TryGetValue(st.Ino, out var list)) inodes[st.Ino] = list = [];
            list.Add(rel);
        }
        if (type == 'l')
        {
            sb.Append(" -> ").Append(new FileInfo(full).LinkTarget);
            if (st.Nlink > 1)
            {
                if (!inodes.TryGetValue(st.Ino, out var list)) inodes[st.Ino] = list = [];
                list.Add(rel);
            }
        }
        if (type is 'c' or 'b') sb.Append(" dev=").Append(Carton.Linux.Rootfs.FileType.Major(st.Rdev)).Append(':').Append(Carton.Linux.Rootfs.FileType.Minor(st.Rdev));
        var names = ExtendedAttributes.List(full);
        names.Sort(StringComparer.Ordinal);
        foreach (var name in names) sb.Append(" xattr:").Append(name).Append('=').Append(Convert.ToHexStringLower(ExtendedAttributes.Get(full, name) ?? []));
        if (rel.Length > 0 || rootEntry) nodes[rel.Length == 0 ? "." : rel] = sb.ToString();
        if (type != 'd') return;
        var children = new List<string>();
        foreach (var entry in Directory.EnumerateFileSystemEntries(full)) children.Add(Path.GetFileName(entry));
        children.Sort(StringComparer.Ordinal);
        foreach (var child in children) Walk(root, rel.Length == 0 ? child : rel + "/" + child, nodes, inodes, directoryTimes, rootEntry);
    }

    /// <summary>A node's description without its mtime (for directories made when needed, at no fixed time).</summary>
    public static string WithoutTime(string node) => System.Text.RegularExpressions.Regex.Replace(node, @" mtime=\S+", "");

    /// <summary>The differences, one line each ("only in A", "only in B", "A: … / B: …"), empty when equal.</summary>
    public static string Diff(SortedDictionary<string, string> a, SortedDictionary<string, string> b, string nameA = "carton", string nameB = "tar")
    {
        var sb = new StringBuilder();
        foreach (var (path, value) in a)
        {
            if (!b.TryGetValue(path, out var other)) sb.AppendLine($"only in {nameA}: {path}: {value}");
            else if (other != value) sb.AppendLine($"{path}:\n  {nameA}: {value}\n  {nameB}: {other}");
        }
        foreach (var (path, value) in b)
            if (!a.ContainsKey(path)) sb.AppendLine($"only in {nameB}: {path}: {value}");
        return sb.ToString();
    }

    /// <summary>Runs a program, returns (exit code, stdout+stderr).</summary>
    public static (int Code, string Output) Run(string file, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout + stderr.Result);
    }
}
