using Carton.Linux.Interop;

namespace Carton.Linux.Terminals;

/// <summary>
/// A terminal put in raw mode (cfmakeraw: no echo, no line editing, no signal characters) until disposed, which
/// restores the settings it had. For carton's own terminal while it relays a container's pty.
/// </summary>
public sealed unsafe class RawMode : IDisposable
{
    private readonly int _fd;
    private readonly byte[] _saved;
    private bool _restored;

    private RawMode(int fd, byte[] saved)
    {
        _fd = fd;
        _saved = saved;
    }

    /// <summary>isatty(3).</summary>
    public static bool IsTerminal(int fd) => Libc.isatty(fd) == 1;

    /// <summary>Makes <paramref name="fd"/> raw; null when its settings cannot be read (then nothing is changed).</summary>
    public static RawMode? Enter(int fd)
    {
        // Room for glibc's struct termios on any architecture (Arch.Layouts.TermiosSize).
        var saved = new byte[Math.Max(64, Arch.Layouts.TermiosSize)];
        fixed (byte* s = saved)
        {
            if (Libc.tcgetattr(fd, s) < 0) return null;
            var raw = stackalloc byte[saved.Length];
            new Span<byte>(s, saved.Length).CopyTo(new Span<byte>(raw, saved.Length));
            Libc.cfmakeraw(raw);
            Libc.tcsetattr(fd, 0 /* TCSANOW */, raw);
        }
        return new RawMode(fd, saved);
    }

    public void Dispose()
    {
        if (_restored) return;
        _restored = true;
        fixed (byte* s = _saved) Libc.tcsetattr(_fd, 0 /* TCSANOW */, s);
    }
}
