namespace Carton.Oci;

/// <summary>
/// One group of linux.resources (config-linux.md "Control groups": "Allowed Device list", "Memory", "CPU", "Block IO",
/// "Huge page limits", "Network", "PIDs", "RDMA", "Unified"): a member of <see cref="LinuxResources"/> that `update`
/// replaces as a whole.
/// </summary>
public abstract class ResourceGroup
{
    private protected ResourceGroup(string name, bool needsDelegation)
    {
        Name = name;
        NeedsDelegation = needsDelegation;
    }

    /// <summary>The JSON name under linux.resources ("memory", "blockIO", ...).</summary>
    public string Name { get; }

    /// <summary>
    /// True when asking for this group needs a cgroup of the container's own, so that a rootless container whose
    /// user has no delegated cgroup must fail rather than run without the limit (see Carton.Runtime's Rootless).
    /// </summary>
    public bool NeedsDelegation { get; }

    /// <summary>True when <paramref name="r"/> has this group (not null).</summary>
    public abstract bool IsPresent(LinuxResources r);

    /// <summary>True when <paramref name="r"/> asks for something in this group: present, and for lists and maps non-empty.</summary>
    public abstract bool IsRequested(LinuxResources r);

    /// <summary>Copies this group from <paramref name="from"/> to <paramref name="to"/> when <paramref name="from"/> has it.</summary>
    public abstract void CopyIfPresent(LinuxResources from, LinuxResources to);
}

/// <summary>
/// The groups of linux.resources, enumerated in this one place. `update` (CLI and compute service) merges by group,
/// rootless decides from them whether limits need a delegated cgroup, and the cgroup controllers
/// (Carton.Linux.Cgroups.Controllers) each name the groups they apply, which a unit test holds against this list.
/// </summary>
public static class ResourceGroups
{
    private sealed class Group<T>(string name, Func<LinuxResources, T?> get, Action<LinuxResources, T> set, Func<T, bool> requested, bool needsDelegation)
        : ResourceGroup(name, needsDelegation) where T : class
    {
        public override bool IsPresent(LinuxResources r) => get(r) is not null;

        public override bool IsRequested(LinuxResources r) => get(r) is { } value && requested(value);

        public override void CopyIfPresent(LinuxResources from, LinuxResources to)
        {
            if (get(from) is { } value) set(to, value);
        }
    }

    private static Group<T> Of<T>(string name, Func<LinuxResources, T?> get, Action<LinuxResources, T> set, bool needsDelegation = true) where T : class =>
        new(name, get, set, _ => true, needsDelegation);

    private static Group<List<T>> List<T>(string name, Func<LinuxResources, List<T>?> get, Action<LinuxResources, List<T>> set, bool needsDelegation = true) =>
        new(name, get, set, v => v.Count > 0, needsDelegation);

    private static Group<Dictionary<string, T>> Map<T>(string name, Func<LinuxResources, Dictionary<string, T>?> get, Action<LinuxResources, Dictionary<string, T>> set) =>
        new(name, get, set, v => v.Count > 0, needsDelegation: true);

    /// <summary>
    /// Every group, in the order of <see cref="LinuxResources"/>' members. Devices and network do not need a
    /// delegated cgroup: nearly every config.json carries device rules (the default spec denies all, then allows the
    /// standard devices) and a rootless container cannot create device nodes anyway, while net_cls/net_prio only
    /// tag traffic; so a rootless container without a cgroup of its own runs without them, with a warning.
    /// </summary>
    public static IReadOnlyList<ResourceGroup> All { get; } =
    [
        List("devices", r => r.Devices, (r, v) => r.Devices = v, needsDelegation: false),
        Of("memory", r => r.Memory, (r, v) => r.Memory = v),
        Of("cpu", r => r.Cpu, (r, v) => r.Cpu = v),
        Of("pids", r => r.Pids, (r, v) => r.Pids = v),
        Of("blockIO", r => r.BlockIO, (r, v) => r.BlockIO = v),
        List("hugepageLimits", r => r.HugepageLimits, (r, v) => r.HugepageLimits = v),
        Of("network", r => r.Network, (r, v) => r.Network = v, needsDelegation: false),
        Map("rdma", r => r.Rdma, (r, v) => r.Rdma = v),
        Map("unified", r => r.Unified, (r, v) => r.Unified = v),
    ];

    /// <summary>The group named <paramref name="name"/> (its JSON name), or null.</summary>
    public static ResourceGroup? Find(string name) => All.FirstOrDefault(g => g.Name == name);

    /// <summary>
    /// `update` semantics (runc-update(8), and the compute service's Modify): every group that
    /// <paramref name="update"/> has replaces the one in <paramref name="current"/>; the others stay. Returns
    /// <paramref name="current"/>, changed in place.
    /// </summary>
    public static LinuxResources Merge(LinuxResources current, LinuxResources update)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(update);
        foreach (var group in All) group.CopyIfPresent(update, current);
        return current;
    }

    /// <summary>A new <see cref="LinuxResources"/> sharing every group of <paramref name="r"/> (a shallow copy; unknown JSON members are not copied).</summary>
    public static LinuxResources Copy(LinuxResources r) => Merge(new LinuxResources(), r);

    /// <summary>True when <paramref name="r"/> asks for a group that needs a cgroup of the container's own (<see cref="ResourceGroup.NeedsDelegation"/>).</summary>
    public static bool NeedDelegation(LinuxResources? r) =>
        r is not null && All.Any(g => g.NeedsDelegation && g.IsRequested(r));
}
