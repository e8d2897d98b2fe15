using System.Globalization;
using Carton.Linux.Cgroups.Controllers;
using Carton.Oci;

namespace Carton.Compute.Linux;

/// <summary>What the translator may know about the host; injectable so the translation is a pure function in tests.</summary>
public sealed class HcsTranslationContext
{
    /// <summary>The system's id (the default host name).</summary>
    public required string Id { get; init; }
    /// <summary>&lt;scratch root&gt;/&lt;id&gt;: holds upper/, work/ and rootfs/ (the overlay mount point).</summary>
    public required string ScratchDirectory { get; init; }
    /// <summary>The host's online CPUs (bounds Processor.Count, scales Processor.Maximum).</summary>
    public int HostCpus { get; init; } = HostFacts.OnlineCpus();
    /// <summary>Whether a directory exists (checks layer paths).</summary>
    public Func<string, bool> DirectoryExists { get; init; } = Directory.Exists;
    /// <summary>Whether a file or directory exists (checks mapped host paths and network namespace paths).</summary>
    public Func<string, bool> PathExists { get; init; } = p => Directory.Exists(p) || File.Exists(p);
    /// <summary>The whole-disk block device (major, minor) backing a directory, or null when there is none.</summary>
    public Func<string, (long Major, long Minor)?> BlockDeviceOf { get; init; } = HostFacts.BlockDeviceOf;
    /// <summary>With Container.Image: the spec built from the image's config, which the document then overrides.</summary>
    public Spec? ImageSpec { get; init; }
}

/// <summary>The OCI side of an HCS document.</summary>
public sealed class HcsTranslation
{
    /// <summary>The OCI runtime spec; root.path is <see cref="RootfsDir"/>.</summary>
    public required Spec Spec { get; init; }
    /// <summary>Layer directories, topmost first (overlayfs lowerdir order).</summary>
    public required IReadOnlyList<string> LowerDirs { get; init; }
    /// <summary>The writable scratch layer: &lt;scratch&gt;/upper.</summary>
    public required string UpperDir { get; init; }
    /// <summary>overlayfs's work directory: &lt;scratch&gt;/work.</summary>
    public required string WorkDir { get; init; }
    /// <summary>The overlay mount point and the container's root: &lt;scratch&gt;/rootfs.</summary>
    public required string RootfsDir { get; init; }
    /// <summary>No InitProcess: the init stays idle as pid 1.</summary>
    public bool Idle { get; init; }
    /// <summary>What cannot be applied on this host (a Storage.QoS without a block device).</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>The overlayfs mount data.</summary>
    public string OverlayOptions =>
        $"lowerdir={string.Join(':', LowerDirs)},upperdir={UpperDir},workdir={WorkDir}";
}

/// <summary>
/// HCS container document → OCI runtime spec (the reverse of hcsshim's OCI → HCS translation). Pure: the host is
/// seen only through <see cref="HcsTranslationContext"/>. Every error names the field as a JSON path of the HCS
/// document ("Container.Storage.Layers[1].Path").
/// </summary>
public static class HcsTranslator
{
    /// <summary>process.args[0] of a system without InitProcess: the init stays pid 1, reaps children, exits 0 on SIGTERM/SIGINT.</summary>
    public const string IdleArg = "carton-idle";
    /// <summary>The CFS period Processor.Maximum is expressed against, in microseconds (100 ms).</summary>
    public const ulong CpuPeriod = 100000;

