using Carton.Linux.Interop;
using Carton.Oci;

namespace Carton.Linux.ProcessSetup;

/// <summary>process.rlimits (config.md "POSIX process"): setrlimit on the init, inherited by the user's process.</summary>
public static unsafe class ResourceLimits
{
    public static void Apply(IReadOnlyList<PosixRlimit> limits)
    {
        for (int i = 0; i < limits.Count; i++)
        {
            var l = limits[i];
            if (!KnownRlimits.TryGetResource(l.Type ?? "", out var resource))
                throw new InvalidOperationException($"process.rlimits[{i}].type: unknown rlimit \"{l.Type}\"");
            var value = new Libc.Rlimit { Cur = l.Soft, Max = l.Hard };
            if (Libc.prlimit(0, resource, &value, null) < 0)
                throw SyscallException.Last($"process.rlimits[{i}]: setrlimit {l.Type} soft {l.Soft} hard {l.Hard}");
        }
    }
}
