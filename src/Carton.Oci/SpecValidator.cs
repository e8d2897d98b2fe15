using System.Text.RegularExpressions;

namespace Carton.Oci;

/// <summary>
/// Semantic checks of a parsed <see cref="Spec"/> before any syscall is made, so a bad bundle
/// fails early with a message naming the JSON path (config.md, config-linux.md). Checks mirror
/// runc's libcontainer/configs/validate where runc has one; differences are commented.
/// </summary>
public static partial class SpecValidator
{
    /// <summary>Returns every problem found (empty when valid). Never throws for bad input.</summary>
    /// <param name="bundleDir">When not null, root.path is resolved against it and must exist.</param>
    public static IReadOnlyList<ValidationError> Validate(Spec spec, string? bundleDir)
    {
        ArgumentNullException.ThrowIfNull(spec);
        // A null list entry ("mounts": [null], "args": [null]) would be dereferenced by every check below: it is the
        // one error reported, with its path (found by fuzzing, issue 15 §2).
        var element = System.Text.Json.JsonSerializer.SerializeToElement(spec, OciJsonContext.Default.Spec);
        if (JsonNullEntries.Find(element) is { } nullAt) return [new ValidationError(nullAt[2..], "must not be null")];
        var v = new Ctx(spec);
        v.Run(bundleDir);
        return v.Errors;
    }

    [GeneratedRegex(@"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")]
    private static partial Regex SemVer();

    // config-linux.md "Sysctl" + runc validate.go: only these kernel.* keys are IPC-namespaced.
    private static readonly HashSet<string> IpcSysctls = new(StringComparer.Ordinal)
    {
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
        "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
    };

    private static readonly HashSet<string> SeccompActions = new(StringComparer.Ordinal)
    {
        "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
        "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY",
    };

    private static readonly HashSet<string> SeccompOps = new(StringComparer.Ordinal)
    {
        "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
    };

    private static readonly HashSet<string> SchedPolicies = new(StringComparer.Ordinal)
    {
        "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE",
    };

    private static readonly HashSet<string> SchedFlags = new(StringComparer.Ordinal)
    {
        "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM", "SCHED_FLAG_DL_OVERRUN", "SCHED_FLAG_KEEP_POLICY",
        "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN", "SCHED_FLAG_UTIL_CLAMP_MAX",
    };

    /// <summary>
    /// config-linux.md "Rootfs Mount Propagation" lists shared/slave/private/unbindable; runc also
    /// accepts the r-prefixed forms, so carton does too for compatibility.
    /// </summary>
    public static IReadOnlySet<string> RootfsPropagations { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "shared", "slave", "private", "unbindable", "rshared", "rslave", "rprivate", "runbindable",
    };

    private sealed class Ctx(Spec spec)
    {
        public readonly List<ValidationError> Errors = new();
        private readonly List<LinuxNamespace> _ns = spec.Linux?.Namespaces ?? [];

        private void Add(string path, string message) => Errors.Add(new ValidationError(path, message));

        /// <summary>Namespace entry of that type is present (new or joined by path).</summary>
        private bool HasNs(string type) => _ns.Any(n => n.Type == type);

        /// <summary>A new namespace of that type is created (entry present without a path).</summary>
        private bool NewNs(string type) => _ns.Any(n => n.Type == type && string.IsNullOrEmpty(n.Path));

        public void Run(string? bundleDir)
        {
            // config.md "Specification version".
            if (string.IsNullOrEmpty(spec.OciVersion)) Add("ociVersion", "must be set");
            else if (!SemVer().IsMatch(spec.OciVersion)) Add("ociVersion", $"\"{spec.OciVersion}\" is not a SemVer version");

            Root(bundleDir);
            Process();
            Hostnames();
            Mounts();
            Hooks();
            if (spec.Annotations is { } ann && ann.Keys.Any(k => k.Length == 0))
                Add("annotations", "keys must not be empty"); // config.md "Annotations": keys MUST NOT be empty.
            Linux();
            WithoutMountNamespace();
        }

