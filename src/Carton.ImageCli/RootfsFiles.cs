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

    /// <summary>The file's text, or null when it is missing, not a regular file, or over 1 MiB.</summary>
    public string? Read(string path)
    {
        int fd = SecurePath.TryOpen(_root, path.TrimStart('/'), 0 /* O_RDONLY */);
        if (fd < 0) return null;
        try
        {
            var buffer = new byte[MaxSize + 1];
            int total = 0;
            while (total < buffer.Length)
            {
                int n = FileDescriptor.Read(fd, buffer.AsSpan(total));
                if (n < 0) return null; // a directory (EISDIR) or unreadable
                if (n == 0) break;
                total += n;
            }
            return total > MaxSize ? null : System.Text.Encoding.UTF8.GetString(buffer, 0, total);
        }
        finally { FileDescriptor.Close(fd); }
    }

    public void Dispose() => FileDescriptor.Close(_root);
}
