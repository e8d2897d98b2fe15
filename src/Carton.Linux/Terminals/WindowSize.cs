using Carton.Linux.Interop;

namespace Carton.Linux.Terminals;

/// <summary>Terminal window sizes (TIOCGWINSZ/TIOCSWINSZ).</summary>
public static unsafe class WindowSize
{
    /// <summary>Gives <paramref name="to"/> the window size of <paramref name="from"/>; false when either ioctl fails.</summary>
    public static bool Copy(int from, int to)
    {
        Libc.WinSize ws;
        return Libc.ioctl(from, Libc.TIOCGWINSZ, &ws) == 0 && Libc.ioctl(to, Libc.TIOCSWINSZ, &ws) == 0;
    }
}