        /// <summary>
        /// No mount namespace: the container shares the caller's mount table, so carton mounts nothing and only
        /// chroots into root.path (as runc and crun do). Whatever would need a mount is refused, naming the field:
        /// runc refuses maskedPaths and readonlyPaths ("unable to restrict sys entries without a private MNT
        /// namespace"); carton refuses the rest too, where runc would mount on the host's table.
        /// </summary>
        private void WithoutMountNamespace()
        {
            if (HasNs(NamespaceKinds.Mount)) return;
            const string why = "needs a private mount namespace (linux.namespaces has no \"mount\": nothing may be mounted on the host)";
            if (spec.Mounts is { Count: > 0 }) Add("mounts", why);
            if (spec.Root?.Readonly == true) Add("root.readonly", why);
            if (spec.Process?.Terminal == true) Add("process.terminal", why + "; the console is bound at /dev/console");
            var l = spec.Linux;
            if (l is null) return;
            if (l.MaskedPaths is { Count: > 0 }) Add("linux.maskedPaths", why);
            if (l.ReadonlyPaths is { Count: > 0 }) Add("linux.readonlyPaths", why);
            if (!string.IsNullOrEmpty(l.RootfsPropagation)) Add("linux.rootfsPropagation", why);
            if (l.Devices is { Count: > 0 }) Add("linux.devices", why + "; the rootfs' /dev is used as it is");
        }

        private void Root(string? bundleDir)
        {
            // config.md "Root": path is REQUIRED; relative paths are relative to the bundle.
            var p = spec.Root?.Path;
            if (string.IsNullOrEmpty(p)) { Add("root.path", "must be set"); return; }
            // Path.GetFullPath throws on NUL; the kernel could not take such a path either (found by fuzzing)
            if (p.Contains('\0')) { Add("root.path", "must not contain a NUL character"); return; }
            if (bundleDir is null) return;
            var abs = Path.GetFullPath(Path.IsPathRooted(p) ? p : Path.Combine(bundleDir, p));
            if (File.Exists(abs) && !Directory.Exists(abs)) Add("root.path", $"\"{abs}\" is not a directory");
            else if (!Directory.Exists(abs)) Add("root.path", $"directory \"{abs}\" does not exist");
        }

        private void Process()
        {
            // config.md marks process OPTIONAL for create, but runc (and carton) need it to run the
            // container's init, so a missing process is rejected at create time.
            var p = spec.Process;
            if (p is null) { Add("process", "must be set"); return; }

            if (p.Args is null || p.Args.Count == 0) Add("process.args", "must not be empty");
            else if (string.IsNullOrEmpty(p.Args[0])) Add("process.args[0]", "must not be empty");

            // config.md: cwd REQUIRED, absolute.
            if (string.IsNullOrEmpty(p.Cwd)) Add("process.cwd", "must be set");
            else if (!p.Cwd.StartsWith('/')) Add("process.cwd", "must be an absolute path");

            if (p.Env is { } env)
                for (int i = 0; i < env.Count; i++)
                {
                    var e = env[i];
                    // environ(7): NAME=value with a non-empty NAME; NUL cannot pass through execve.
                    if (e is null || e.IndexOf('=') <= 0 || e.Contains('\0'))
                        Add($"process.env[{i}]", "must be of the form KEY=value");
                }

            if (p.Capabilities is { } caps)
            {
                CapSet("bounding", caps.Bounding);
                CapSet("effective", caps.Effective);
                CapSet("inheritable", caps.Inheritable);
                CapSet("permitted", caps.Permitted);
                CapSet("ambient", caps.Ambient);
            }

            if (p.Rlimits is { } rl)
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                for (int i = 0; i < rl.Count; i++)
                {
                    var r = rl[i];
                    if (r is null) { Add($"process.rlimits[{i}]", "must not be null"); continue; }
                    if (string.IsNullOrEmpty(r.Type)) Add($"process.rlimits[{i}].type", "must be set");
                    else if (!KnownRlimits.IsKnown(r.Type)) Add($"process.rlimits[{i}].type", $"unknown rlimit \"{r.Type}\"");
                    // config.md "rlimits": the runtime MUST generate an error for duplicate types.
                    else if (!seen.Add(r.Type)) Add($"process.rlimits[{i}].type", $"duplicate rlimit \"{r.Type}\"");
                    // setrlimit(2) fails with EINVAL when soft > hard; report it before we get there.
                    if (r.Soft > r.Hard) Add($"process.rlimits[{i}]", $"soft limit {r.Soft} exceeds hard limit {r.Hard}");
                }
            }

            // config.md "oomScoreAdj": /proc/[pid]/oom_score_adj accepts -1000..1000.
            if (p.OomScoreAdj is { } oom && (oom < -1000 || oom > 1000))
                Add("process.oomScoreAdj", "must be between -1000 and 1000");

            if (p.IoPriority is { } io)
            {
                if (io.Class is not ("IOPRIO_CLASS_RT" or "IOPRIO_CLASS_BE" or "IOPRIO_CLASS_IDLE"))
                    Add("process.ioPriority.class", $"unknown class \"{io.Class}\"");
                if (io.Priority < 0 || io.Priority > 7)
                    Add("process.ioPriority.priority", "must be between 0 and 7");
            }

