using Carton.Linux.Interop;
using Carton.Oci;

namespace Carton.Linux.ProcessSetup;

/// <summary>
/// The five capability sets of process.capabilities (config.md "capabilities"), as numbers. Everything here is
/// per-thread in the kernel, so it must run on the thread that then calls execve.
/// </summary>
public sealed class CapabilitySets
{
    public ulong Bounding, Effective, Permitted, Inheritable, Ambient;

    public static CapabilitySets From(LinuxCapabilities? caps) => new()
    {
        Bounding = Mask(caps?.Bounding), Effective = Mask(caps?.Effective), Permitted = Mask(caps?.Permitted),
        Inheritable = Mask(caps?.Inheritable), Ambient = Mask(caps?.Ambient),
    };

    /// <summary>Unknown names were rejected by validation; names newer than this kernel are skipped at apply time.</summary>
    public static ulong Mask(IEnumerable<string>? names)
    {
        ulong m = 0;
        foreach (var n in names ?? [])
            if (KnownCapabilities.TryGetNumber(n, out var bit)) m |= 1UL << bit;
        return m;
    }

    private static int _lastCap = -2;

    /// <summary>
    /// The highest capability number this kernel knows, found by asking the kernel itself: prctl(PR_CAPBSET_READ, n)
    /// fails with EINVAL past the last one. Never read from /proc/sys/kernel/cap_last_cap: after pivot_root that path
    /// is the container's, and an image without a proc mount can ship it holding "-1" (no capability would be
    /// dropped from the bounding set). The answer is the same in every namespace, so it is computed once.
    /// </summary>
    public static int LastCap()
    {
        if (Carton.Linux.Security.Defences.IsDisabled("cap-last-cap-probe")) return LastCapFromProc();
        if (_lastCap != -2) return _lastCap;
        int last = -1;
        for (int cap = 0; cap < 64; cap++)
        {
            if (Libc.prctl(Libc.PR_CAPBSET_READ, (ulong)cap, 0, 0, 0) >= 0) { last = cap; continue; }
            int e = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (e == Errno.EINVAL) break;
            throw new SyscallException($"prctl PR_CAPBSET_READ {cap} (find the last capability)", e);
        }
        if (last < 0) throw new SyscallException("prctl PR_CAPBSET_READ 0 (find the last capability)", Errno.EINVAL);
        _lastCap = last;
        return last;
    }

    /// <summary>What carton did before (the "cap-last-cap-probe" defence switched off): trust the path.</summary>
    private static int LastCapFromProc()
    {
        try { return int.Parse(File.ReadAllText("/proc/sys/kernel/cap_last_cap").Trim(), System.Globalization.CultureInfo.InvariantCulture); }
        catch (IOException) { return 40; }
    }

    /// <summary>Drops every capability outside the bounding set. Needs CAP_SETPCAP, so it runs before the uid change.</summary>
    public void ApplyBounding()
    {
        int last = LastCap();
        for (int cap = 0; cap <= last; cap++)
        {
            if ((Bounding & (1UL << cap)) != 0) continue;
            if (Libc.prctl(Libc.PR_CAPBSET_DROP, (ulong)cap, 0, 0, 0) < 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() != Errno.EINVAL)
                throw SyscallException.Last($"drop capability {cap} from the bounding set");
        }
    }

    /// <summary>capset(effective, permitted, inheritable) then raise each ambient capability.</summary>
    public unsafe void ApplySets()
    {
        int last = LastCap();
        ulong known = last >= 63 ? ulong.MaxValue : last < 0 ? 0 : (1UL << (last + 1)) - 1;
        var header = new Libc.CapHeader { Version = 0x20080522, Pid = 0 };
        var data = stackalloc Libc.CapData[2];
        data[0] = new Libc.CapData { Effective = (uint)(Effective & known), Permitted = (uint)(Permitted & known), Inheritable = (uint)(Inheritable & known) };
        data[1] = new Libc.CapData { Effective = (uint)((Effective & known) >> 32), Permitted = (uint)((Permitted & known) >> 32), Inheritable = (uint)((Inheritable & known) >> 32) };
        if (Libc.syscall(Arch.Syscalls.Capset, (long)&header, (long)data, 0, 0, 0, 0) < 0)
            throw SyscallException.Last("capset (process.capabilities effective/permitted/inheritable)");
        if (Libc.prctl(Libc.PR_CAP_AMBIENT, Libc.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
            throw SyscallException.Last("clear ambient capabilities");
        for (int cap = 0; cap <= 63; cap++)
        {
            if ((Ambient & known & (1UL << cap)) == 0) continue;
            // An ambient capability must be permitted and inheritable; runc skips (warns) otherwise, so do we.
            if (Libc.prctl(Libc.PR_CAP_AMBIENT, Libc.PR_CAP_AMBIENT_RAISE, (ulong)cap, 0, 0) < 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() != Errno.EPERM)
                throw SyscallException.Last($"raise ambient capability {(KnownCapabilities.GetName(cap) ?? cap.ToString(System.Globalization.CultureInfo.InvariantCulture))}");
        }
    }
}