    /// <summary>Translates <paramref name="doc"/> into an OCI spec and an overlay layout under <see cref="HcsTranslationContext.ScratchDirectory"/>; touches nothing.</summary>
    /// <exception cref="InvalidComputeDocumentException">a field is invalid (<see cref="InvalidComputeDocumentException.JsonPath"/> names it)</exception>
    public static HcsTranslation Translate(HcsSystemDocument doc, HcsTranslationContext ctx)
    {
        var c = doc.Container ?? throw new InvalidComputeDocumentException("Container", "is required");
        bool image = !string.IsNullOrEmpty(c.Image);
        if (image && ctx.ImageSpec is null) throw new InvalidOperationException("Container.Image needs the image's spec in the context");
        var spec = image ? ctx.ImageSpec! : DefaultSpec.Create(rootless: false);
        spec.Process!.Terminal = false;
        var linux = spec.Linux!;
        var resources = linux.Resources ??= new LinuxResources();

        // Storage.Layers: base first in the document; overlayfs wants the topmost lower layer first. With an image,
        // the layers are the image's (mounted by the snapshotter), and the document gives none.
        var layers = c.Storage?.Layers ?? [];
        if (image && layers.Count > 0)
            throw new InvalidComputeDocumentException("Container.Storage.Layers", "give either Container.Image or Storage.Layers, not both");
        if (!image && layers.Count == 0) throw new InvalidComputeDocumentException("Container.Storage.Layers", "at least one layer is required (or Container.Image)");
        for (int i = 0; i < layers.Count; i++)
        {
            var path = layers[i]?.Path ?? "";
            var where = $"Container.Storage.Layers[{i.ToString(CultureInfo.InvariantCulture)}].Path";
            if (path.Length == 0 || !path.StartsWith('/')) throw new InvalidComputeDocumentException(where, "must be an absolute path");
            if (path.IndexOfAny([':', ',']) >= 0) throw new InvalidComputeDocumentException(where, $"{path}: ':' and ',' cannot appear in an overlayfs layer path");
            if (!ctx.DirectoryExists(path)) throw new InvalidComputeDocumentException(where, $"{path}: no such directory");
        }
        var lower = layers.Select(l => Path.GetFullPath(l.Path)).Reverse().ToList();
        var rootfs = Path.Combine(ctx.ScratchDirectory, "rootfs");
        spec.Root = new Root { Path = rootfs, Readonly = false };

        // MappedDirectories: bind mounts.
        var maps = c.MappedDirectories ?? [];
        for (int i = 0; i < maps.Count; i++)
        {
            var m = maps[i];
            var where = $"Container.MappedDirectories[{i.ToString(CultureInfo.InvariantCulture)}]";
            if (string.IsNullOrEmpty(m.HostPath) || !m.HostPath.StartsWith('/')) throw new InvalidComputeDocumentException(where + ".HostPath", "must be an absolute path");
            if (!ctx.PathExists(m.HostPath)) throw new InvalidComputeDocumentException(where + ".HostPath", $"{m.HostPath}: no such file or directory");
            if (string.IsNullOrEmpty(m.ContainerPath) || !m.ContainerPath.StartsWith('/')) throw new InvalidComputeDocumentException(where + ".ContainerPath", "must be an absolute path");
            spec.Mounts!.Add(new Mount
            {
                Destination = m.ContainerPath, Source = m.HostPath, Type = "bind",
                Options = m.ReadOnly ? ["rbind", "ro"] : ["rbind", "rw"],
            });
        }

        var warnings = new List<string>();
        ApplyResources(c.Processor, c.Memory, c.Storage?.QoS, resources, ctx, "Container.Processor", "Container.Memory", "Container.Storage.QoS", warnings);

        var ns = c.Networking?.Namespace;
        if (ns is null or "" or "none") { /* the default spec's new network namespace (loopback only) */ }
        else if (ns == "host") linux.Namespaces!.RemoveAll(n => n.Type == NamespaceKinds.Network);
        else
        {
            // not a path: a namespace of the network service, joined by SystemNetworkSetup with the rest of Networking
            if (ns.StartsWith('/'))
            {
                if (!ctx.PathExists(ns)) throw new InvalidComputeDocumentException("Container.Networking.Namespace", $"{ns}: no such file");
                linux.Namespaces!.First(n => n.Type == NamespaceKinds.Network).Path = ns;
            }
        }

        var host = c.HostName ?? (ctx.Id.Length > 63 ? ctx.Id[..63] : ctx.Id);
        if (host.Length is 0 or > 64) throw new InvalidComputeDocumentException("Container.HostName", "must be 1..64 characters");
        spec.Hostname = host;

        // Without an InitProcess the init idles, unless the image names a command: that one runs, as under docker.
        bool idle = c.InitProcess is null && !image;
        if (c.InitProcess is { } p) ApplyProcess(spec.Process, p, "Container.InitProcess");
        else if (!image) spec.Process.Args = [IdleArg];

        var t = new HcsTranslation
        {
            Spec = spec, LowerDirs = lower, RootfsDir = rootfs, Idle = idle,
            UpperDir = Path.Combine(ctx.ScratchDirectory, "upper"), WorkDir = Path.Combine(ctx.ScratchDirectory, "work"),
        };
        t.Warnings.AddRange(warnings);
        return t;
    }