            if (p.Scheduler is { } s)
            {
                if (string.IsNullOrEmpty(s.Policy)) Add("process.scheduler.policy", "must be set");
                else if (!SchedPolicies.Contains(s.Policy)) Add("process.scheduler.policy", $"unknown policy \"{s.Policy}\"");
                if (s.Nice is { } nice && (nice < -20 || nice > 19)) Add("process.scheduler.nice", "must be between -20 and 19");
                if (s.Flags is { } fl)
                    for (int i = 0; i < fl.Count; i++)
                        if (!SchedFlags.Contains(fl[i])) Add($"process.scheduler.flags[{i}]", $"unknown flag \"{fl[i]}\"");
            }
        }

        private void CapSet(string name, List<string>? set)
        {
            if (set is null) return;
            for (int i = 0; i < set.Count; i++)
                // Case-sensitive, CAP_-prefixed names only (config.md "capabilities").
                if (set[i] is null || !KnownCapabilities.IsKnown(set[i]))
                    Add($"process.capabilities.{name}[{i}]", $"unknown capability \"{set[i]}\"");
        }

        private void Hostnames()
        {
            // config.md "Hostname"/"Domainname": setting them changes the UTS namespace, so one must
            // be unshared. Like runc, a joined UTS namespace (path) also counts: CRI runtimes set the
            // hostname of containers that join the pod sandbox's UTS namespace.
            if (!string.IsNullOrEmpty(spec.Hostname) && !HasNs(NamespaceKinds.Uts))
                Add("hostname", "requires a new UTS namespace");
            if (!string.IsNullOrEmpty(spec.Domainname) && !HasNs(NamespaceKinds.Uts))
                Add("domainname", "requires a new UTS namespace");
        }

        private void Mounts()
        {
            if (spec.Mounts is not { } mounts) return;
            for (int i = 0; i < mounts.Count; i++)
            {
                var m = mounts[i];
                var at = $"mounts[{i}]";
                if (m is null) { Add(at, "must not be null"); continue; }
                // config.md "Mounts": destination SHOULD be absolute. runc accepts a relative
                // destination with a warning (resolving it against "/"); carton rejects it with a
                // clear error instead, since silently re-rooting paths hides bundle bugs.
                if (string.IsNullOrEmpty(m.Destination)) Add($"{at}.destination", "must be set");
                else if (!m.Destination.StartsWith('/')) Add($"{at}.destination", "must be an absolute path");

                var opts = m.Options ?? [];
                var parsed = MountOptionParser.Parse(opts);
                bool bind = parsed.Bind || m.Type == "bind";
                if (bind && string.IsNullOrEmpty(m.Source)) Add($"{at}.source", "must be set for a bind mount");

                // config.md "Mounts" uidMappings/gidMappings (idmapped mounts): both or neither,
                // only for bind mounts (runc: "id-mapped mounts are only supported for bind-mounts").
                bool hasU = m.UidMappings is { Count: > 0 }, hasG = m.GidMappings is { Count: > 0 };
                if (hasU && !hasG) Add($"{at}.gidMappings", "required when uidMappings is set");
                if (hasG && !hasU) Add($"{at}.uidMappings", "required when gidMappings is set");
                for (int j = 0; j < opts.Count; j++)
                {
                    if (opts[j] is not ("idmap" or "ridmap")) continue;
                    if (!hasU || !hasG) Add($"{at}.options[{j}]", $"\"{opts[j]}\" requires uidMappings and gidMappings");
                    if (!bind) Add($"{at}.options[{j}]", $"\"{opts[j]}\" is only supported for bind mounts");
                }
                if ((hasU || hasG) && !bind) Add(at, "uidMappings/gidMappings are only supported for bind mounts");
                IdMappings($"{at}.uidMappings", m.UidMappings);
                IdMappings($"{at}.gidMappings", m.GidMappings);
            }
        }

        private void Hooks()
        {
            if (spec.Hooks is not { } h) return;
            HookList("prestart", h.Prestart);
            HookList("createRuntime", h.CreateRuntime);
            HookList("createContainer", h.CreateContainer);
            HookList("startContainer", h.StartContainer);
            HookList("poststart", h.Poststart);
            HookList("poststop", h.Poststop);
        }

