using System.Globalization;
using Carton.Compute;
using Carton.Docker.Models;
using Carton.Network;
using Carton.Oci;

namespace Carton.Docker;

/// <summary>
/// POST /containers/create's body as a compute system document: the image with Docker's overrides of its config, a
/// spec laid over the image's (env, capabilities, mounts, resources, read-only root), the networking (NetworkMode,
/// ports, aliases, DNS, hosts) and the init's stdio relayed by its monitor into the json-file log (rotated, or none,
/// as LogConfig says: <see cref="LogDrivers"/>). Every field the
/// issue lists is mapped here; fields Carton records but does not apply come back as warnings.
/// </summary>
internal static class ContainerDocument
{
    /// <summary>Docker's default capabilities (moby's oci/caps DefaultCapabilities).</summary>
    public static readonly string[] DefaultCapabilities =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    /// <summary>What the translation gives: the document, the command shown by inspect and ps, and the warnings.</summary>
    public sealed record Result(ComputeSystemDocument Document, List<string> Command, List<string> Warnings);

    /// <param name="body">The create body.</param>
    /// <param name="imageRef">The image's canonical reference (the store's name).</param>
    /// <param name="imageConfig">The image's config (for the command shown; the compute service applies it).</param>
    /// <param name="id">The new container's id.</param>
    /// <param name="logPath">The json-file log.</param>
    /// <param name="namespaceOf">The network namespace id of another container (for NetworkMode container:ID).</param>
    /// <param name="volumes">The container's claim on volumes (named and anonymous ones are made and referenced through
    /// it); null: volumes are refused and the image's VOLUMEs get none (a translation without side effects: fuzzing).</param>
    public static Result Build(ContainerCreateBody body, string imageRef, Carton.Images.Model.ContainerConfig? imageConfig,
        string id, string name, string logPath, Func<string, string> namespaceOf, DockerVolumes.VolumeClaim? volumes = null)
    {
        var host = body.HostConfig ?? new HostConfig();
        var warnings = new List<string>();
        RestartManager.Validate(host);
        HealthMonitor.Validate(body.Healthcheck);
        var logSettings = LogDrivers.Resolve(host.LogConfig, warnings);
        var spec = new Spec { Process = new Carton.Oci.Process() };
        var process = spec.Process;

        // Entrypoint and Cmd: the compute service applies Docker's rules to the image; the command is worked out here
        // too, for inspect's Path and Args
        List<string> entrypoint = body.Entrypoint is { } e ? [.. e] : [.. imageConfig?.Entrypoint ?? []];
        List<string> cmd = body.Cmd is { Count: > 0 } c ? [.. c] : body.Entrypoint is not null ? [] : [.. imageConfig?.Cmd ?? []];
        List<string> command = [.. entrypoint, .. cmd];
        if (command.Count == 0) throw DockerErrors.BadRequest("No command specified", "Cmd");

        var hostname = string.IsNullOrEmpty(body.Hostname) ? id[..12] : body.Hostname;
        var env = new List<string>();
        int i = 0;
        foreach (var entry in body.Env ?? [])
        {
            int eq = entry.IndexOf('=', StringComparison.Ordinal);
            if (eq == 0) throw DockerErrors.BadRequest($"invalid environment variable: {entry}", $"Env[{i}]");
            // "NAME" alone asks the client to pass its own value; the CLIs resolve it, and an unresolved one is unset
            if (eq > 0) env.Add(entry);
            i++;
        }
        if (!env.Any(v => v.StartsWith("HOSTNAME=", StringComparison.Ordinal))) env.Insert(0, "HOSTNAME=" + hostname);
        if (body.Tty && !env.Any(v => v.StartsWith("TERM=", StringComparison.Ordinal))) env.Add("TERM=xterm");
        process.Env = env;

        process.Capabilities = Capabilities(host);
        if (host.Privileged)
        {
            spec.Linux = new LinuxSpec { MaskedPaths = [], ReadonlyPaths = [] };
            warnings.Add("Privileged: the container gets every capability and no masked or read-only /proc paths; host devices are not added");
        }
        if (host.ReadonlyRootfs) spec.Root = new Root { Readonly = true };

        var mounts = new List<Mount>();
        Binds(host, mounts, volumes);
        Mounts(host, mounts, volumes);
        foreach (var (target, options) in host.Tmpfs ?? [])
        {
            if (!target.StartsWith('/')) throw DockerErrors.BadRequest($"invalid mount config for type \"tmpfs\": invalid mount path: '{target}' mount path must be absolute", "HostConfig.Tmpfs");
            List<string> opts = ["nosuid", "nodev", "noexec"];
            // "Tmpfs": {"/x": null} is Go's "" (no options); it threw NullReferenceException (found by fuzzing, issue 15 §2)
            opts.AddRange((options ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            mounts.Add(new Mount { Destination = target, Type = "tmpfs", Source = "tmpfs", Options = opts });
        }
        ImageVolumes(body, imageConfig, mounts, volumes);
        var duplicate = mounts.GroupBy(m => m.Destination).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw DockerErrors.BadRequest($"Duplicate mount point: {duplicate.Key}", "HostConfig.Mounts");
        if (mounts.Count > 0) spec.Mounts = mounts;

        spec.Linux = Resources(host, spec.Linux);

        var networking = Networking(body, host, id, name, hostname, namespaceOf, warnings, spec);
        if (networking is null && host.NetworkMode is not "host") spec.Hostname = hostname;

        Unsupported(body, host, warnings);

        var document = new ComputeSystemDocument
        {
            Oci = new OciSystemDocument
            {
                Spec = spec,
                Image = imageRef,
                ImageConfig = new ImageConfigOverrides
                {
                    Entrypoint = body.Entrypoint, Cmd = body.Cmd is { Count: > 0 } ? body.Cmd : null,
                    User = string.IsNullOrEmpty(body.User) ? null : body.User,
                    WorkingDir = string.IsNullOrEmpty(body.WorkingDir) ? null : body.WorkingDir,
                },
                Network = networking,
            },
            InitIo = new InitIo
            {
                LogPath = logPath, Stdin = body.OpenStdin, StdinOnce = body.StdinOnce, Terminal = body.Tty,
                ConsoleSize = body.Tty && host.ConsoleSize is [var h, var w] && h > 0 && w > 0 ? [h, w] : null,
            },
        };
        LogDrivers.Apply(logSettings, document.InitIo);
        return new Result(document, command, warnings);
    }

    private static LinuxCapabilities Capabilities(HostConfig host)
    {
        HashSet<string> caps;
        if (host.Privileged) caps = [.. KnownCapabilities.All];
        else
        {
            caps = [.. DefaultCapabilities];
            var drop = (host.CapDrop ?? []).Select(Normalize).ToList();
            var add = (host.CapAdd ?? []).Select(Normalize).ToList();
            if (drop.Contains("CAP_ALL")) caps.Clear();
            else caps.ExceptWith(drop);
            if (add.Contains("CAP_ALL")) caps.UnionWith(KnownCapabilities.All);
            else
            {
                foreach (var cap in add)
                {
                    if (!KnownCapabilities.IsKnown(cap)) throw DockerErrors.BadRequest($"invalid CapAdd: unknown capability: \"{cap}\"", "HostConfig.CapAdd");
                    caps.Add(cap);
                }
            }
            foreach (var cap in drop)
                if (cap != "CAP_ALL" && !KnownCapabilities.IsKnown(cap))
                    throw DockerErrors.BadRequest($"invalid CapDrop: unknown capability: \"{cap}\"", "HostConfig.CapDrop");
        }
        List<string> list = [.. caps.Order(StringComparer.Ordinal)];
        return new LinuxCapabilities { Bounding = list, Effective = [.. list], Permitted = [.. list] };
    }

    private static string Normalize(string cap)
    {
        var upper = cap.Trim().ToUpperInvariant();
        return upper.StartsWith("CAP_", StringComparison.Ordinal) ? upper : "CAP_" + upper;
    }

    /// <summary>HostConfig.Binds: "SOURCE:TARGET[:OPTIONS]" with an absolute source (a missing one is made, as dockerd
    /// does), or a volume's name (made when there is none, as dockerd does).</summary>
    private static void Binds(HostConfig host, List<Mount> mounts, DockerVolumes.VolumeClaim? volumes)
    {
        int i = 0;
        foreach (var bind in host.Binds ?? [])
        {
            var field = $"HostConfig.Binds[{i++}]";
            var parts = bind.Split(':');
            if (parts.Length is < 2 or > 3) throw DockerErrors.BadRequest($"invalid volume specification: '{bind}'", field);
            var (source, target) = (parts[0], parts[1]);
            if (source.Length == 0) throw DockerErrors.BadRequest($"invalid volume specification: '{bind}': the source is empty", field);
            if (!source.StartsWith('/') && volumes is null)
                throw DockerErrors.BadRequest($"invalid volume specification: '{bind}': named volumes are not supported here; give an absolute host path", field);
            if (!target.StartsWith('/')) throw DockerErrors.BadRequest($"invalid volume specification: '{bind}': invalid mount config: mount path must be absolute", field);
            List<string> options = ["rbind"];
            bool readOnly = false;
            foreach (var opt in parts.Length == 3 ? parts[2].Split(',', StringSplitOptions.RemoveEmptyEntries) : [])
            {
                switch (opt)
                {
                    case "ro": readOnly = true; break;
                    case "rw": break;
                    case "z" or "Z" or "nocopy": break; // SELinux relabelling and volume copy: nothing to do here
                    case "private" or "rprivate" or "shared" or "rshared" or "slave" or "rslave": options.Add(opt); break;
                    default: throw DockerErrors.BadRequest($"invalid volume specification: '{bind}': invalid mode: {opt}", field);
                }
            }
            options.Add(readOnly ? "ro" : "rw");
            if (!source.StartsWith('/'))
                source = volumes!.Use(source, target, readOnly, parts.Length == 3 ? parts[2] : "", null, null, null,
                    noCopy: parts.Length == 3 && parts[2].Split(',').Contains("nocopy"), field);
            else if (!Path.Exists(source)) Directory.CreateDirectory(source);
            mounts.Add(new Mount { Destination = target, Type = "bind", Source = source, Options = options });
        }
    }

    /// <summary>HostConfig.Mounts: bind (the source must exist), tmpfs, and volume (by name, made if absent; anonymous
    /// without one).</summary>
    private static void Mounts(HostConfig host, List<Mount> mounts, DockerVolumes.VolumeClaim? volumes)
    {
        int i = 0;
        foreach (var m in host.Mounts ?? [])
        {
            var field = $"HostConfig.Mounts[{i++}]";
            if (string.IsNullOrEmpty(m.Target) || !m.Target.StartsWith('/'))
                throw DockerErrors.BadRequest($"invalid mount config: mount path must be absolute: \"{m.Target}\"", field + ".Target");
            switch (m.Type)
            {
                case "bind":
                    if (string.IsNullOrEmpty(m.Source) || !m.Source.StartsWith('/'))
                        throw DockerErrors.BadRequest($"invalid mount config for type \"bind\": invalid mount path: '{m.Source}' mount path must be absolute", field + ".Source");
                    if (!Path.Exists(m.Source))
                        throw DockerErrors.BadRequest($"invalid mount config for type \"bind\": bind source path does not exist: {m.Source}", field + ".Source");
                    List<string> options = ["rbind", m.ReadOnly ? "ro" : "rw"];
                    if (m.BindOptions?.Propagation is { Length: > 0 } p) options.Add(p);
                    mounts.Add(new Mount { Destination = m.Target, Type = "bind", Source = m.Source, Options = options });
                    break;
                case "tmpfs":
                    List<string> t = ["nosuid", "nodev", "noexec"];
                    if (m.ReadOnly) t.Add("ro");
                    if (m.TmpfsOptions?.SizeBytes is > 0 and var size) t.Add("size=" + size.ToString(CultureInfo.InvariantCulture));
                    if (m.TmpfsOptions?.Mode is { } mode) t.Add("mode=" + Convert.ToString(mode, 8));
                    mounts.Add(new Mount { Destination = m.Target, Type = "tmpfs", Source = "tmpfs", Options = t });
                    break;
                case "volume":
                    if (volumes is null) throw DockerErrors.BadRequest("invalid mount config: mounts of type \"volume\" are not supported here", field + ".Type");
                    if (m.BindOptions is not null) throw DockerErrors.BadRequest("invalid mount config for type \"volume\": BindOptions must not be specified", field + ".BindOptions");
                    if (m.TmpfsOptions is not null) throw DockerErrors.BadRequest("invalid mount config for type \"volume\": TmpfsOptions must not be specified", field + ".TmpfsOptions");
                    if (m.VolumeOptions?.Subpath is { Length: > 0 })
                        throw DockerErrors.BadRequest("invalid mount config for type \"volume\": VolumeOptions.Subpath is not supported by carton", field + ".VolumeOptions.Subpath");
                    var data = volumes.Use(string.IsNullOrEmpty(m.Source) ? null : m.Source, m.Target, m.ReadOnly, "", m.VolumeOptions?.Labels,
                        m.VolumeOptions?.DriverConfig?.Name, m.VolumeOptions?.DriverConfig?.Options, m.VolumeOptions?.NoCopy == true, field + ".Source",
                        field + ".VolumeOptions.DriverConfig.Name", field + ".VolumeOptions.DriverConfig.Options");
                    mounts.Add(new Mount { Destination = m.Target, Type = "bind", Source = data, Options = ["rbind", m.ReadOnly ? "ro" : "rw"] });
                    break;
                default:
                    throw DockerErrors.BadRequest($"invalid mount config: mount type unknown: \"{m.Type}\"", field + ".Type");
            }
        }
    }

    /// <summary>Config.Volumes (`docker run -v /path`) and the image's VOLUMEs: an anonymous volume for each path
    /// nothing else is mounted on, as dockerd makes them.</summary>
    private static void ImageVolumes(ContainerCreateBody body, Carton.Images.Model.ContainerConfig? imageConfig, List<Mount> mounts, DockerVolumes.VolumeClaim? volumes)
    {
        foreach (var (path, field) in (body.Volumes?.Keys ?? Enumerable.Empty<string>()).Select(p => (p, "Volumes"))
                     .Concat((imageConfig?.Volumes?.Keys ?? Enumerable.Empty<string>()).Select(p => (p, "the image's Volumes"))))
        {
            if (!path.StartsWith('/')) throw DockerErrors.BadRequest($"invalid mount config: mount path must be absolute: \"{path}\"", field);
            var target = path.Length > 1 ? path.TrimEnd('/') : path;
            if (volumes is null || mounts.Any(m => (m.Destination ?? "").TrimEnd('/') == target.TrimEnd('/'))) continue;
            var data = volumes.Use(null, target, false, "", null, null, null, noCopy: false, field);
            mounts.Add(new Mount { Destination = target, Type = "bind", Source = data, Options = ["rbind", "rw"] });
        }
    }

    private static LinuxSpec? Resources(HostConfig host, LinuxSpec? linux)
    {
        if (host.Memory < 0) throw DockerErrors.BadRequest("invalid Memory: must not be negative", "HostConfig.Memory");
        if (host.Memory is > 0 and < 6 * 1024 * 1024) throw DockerErrors.BadRequest("Minimum memory limit allowed is 6MB", "HostConfig.Memory");
        if (host.NanoCpus < 0) throw DockerErrors.BadRequest("invalid NanoCpus: must not be negative", "HostConfig.NanoCpus");
        if (host.CpuShares < 0) throw DockerErrors.BadRequest("invalid CpuShares: must not be negative", "HostConfig.CpuShares");
        if (host.MemorySwap > 0 && host.MemorySwap < host.Memory) throw DockerErrors.BadRequest("Minimum memoryswap limit should be larger than memory limit, see usage", "HostConfig.MemorySwap");
        var resources = new LinuxResources { Memory = ContainerResourceLimits.Memory(host), Cpu = ContainerResourceLimits.Cpu(host), Pids = ContainerResourceLimits.Pids(host) };
        bool any = resources.Memory is not null || resources.Cpu is not null || resources.Pids is not null;
        if (!any) return linux;
        linux ??= new LinuxSpec();
        linux.Resources = resources;
        return linux;
    }

    /// <summary>NetworkMode and its company as the system's networking; null for host and none (no network service).</summary>
    private static SystemNetworking? Networking(ContainerCreateBody body, HostConfig host, string id, string name, string hostname,
        Func<string, string> namespaceOf, List<string> warnings, Spec spec)
    {
        var mode = string.IsNullOrEmpty(host.NetworkMode) ? "default" : host.NetworkMode;
        var ports = Ports(body, host);
        if (mode is "host" or "none")
        {
            if (ports.Count > 0) warnings.Add($"Published ports are discarded when using {mode} network mode");
            if (mode == "host")
            {
                // the host's network namespace: leave the network namespace out of the spec (the others stay new)
                spec.Linux ??= new LinuxSpec();
                spec.Linux.Namespaces = [.. new[] { "pid", "ipc", "uts", "mount" }.Select(t => new LinuxNamespace { Type = t })];
            }
            if (host.ExtraHosts is { Count: > 0 } || host.Dns is { Count: > 0 })
                warnings.Add($"ExtraHosts and Dns are not applied with NetworkMode {mode}");
            return null;
        }
        var networking = new SystemNetworking
        {
            Hostname = hostname, Dns = host.Dns is { Count: > 0 } ? host.Dns : null, DnsSearch = host.DnsSearch is { Count: > 0 } ? host.DnsSearch : null,
            DnsOptions = host.DnsOptions is { Count: > 0 } ? host.DnsOptions : null, ExtraHosts = host.ExtraHosts is { Count: > 0 } ? host.ExtraHosts : null,
        };
        if (mode.StartsWith("container:", StringComparison.Ordinal))
        {
            if (ports.Count > 0) throw DockerErrors.Conflict("conflicting options: port publishing and the container type network mode");
            networking.Namespace = namespaceOf(mode["container:".Length..]);
            networking.Hostname = null;
            return networking;
        }
        var shortName = name.TrimStart('/');
        var attachments = new List<SystemNetworkAttachment>();
        var configs = body.NetworkingConfig?.EndpointsConfig ?? [];
        var primary = mode is "default" or "bridge" ? "bridge" : mode;
        foreach (var network in new[] { primary }.Concat(configs.Keys.Where(k => k != primary && !(primary == "bridge" && k == "default"))))
        {
            configs.TryGetValue(network, out var settings);
            if (settings is null && network == "bridge") configs.TryGetValue("default", out settings);
            List<string> aliases = [shortName, id[..12], .. settings?.Aliases ?? []];
            attachments.Add(new SystemNetworkAttachment
            {
                Network = NetworkName(network), Aliases = [.. aliases.Distinct(StringComparer.Ordinal)],
                IpAddress = settings?.IPAMConfig?.IPv4Address is { Length: > 0 } ip ? ip : null,
                MacAddress = settings?.MacAddress is { Length: > 0 } mac ? mac : null,
            });
        }
        networking.Networks = attachments;
        networking.Ports = ports.Count > 0 ? ports : null;
        return networking;
    }

    /// <summary>Docker's network name as Carton's: "bridge" (and "default") is the default network, "".</summary>
    public static string NetworkName(string dockerName) => dockerName is "bridge" or "default" ? "" : dockerName;

    /// <summary>PortBindings (and every ExposedPort with PublishAllPorts) as port mappings.</summary>
    private static List<PortMapping> Ports(ContainerCreateBody body, HostConfig host)
    {
        var result = new List<PortMapping>();
        var bindings = new Dictionary<string, List<PortBinding>?>(host.PortBindings ?? [], StringComparer.Ordinal);
        if (host.PublishAllPorts)
            foreach (var exposed in body.ExposedPorts?.Keys ?? Enumerable.Empty<string>())
                if (!bindings.ContainsKey(exposed)) bindings[exposed] = [new PortBinding()];
        foreach (var (key, list) in bindings)
        {
            var (port, proto) = ParsePort(key, "HostConfig.PortBindings");
            foreach (var b in list is { Count: > 0 } ? list : [new PortBinding()])
            {
                int hostPort = 0;
                if (!string.IsNullOrEmpty(b.HostPort) && (!int.TryParse(b.HostPort, NumberStyles.None, CultureInfo.InvariantCulture, out hostPort) || hostPort > 65535))
                    throw DockerErrors.BadRequest($"invalid port specification: \"{b.HostPort}\" (port ranges are not supported by carton)", $"HostConfig.PortBindings.{key}");
                result.Add(new PortMapping
                {
                    ContainerPort = port, HostPort = hostPort, Protocol = proto,
                    HostIp = string.IsNullOrEmpty(b.HostIp) ? null : b.HostIp,
                });
            }
        }
        return result;
    }

    /// <summary>"80/tcp" or "80" as (80, "tcp").</summary>
    public static (int Port, string Protocol) ParsePort(string key, string field)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var number = slash < 0 ? key : key[..slash];
        var proto = slash < 0 ? "tcp" : key[(slash + 1)..].ToLowerInvariant();
        if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535 || proto is not ("tcp" or "udp" or "sctp"))
            throw DockerErrors.BadRequest($"invalid port specification: \"{key}\"", field);
        return (port, proto);
    }

    private static void Unsupported(ContainerCreateBody body, HostConfig host, List<string> warnings)
    {
        void Warn(bool given, string field) { if (given) warnings.Add($"{field} is recorded but not applied by carton"); }
        Warn(host.SecurityOpt is { Count: > 0 }, "HostConfig.SecurityOpt");
        Warn(host.Devices is { Count: > 0 }, "HostConfig.Devices");
        Warn(host.Ulimits is { Count: > 0 }, "HostConfig.Ulimits");
        Warn(host.Sysctls is { Count: > 0 }, "HostConfig.Sysctls");
        Warn(host.PidMode is { Length: > 0 }, "HostConfig.PidMode");
        Warn(host.IpcMode is { Length: > 0 } and not "private" and not "shareable", "HostConfig.IpcMode");
        Warn(host.UsernsMode is { Length: > 0 }, "HostConfig.UsernsMode");
        Warn(host.ShmSize > 0, "HostConfig.ShmSize");
        Warn(host.VolumesFrom is { Count: > 0 }, "HostConfig.VolumesFrom");
        Warn(host.Links is { Count: > 0 }, "HostConfig.Links");
        Warn(host.Init == true, "HostConfig.Init");
    }
}
