
namespace Carton.Oci;

/// <summary>
/// The config.json written by `carton spec`: field-for-field what `runc spec` / `runc spec --rootless`
/// write (runc libcontainer/specconv Example() and ToRootless()), except that ociVersion is the
/// runtime-spec version carton implements.
/// </summary>
public static class DefaultSpec
{
    /// <summary>The runtime-spec version carton implements and writes into new specs.</summary>
    public const string OciVersion = "1.3.0";

    /// <summary>
    /// Builds the default spec. For rootless, like runc, the container's root (0) maps to the
    /// caller's effective uid/gid, which the caller passes as <paramref name="hostUid"/>/<paramref name="hostGid"/>
    /// (this project is platform-free: the CLI asks Carton.Linux for them).
    /// </summary>
    public static Spec Create(bool rootless, uint? hostUid = null, uint? hostGid = null)
    {
        List<string> defaultCaps() => ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];
        var spec = new Spec
        {
            OciVersion = OciVersion,
            Process = new Process
            {
                Terminal = true,
                User = new User { Uid = 0, Gid = 0 },
                Args = ["sh"],
                Env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
                Cwd = "/",
                Capabilities = new LinuxCapabilities
                {
                    Bounding = defaultCaps(),
                    Effective = defaultCaps(),
                    Permitted = defaultCaps(),
                    Ambient = defaultCaps(),
                },
                Rlimits = [new PosixRlimit { Type = "RLIMIT_NOFILE", Hard = 1024, Soft = 1024 }],
                NoNewPrivileges = true,
            },
            Root = new Root { Path = "rootfs", Readonly = true },
            Hostname = "runc", // runc's default; kept so bundles are interchangeable.
            Mounts =
            [
                new Mount { Destination = "/proc", Type = "proc", Source = "proc" },
                new Mount { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "strictatime", "mode=755", "size=65536k"] },
                new Mount { Destination = "/dev/pts", Type = "devpts", Source = "devpts", Options = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
                new Mount { Destination = "/dev/shm", Type = "tmpfs", Source = "shm", Options = ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
                new Mount { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = ["nosuid", "noexec", "nodev"] },
                new Mount { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = ["nosuid", "noexec", "nodev", "ro"] },
                new Mount { Destination = "/sys/fs/cgroup", Type = "cgroup", Source = "cgroup", Options = ["nosuid", "noexec", "nodev", "relatime", "ro"] },
            ],
            Linux = new LinuxSpec
            {
                // Deny all device access by default (config-linux.md "Allowed Device Cgroup").
                Resources = new LinuxResources { Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }] },
                Namespaces =
                [
                    new LinuxNamespace { Type = NamespaceKinds.Pid },
                    new LinuxNamespace { Type = NamespaceKinds.Network },
                    new LinuxNamespace { Type = NamespaceKinds.Ipc },
                    new LinuxNamespace { Type = NamespaceKinds.Uts },
                    new LinuxNamespace { Type = NamespaceKinds.Mount },
                ],
                MaskedPaths =
                [
                    "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
                ],
                ReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
            },
        };
        if (rootless)
            ToRootless(spec,
                hostUid ?? throw new ArgumentNullException(nameof(hostUid), "a rootless spec maps root to the caller's uid: pass it"),
                hostGid ?? throw new ArgumentNullException(nameof(hostGid), "a rootless spec maps root to the caller's gid: pass it"));
        return spec;
    }

    /// <summary>runc specconv.ToRootless applied to the example spec.</summary>
    private static void ToRootless(Spec spec, uint uid, uint gid)
    {
        var linux = spec.Linux!;
        // An unprivileged user cannot create a network namespace with connectivity, nor mount
        // sysfs for it, so runc drops netns and bind-mounts the host /sys instead.
        linux.Namespaces!.RemoveAll(n => n.Type == NamespaceKinds.Network);
        linux.Namespaces.Add(new LinuxNamespace { Type = NamespaceKinds.User });
        linux.UidMappings = [new LinuxIdMapping { ContainerID = 0, HostID = uid, Size = 1 }];
        linux.GidMappings = [new LinuxIdMapping { ContainerID = 0, HostID = gid, Size = 1 }];
        foreach (var m in spec.Mounts!)
        {
            if (m.Destination == "/sys")
            {
                m.Type = "none";
                m.Source = "/sys";
                m.Options = ["rbind", "nosuid", "noexec", "nodev", "ro"];
            }
            else
            {
                // gid=5 (tty) is not mapped in a single-id user namespace; devpts would reject it.
                m.Options?.RemoveAll(o => o.StartsWith("gid=", StringComparison.Ordinal) || o.StartsWith("uid=", StringComparison.Ordinal));
            }
        }
        // Rootless containers cannot be given a device cgroup without delegation.
        linux.Resources = null;
    }
}