        private void HookList(string name, List<Hook>? hooks)
        {
            if (hooks is null) return;
            for (int i = 0; i < hooks.Count; i++)
            {
                var at = $"hooks.{name}[{i}]";
                var hk = hooks[i];
                if (hk is null) { Add(at, "must not be null"); continue; }
                // config.md "POSIX-platform Hooks": path REQUIRED, absolute; timeout > 0 if set.
                if (string.IsNullOrEmpty(hk.Path)) Add($"{at}.path", "must be set");
                else if (!hk.Path.StartsWith('/')) Add($"{at}.path", "must be an absolute path");
                if (hk.Timeout is { } t && t <= 0) Add($"{at}.timeout", "must be greater than zero");
                if (hk.Env is { } env)
                    for (int j = 0; j < env.Count; j++)
                        if (env[j] is null || env[j].IndexOf('=') <= 0)
                            Add($"{at}.env[{j}]", "must be of the form KEY=value");
            }
        }

        private void IdMappings(string at, List<LinuxIdMapping>? maps)
        {
            if (maps is null) return;
            for (int i = 0; i < maps.Count; i++)
                if (maps[i] is { } m && m.Size == 0) Add($"{at}[{i}].size", "must be greater than zero");
        }

        private void Linux()
        {
            var l = spec.Linux;

            // config-linux.md "Namespaces".
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < _ns.Count; i++)
            {
                var n = _ns[i];
                if (n is null) { Add($"linux.namespaces[{i}]", "must not be null"); continue; }
                if (string.IsNullOrEmpty(n.Type)) Add($"linux.namespaces[{i}].type", "must be set");
                else if (!NamespaceKinds.IsKnown(n.Type)) Add($"linux.namespaces[{i}].type", $"unknown namespace type \"{n.Type}\"");
                else if (!seen.Add(n.Type)) Add("linux.namespaces", $"duplicate namespace type \"{n.Type}\""); // MUST error.
                if (!string.IsNullOrEmpty(n.Path) && !n.Path.StartsWith('/'))
                    Add($"linux.namespaces[{i}].path", "must be an absolute path");
            }
            if (l is null) return;

            // config-linux.md "User namespace mappings": needed to create a user namespace,
            // meaningless without one.
            bool newUser = NewNs(NamespaceKinds.User), anyUser = HasNs(NamespaceKinds.User);
            if (newUser && l.UidMappings is not { Count: > 0 }) Add("linux.uidMappings", "required when a user namespace is created");
            if (newUser && l.GidMappings is not { Count: > 0 }) Add("linux.gidMappings", "required when a user namespace is created");
            if (!anyUser && l.UidMappings is { Count: > 0 }) Add("linux.uidMappings", "requires a user namespace");
            if (!anyUser && l.GidMappings is { Count: > 0 }) Add("linux.gidMappings", "requires a user namespace");
            IdMappings("linux.uidMappings", l.UidMappings);
            IdMappings("linux.gidMappings", l.GidMappings);

            // config-linux.md "Offset for Time Namespace".
            if (l.TimeOffsets is { Count: > 0 } to)
            {
                if (!NewNs(NamespaceKinds.Time)) Add("linux.timeOffsets", "requires a new time namespace");
                foreach (var k in to.Keys)
                    if (k is not ("monotonic" or "boottime")) Add($"linux.timeOffsets[\"{k}\"]", "unknown clock (must be monotonic or boottime)");
            }

            if (l.Sysctl is { } sysctl)
                foreach (var key in sysctl.Keys) Sysctl(key);

            // config-linux.md "Devices".
            if (l.Devices is { } devs)
                for (int i = 0; i < devs.Count; i++)
                {
                    var d = devs[i];
                    var at = $"linux.devices[{i}]";
                    if (d is null) { Add(at, "must not be null"); continue; }
                    if (d.Type is not ("c" or "b" or "u" or "p")) Add($"{at}.type", "must be one of c, b, u, p");
                    if (string.IsNullOrEmpty(d.Path)) Add($"{at}.path", "must be set");
                    else if (!d.Path.StartsWith("/dev/", StringComparison.Ordinal) || d.Path.Split('/').Contains(".."))
                        Add($"{at}.path", "must be under /dev");
                }

            if (l.Resources is { } res) Resources(res);

            if (!string.IsNullOrEmpty(l.RootfsPropagation) && !RootfsPropagations.Contains(l.RootfsPropagation))
                Add("linux.rootfsPropagation", $"unknown propagation \"{l.RootfsPropagation}\"");

            AbsList("linux.maskedPaths", l.MaskedPaths);
            AbsList("linux.readonlyPaths", l.ReadonlyPaths);

            if (l.Seccomp is { } sc) Seccomp(sc);

