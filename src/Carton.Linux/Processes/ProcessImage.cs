using System.Runtime.InteropServices;
using Carton.Linux.Interop;

namespace Carton.Linux.Processes;

/// <summary>Replacing the calling process's program (execve). On success these never return.</summary>
public static unsafe class ProcessImage
{
    /// <summary>execv: runs <paramref name="path"/> with <paramref name="argv"/> and this process's environment.
    /// Returns only on failure, with the errno.</summary>
    public static int Replace(string path, IReadOnlyList<string> argv)
    {
        var args = new string?[argv.Count + 1];
        for (int i = 0; i < argv.Count; i++) args[i] = argv[i];
        Libc.execv(path, args);
        return Marshal.GetLastPInvokeError();
    }

    /// <summary>execve: runs <paramref name="path"/> with <paramref name="argv"/> and exactly <paramref name="env"/>.
    /// Returns only on failure, with the errno. The native copies are not freed: on success the image is gone, and a
    /// caller that fails is about to exit.</summary>
    public static int Replace(string path, IReadOnlyList<string> argv, IReadOnlyList<string> env)
    {
        var file = Utf8Z(path);
        var argvPtrs = ToNative(argv);
        var envPtrs = ToNative(env);
        fixed (byte* p = file)
            Libc.execve(p, argvPtrs, envPtrs);
        return Marshal.GetLastPInvokeError();
    }

    private static byte[] Utf8Z(string s) => Libc.Utf8Z(s);

    private static byte** ToNative(IReadOnlyList<string> items)
    {
        var array = (byte**)NativeMemory.AllocZeroed((nuint)((items.Count + 1) * sizeof(byte*)));
        for (int i = 0; i < items.Count; i++)
        {
            var bytes = Libc.Utf8Z(items[i]);
            var p = (byte*)NativeMemory.Alloc((nuint)bytes.Length);
            bytes.CopyTo(new Span<byte>(p, bytes.Length));
            array[i] = p;
        }
        return array;
    }
}