    /// <summary>ProcessParameters onto an OCI process (the init's, or the base of an exec'd one).</summary>
    /// <exception cref="InvalidComputeDocumentException">an invalid field, named under <paramref name="where"/></exception>
    public static void ApplyProcess(Oci.Process process, ProcessParameters p, string where)
    {
        if (p.CommandArgs is not { Count: > 0 }) throw new InvalidComputeDocumentException(where + ".CommandArgs", "must not be empty");
        if (p.EmulateConsole) throw new InvalidComputeDocumentException(where + ".EmulateConsole", "an init process cannot have a console (create a process with EmulateConsole instead)");
        process.Args = [.. p.CommandArgs];
        process.Env = MergeEnv(process.Env, p.Environment, where + ".Environment");
        if (p.WorkingDirectory is { Length: > 0 } cwd)
        {
            if (!cwd.StartsWith('/')) throw new InvalidComputeDocumentException(where + ".WorkingDirectory", "must be an absolute path");
            process.Cwd = cwd;
        }
        if (p.User is { Length: > 0 } user)
        {
            var (uid, gid) = ParseUser(user, where + ".User");
            process.User = new User { Uid = uid, Gid = gid ?? uid };
        }
    }

    /// <summary>"NAME=value" list <paramref name="baseEnv"/> plus <paramref name="add"/>; a name already present is replaced.</summary>
    /// <exception cref="InvalidComputeDocumentException">an empty name, or one containing '=' (path: <paramref name="where"/>["name"])</exception>
    public static List<string> MergeEnv(List<string>? baseEnv, Dictionary<string, string>? add, string where)
    {
        var env = new List<string>(baseEnv ?? []);
        foreach (var (k, v) in add ?? [])
        {
            if (k.Length == 0 || k.Contains('=')) throw new InvalidComputeDocumentException($"{where}[\"{k}\"]", "invalid variable name");
            env.RemoveAll(e => e.StartsWith(k + "=", StringComparison.Ordinal));
            env.Add($"{k}={v}");
        }
        return env;
    }

    /// <summary>Parses "uid[:gid]" (decimal numbers); Gid is null when absent.</summary>
    /// <exception cref="InvalidComputeDocumentException">not uid[:gid] (path: <paramref name="where"/>)</exception>
    public static (uint Uid, uint? Gid) ParseUser(string user, string where)
    {
        var parts = user.Split(':');
        static bool Id(string s, out uint v) => uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out v) && v != uint.MaxValue;
        if (parts.Length > 2 || !Id(parts[0], out var uid)) throw new InvalidComputeDocumentException(where, $"\"{user}\": must be uid[:gid] (numbers)");
        if (parts.Length == 1) return (uid, null);
        if (!Id(parts[1], out var gid)) throw new InvalidComputeDocumentException(where, $"\"{user}\": must be uid[:gid] (numbers)");
        return (uid, gid);
    }
    /// <summary>
    /// The portable limits of <see cref="ComputeResources"/> as OCI linux.resources: the same mapping as a document's
    /// Container.Processor, Container.Memory and Container.Storage.QoS, with the Linux part laid over it.
    /// </summary>
    /// <exception cref="InvalidComputeDocumentException">a value is out of range (the path names it)</exception>
    public static LinuxResources TranslateResources(ComputeResources change, HcsTranslationContext ctx, List<string> warnings)
    {
        var resources = new LinuxResources();
        ApplyResources(change.Processor, change.Memory, change.StorageQoS, resources, ctx, "Processor", "Memory", "StorageQoS", warnings);
        if (change.Linux is { } linux) ResourceGroups.Merge(resources, linux);
        return resources;
    }

    /// <summary>HCS's Processor, Memory and Storage QoS → cgroup limits (cpuset, CFS quota, weight; memory limit; blkio
    /// throttling of the scratch directory's disk). Each error names its field under the given paths.</summary>
    private static void ApplyResources(HcsProcessor? processor, HcsMemory? memory, HcsStorageQoS? qos, LinuxResources resources,
        HcsTranslationContext ctx, string processorPath, string memoryPath, string qosPath, List<string> warnings)
    {
        if (processor is { } cpu)
        {
            var lc = resources.Cpu ??= new LinuxCpu();
            if (cpu.Count is uint count)
            {
                if (count == 0 || count > ctx.HostCpus)
                    throw new InvalidComputeDocumentException(processorPath + ".Count", $"{count}: must be 1..{ctx.HostCpus} (the host's CPUs)");
                lc.Cpus = count == 1 ? "0" : $"0-{(count - 1).ToString(CultureInfo.InvariantCulture)}";
            }
            if (cpu.Maximum is uint max)
            {
                if (max is 0 or > 10000) throw new InvalidComputeDocumentException(processorPath + ".Maximum", $"{max}: must be 1..10000");
                lc.Period = CpuPeriod;
                // Maximum is in hundredths of a percent of all the host's CPUs; the kernel's minimum quota is 1 ms.
                lc.Quota = Math.Max(1000L, (long)((ulong)max * CpuPeriod * (ulong)ctx.HostCpus / 10000));
            }
            if (cpu.Weight is uint weight)
            {
                if (weight is 0 or > 10000) throw new InvalidComputeDocumentException(processorPath + ".Weight", $"{weight}: must be 1..10000");
                lc.Shares = CpuController.CpuWeightToShares(weight);
            }
        }

        if (memory is { } mem)
        {
            if (mem.SizeInMB == 0 || mem.SizeInMB > (ulong)(long.MaxValue >> 20))
                throw new InvalidComputeDocumentException(memoryPath + ".SizeInMB", $"{mem.SizeInMB}: must be at least 1");
            (resources.Memory ??= new LinuxMemory()).Limit = (long)(mem.SizeInMB << 20);
        }

        if (qos is { } q && (q.IopsMaximum is > 0 || q.BandwidthMaximum is > 0))
        {
            if (ctx.BlockDeviceOf(ctx.ScratchDirectory) is var (major, minor))
            {
                var bio = resources.BlockIO ??= new LinuxBlockIO();
                if (q.IopsMaximum is ulong iops and > 0)
                {
                    bio.ThrottleReadIOPSDevice = [new LinuxThrottleDevice { Major = major, Minor = minor, Rate = iops }];
                    bio.ThrottleWriteIOPSDevice = [new LinuxThrottleDevice { Major = major, Minor = minor, Rate = iops }];
                }
                if (q.BandwidthMaximum is ulong bps and > 0)
                {
                    bio.ThrottleReadBpsDevice = [new LinuxThrottleDevice { Major = major, Minor = minor, Rate = bps }];
                    bio.ThrottleWriteBpsDevice = [new LinuxThrottleDevice { Major = major, Minor = minor, Rate = bps }];
                }
            }
            else
                warnings.Add($"{qosPath}: ignored: the scratch directory {ctx.ScratchDirectory} is not backed by a block device");
        }
    }
}