            if (l.Personality is { } pers && pers.Domain is not ("LINUX" or "LINUX32"))
                Add("linux.personality.domain", $"unknown domain \"{pers.Domain}\"");
        }

        private void Sysctl(string key)
        {
            var at = $"linux.sysctl[\"{key}\"]";
            // runc accepts "/" as separator (net/ipv4/ip_forward); normalise for the checks only.
            var k = key.Replace('/', '.');
            // Which sysctls are namespaced follows runc's validate.go sysctl(); a joined namespace
            // counts as private like in runc (the host-namespace check needs /proc and is done later).
            if (IpcSysctls.Contains(k) || k.StartsWith("fs.mqueue.", StringComparison.Ordinal))
            {
                if (!HasNs(NamespaceKinds.Ipc)) Add(at, "requires a new IPC namespace");
            }
            else if (k.StartsWith("net.", StringComparison.Ordinal))
            {
                if (!HasNs(NamespaceKinds.Network)) Add(at, "requires a new network namespace");
            }
            else if (k is "kernel.hostname" or "kernel.domainname")
            {
                if (!HasNs(NamespaceKinds.Uts)) Add(at, "requires a new UTS namespace");
                else if (k == "kernel.hostname" && !string.IsNullOrEmpty(spec.Hostname)) Add(at, "conflicts with the hostname field");
                else if (k == "kernel.domainname" && !string.IsNullOrEmpty(spec.Domainname)) Add(at, "conflicts with the domainname field");
            }
            else Add(at, "not namespaced");
        }

        private void Resources(LinuxResources r)
        {
            if (r.Devices is { } d)
                for (int i = 0; i < d.Count; i++)
                {
                    var e = d[i];
                    var at = $"linux.resources.devices[{i}]";
                    if (e is null) { Add(at, "must not be null"); continue; }
                    if (e.Type is not (null or "" or "a" or "c" or "b")) Add($"{at}.type", "must be one of a, c, b");
                    if (!string.IsNullOrEmpty(e.Access) && e.Access.Any(c => c is not ('r' or 'w' or 'm')))
                        Add($"{at}.access", "must be a combination of r, w, m");
                }
            if (r.Memory is { } m)
            {
                if (m.Swappiness is { } sw && sw > 100) Add("linux.resources.memory.swappiness", "must be between 0 and 100");
                // memory.memsw.limit_in_bytes is memory+swap, so it cannot be below the memory limit.
                if (m.Limit is > 0 && m.Swap is > 0 && m.Swap < m.Limit)
                    Add("linux.resources.memory.swap", "must be greater than or equal to memory.limit");
            }
            if (r.HugepageLimits is { } hp)
                for (int i = 0; i < hp.Count; i++)
                    if (hp[i] is { } h && string.IsNullOrEmpty(h.Pagesize)) Add($"linux.resources.hugepageLimits[{i}].pageSize", "must be set");
        }

        private void Seccomp(LinuxSeccomp sc)
        {
            if (string.IsNullOrEmpty(sc.DefaultAction)) Add("linux.seccomp.defaultAction", "must be set");
            else if (!SeccompActions.Contains(sc.DefaultAction)) Add("linux.seccomp.defaultAction", $"unknown action \"{sc.DefaultAction}\"");
            if (sc.Syscalls is not { } calls) return;
            for (int i = 0; i < calls.Count; i++)
            {
                var c = calls[i];
                var at = $"linux.seccomp.syscalls[{i}]";
                if (c is null) { Add(at, "must not be null"); continue; }
                if (c.Names is not { Count: > 0 }) Add($"{at}.names", "must not be empty");
                if (string.IsNullOrEmpty(c.Action) || !SeccompActions.Contains(c.Action)) Add($"{at}.action", $"unknown action \"{c.Action}\"");
                if (c.Args is { } args)
                    for (int j = 0; j < args.Count; j++)
                    {
                        if (args[j] is not { } a) continue;
                        if (a.Op is null || !SeccompOps.Contains(a.Op)) Add($"{at}.args[{j}].op", $"unknown operator \"{a.Op}\"");
                        if (a.Index > 5) Add($"{at}.args[{j}].index", "must be between 0 and 5"); // syscalls take <= 6 args
                    }
            }
        }

        private void AbsList(string at, List<string>? paths)
        {
            if (paths is null) return;
            for (int i = 0; i < paths.Count; i++)
                if (string.IsNullOrEmpty(paths[i]) || !paths[i].StartsWith('/')) Add($"{at}[{i}]", "must be an absolute path");
        }
    }
}
