using Carton.Linux.Interop;
using Carton.Linux.Rootfs;
using Carton.Linux.Security;
using Carton.Oci;
using static Carton.Oci.MountConstants;

namespace Carton.Runtime.Plan;

/// <summary>
/// config.json "mounts" (config.md "Mounts") as plan operations, in MountInstaller's way: every target is opened
/// (created when missing) inside the root and mounted through its fd, checked first to be no procfs; bind flags are
/// applied by a remount of the new mount, reached again through a fresh in-root open. What the host decides
/// (a bind source is a file or a directory, its locked flags, whether a host sysfs exists to bind instead) is read
/// here, in the parent, which sees the same host paths as the init before pivot_root.
/// </summary>
internal sealed class MountCompiler(SetupPlan plan, int root, InitConfig config, bool inUserNamespace)
{
    private const long ProcSuperMagic = 0x9fa0;

    public void Compile(Mount m, int index)
    {
        var what = $"mounts[{index}] ({m.Destination})";
        var opts = MountOptionParser.Parse(m.Options ?? []);
        bool bind = opts.Bind || m.Type == "bind";
        var dest = m.Destination ?? throw new RuntimeError($"{what}: destination missing");

        // /proc and /sys must be real directories in the rootfs: a symlink there was CVE-2019-16884/19921's route.
        if (m.Type is "proc" or "sysfs")
        {
            var lexical = SecurePath.Lexical(dest);
            int slash = lexical.LastIndexOf('/');
            plan.Add(PlanCode.NotSymlink, PlanFlags.None, $"{what}: mount destination {dest} is a symlink, refusing to mount {m.Type} on it",
                root, plan.String(slash <= 0 ? "/" : lexical[..slash]), plan.String(lexical[(slash + 1)..]));
        }
        if (m.Type is "cgroup" or "cgroup2")
        {
            Cgroup(m, opts, what);
            return;
        }
        if (bind)
        {
            var source = m.Source ?? throw new RuntimeError($"{what}: source missing for a bind mount");
            if (!source.StartsWith('/')) source = Path.Combine(config.Bundle, source);
            var st = FileType.OfPath(source) ?? throw new SyscallException($"{what}: bind source {source}", Errno.ENOENT);
            bool isDir = (st.Mode & Sys.S_IFMT) == Sys.S_IFDIR;
            int target = OpenTarget(dest, lastIsFile: !isDir, what);
            PlanCompiler.Mount(plan, $"{what}: bind mount {source} at {dest}", source, null, null, MS_BIND | (opts.Recursive ? MS_REC : 0), targetSlot: target);
            // Bind mounts ignore other flags on the first call: apply them with a remount of the new mount.
            ulong extra = opts.Flags & ~(MS_BIND | MS_REC | PropagationMask | MS_REMOUNT);
            if (extra != 0)
            {
                int again = Reopen(dest, what);
                PlanCompiler.Mount(plan, $"{what}: remount {dest} with options {string.Join(',', m.Options ?? [])}", null, null, null,
                    MS_REMOUNT | MS_BIND | extra | MountInstaller.LockedFlags(source), targetSlot: again);
                plan.Close(again, what);
            }
            plan.Close(target, what);
        }
        else
        {
            int target = OpenTarget(dest, lastIsFile: false, what);
            ulong flags = opts.Flags & ~(PropagationMask | MS_BIND | MS_REC);
            // A read-only tmpfs is made read-only at the mount, not the superblock (as runc does).
            bool roLater = m.Type == "tmpfs" && (flags & MS_RDONLY) != 0;
            if (roLater) flags &= ~MS_RDONLY;
            var data = LsmAttributes.MountData(m.Type, bind: false, opts.Data.Length == 0 ? null : opts.Data, config.MountLabel);
            // In a user namespace the kernel refuses sysfs without a network namespace of the container's own, and
            // mqueue without an IPC one; runc then binds the host's instead, and so does carton.
            string? host = inUserNamespace ? m.Type switch { "sysfs" => "/sys", "mqueue" => "/dev/mqueue", _ => null } : null;
            bool hostExists = host is not null && Directory.Exists(host);
            PlanCompiler.Mount(plan, $"{what}: mount {m.Type} at {dest}", m.Source ?? m.Type ?? "none", null, m.Type, flags, data,
                hostExists ? PlanFlags.FallbackBind : PlanFlags.None, target, hostExists ? host : null,
                e => e == Errno.EPERM && host is not null && !hostExists
                    ? $"{what}: mount {m.Type}: the kernel refuses a new {m.Type} in a user namespace without {(m.Type == "sysfs" ? "a network" : "an IPC")} namespace of the container's own, and the host has no {host} to bind instead: {Errno.Describe(e)}"
                    : null);
            if (roLater)
            {
                int again = Reopen(dest, what);
                PlanCompiler.Mount(plan, $"{what}: remount {dest} read-only", null, null, null,
                    MS_REMOUNT | MS_BIND | MS_RDONLY | (flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME)), targetSlot: again);
                plan.Close(again, what);
            }
            plan.Close(target, what);
        }
        PropagationAndAttributes(dest, opts, what);
    }

    private void PropagationAndAttributes(string dest, ParsedMountOptions opts, string what)
    {
        if (opts.PropagationFlags.Count == 0 && opts.RecursiveAttrSet == 0 && opts.RecursiveAttrClear == 0) return;
        int fd = Reopen(dest, what);
        foreach (var p in opts.PropagationFlags)
            PlanCompiler.Mount(plan, $"{what}: change propagation of {dest}", null, null, null, p, targetSlot: fd);
        if (opts.RecursiveAttrSet != 0 || opts.RecursiveAttrClear != 0)
        {
            ulong clear = opts.RecursiveAttrClear;
            if (((opts.RecursiveAttrSet | opts.RecursiveAttrClear) & MOUNT_ATTR__ATIME) != 0) clear |= MOUNT_ATTR__ATIME;
            plan.Add(PlanCode.SetAttr, PlanFlags.None, $"{what}: set recursive mount attributes on {dest}",
                fd, opts.RecursiveAttrSet, clear, 0, Sys.AT_EMPTY_PATH | Sys.AT_RECURSIVE);
        }
        plan.Close(fd, what);
    }

    private void Cgroup(Mount m, ParsedMountOptions opts, string what)
    {
        var dest = m.Destination!;
        ulong flags = opts.Flags & ~(PropagationMask | MS_BIND | MS_REC);
        var dirs = config.CgroupMounts;
        bool unifiedOnly = dirs.Count > 0 && dirs.All(d => d.Unified);
        int target = OpenTarget(dest, lastIsFile: false, what);
        if (unifiedOnly || m.Type == "cgroup2")
        {
            // cgroup v2: one filesystem. Inside a cgroup namespace the kernel roots it at the container's cgroup.
            if (config.NewCgroupNamespace)
                PlanCompiler.Mount(plan, $"{what}: mount cgroup2 at {dest}", "cgroup2", null, "cgroup2", flags, targetSlot: target);
            else
            {
                var host = dirs.FirstOrDefault(d => d.Unified)?.HostPath ?? "/sys/fs/cgroup";
                PlanCompiler.Mount(plan, $"{what}: bind cgroup2 {host} at {dest}", host, null, null, MS_BIND | MS_REC, targetSlot: target);
                int again = Reopen(dest, what);
                PlanCompiler.Mount(plan, $"{what}: bind cgroup2 {host} at {dest}", null, null, null, MS_REMOUNT | MS_BIND | flags, targetSlot: again);
                plan.Close(again, what);
            }
            plan.Close(target, what);
            return;
        }
        // cgroup v1 (and hybrid): a tmpfs holding one directory per hierarchy, as runc lays it out.
        PlanCompiler.Mount(plan, $"{what}: mount tmpfs at {dest}", "tmpfs", null, "tmpfs", flags & ~MS_RDONLY, "mode=755", targetSlot: target);
        plan.Close(target, what);
        foreach (var d in dirs)
        {
            var sub = dest.TrimEnd('/') + "/" + d.Name;
            int subFd = plan.NewSlot();
            plan.Add(PlanCode.OpenCreate, PlanFlags.None, $"{what}: create {sub} in the container root", root, plan.String(sub), 0, subFd);
            if (config.NewCgroupNamespace)
            {
                if (d.Unified)
                    PlanCompiler.Mount(plan, $"{what}: mount cgroup {d.Name} at {sub}", "cgroup2", null, "cgroup2", flags & ~MS_RDONLY, targetSlot: subFd);
                else
                    PlanCompiler.Mount(plan, $"{what}: mount cgroup {d.Name} at {sub}", "cgroup", null, "cgroup", flags & ~MS_RDONLY,
                        d.Controllers.StartsWith("name=", StringComparison.Ordinal) ? "none," + d.Controllers : d.Controllers, targetSlot: subFd);
            }
            else
            {
                PlanCompiler.Mount(plan, $"{what}: mount cgroup {d.Name} at {sub}", d.HostPath, null, null, MS_BIND, targetSlot: subFd);
                int again = Reopen(sub, what);
                PlanCompiler.Mount(plan, $"{what}: mount cgroup {d.Name} at {sub}", null, null, null, MS_REMOUNT | MS_BIND | (flags & ~MS_RDONLY), targetSlot: again);
                plan.Close(again, what);
            }
            plan.Close(subFd, what);
        }
        if ((flags & MS_RDONLY) != 0)
        {
            // Read-only last and recursively: a v1 hierarchy shares its superblock with the host's mount.
            int again = Reopen(dest, what);
            plan.Add(PlanCode.SetAttr, PlanFlags.None, $"{what}: make {dest} read-only", again, MOUNT_ATTR_RDONLY, 0, 0, Sys.AT_EMPTY_PATH | Sys.AT_RECURSIVE);
            plan.Close(again, what);
        }
    }

    /// <summary>Opens (creating what is missing) the mount target inside the root, and refuses it when it lies on a
    /// procfs (fstatfs of the opened target): only the files lxcfs emulates may be mounted over (MountInstaller).</summary>
    private int OpenTarget(string dest, bool lastIsFile, string what)
    {
        int slot = plan.NewSlot();
        plan.Add(PlanCode.OpenCreate, PlanFlags.None, $"{what}: open {dest} in the container root", root, plan.String(dest), lastIsFile, slot);
        if (!Defences.IsDisabled("proc-mount-dest-check") && !MountInstaller.ProcMountsAllowed.Contains(SecurePath.Lexical(dest), StringComparer.Ordinal))
            plan.Add(PlanCode.Check, PlanFlags.None,
                $"{what}: mount destination {dest} is inside /proc (on a procfs), refusing to mount over it; only {string.Join(", ", MountInstaller.ProcMountsAllowed)} may be",
                e => e == 0 ? $"{what}: mount destination {dest} is inside /proc (on a procfs), refusing to mount over it; only {string.Join(", ", MountInstaller.ProcMountsAllowed)} may be: operation not permitted (EPERM)" : null,
                slot, (int)CheckKind.FsIsNot, ProcSuperMagic);
        return slot;
    }

    /// <summary>Opens the destination again: after a mount the old fd still refers to the directory underneath.</summary>
    private int Reopen(string dest, string what)
    {
        int slot = plan.NewSlot();
        plan.Add(PlanCode.Open, PlanFlags.None, $"{what}: reopen {dest}", root, plan.String(dest.TrimStart('/') is { Length: > 0 } r ? r : "."),
            Sys.O_PATH, 0, Sys.RESOLVE_IN_ROOT | Sys.RESOLVE_NO_MAGICLINKS, slot);
        return slot;
    }
}