/// <summary>Facts about this host used by the translation.</summary>
public static class HostFacts
{
    /// <summary>The number of online CPUs (/sys/devices/system/cpu/online), or the runtime's count.</summary>
    public static int OnlineCpus()
    {
        try
        {
            int n = 0;
            foreach (var range in File.ReadAllText("/sys/devices/system/cpu/online").Trim().Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var ends = range.Split('-');
                int a = int.Parse(ends[0], CultureInfo.InvariantCulture);
                int b = ends.Length > 1 ? int.Parse(ends[1], CultureInfo.InvariantCulture) : a;
                n += b - a + 1;
            }
            if (n > 0) return n;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        return Environment.ProcessorCount;
    }

    /// <summary>
    /// The disk under <paramref name="directory"/>: its st_dev, mapped from a partition to the whole disk (blkio
    /// throttling applies to disks). Null when the file system has no block device (tmpfs, overlay, ...).
    /// </summary>
    public static (long Major, long Minor)? BlockDeviceOf(string directory)
    {
        var dir = directory;
        while (!Directory.Exists(dir) && Path.GetDirectoryName(dir) is { } parent) dir = parent;
        if (Carton.Linux.IO.FileStatus.OfPath(dir) is not { } st) return null;
        long major = (long)(((st.Dev >> 8) & 0xfff) | ((st.Dev >> 32) & ~0xfffUL));
        long minor = (long)((st.Dev & 0xff) | ((st.Dev >> 12) & ~0xffUL));
        var sys = $"/sys/dev/block/{major.ToString(CultureInfo.InvariantCulture)}:{minor.ToString(CultureInfo.InvariantCulture)}";
        if (!Directory.Exists(sys)) return null;
        try
        {
            if (File.Exists(Path.Combine(sys, "partition")))
            {
                var real = new DirectoryInfo(sys).ResolveLinkTarget(true)?.FullName ?? sys;
                var parentDev = File.ReadAllText(Path.Combine(Path.GetDirectoryName(real)!, "dev")).Trim().Split(':');
                return (long.Parse(parentDev[0], CultureInfo.InvariantCulture), long.Parse(parentDev[1], CultureInfo.InvariantCulture));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException) { return null; }
        return (major, minor);
    }
}
