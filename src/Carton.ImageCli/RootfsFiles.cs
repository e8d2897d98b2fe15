using Carton.Linux.IO;
using Carton.Linux.Rootfs;

namespace Carton.ImageCli;

/// <summary>
/// Reads small files of an unpacked root filesystem (/etc/passwd, /etc/group) resolving every component inside it:
/// an image whose /etc/passwd is a symlink to /etc/shadow must not get the host's file read.
/// </summary>
public sealed class RootfsFiles : IDisposable
{
    private const int MaxSize = 1 << 20;
    private readonly int _root;

    public RootfsFiles(string rootfs) => _root = FileDescriptor.Open(rootfs, OpenFlags.ReadOnly | OpenFlags.Directory, $"open {rootfs}");

    /// <summary>The file's text, or null when it is missing, unreadable (a directory, a device), or over 1 MiB.</summary>
    public string? Read(string path) => SecurePath.TryReadText(_root, path, MaxSize, out var text) == 0 ? text : null;

    public void Dispose() => FileDescriptor.Close(_root);
}
