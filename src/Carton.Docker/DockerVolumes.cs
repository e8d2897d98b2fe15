using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Carton.Docker.Models;

namespace Carton.Docker;

/// <summary>
/// Docker's volumes, local driver only: VOLUMES/NAME/_data holds the data (as dockerd lays it out) and
/// VOLUMES/NAME/volume.json the labels, options and creation time. VOLUMES is the image root's volumes/ (persistent,
/// as images are). The references (which containers use which volume) are kept here from the container records:
/// a volume in use cannot be removed. A volume with options (a tmpfs, or a bind of a host directory) is mounted on
/// its _data while some container references it (from the container's create to its removal) and unmounted when the
/// last one goes; dockerd mounts at start and unmounts at stop, which Carton's events still report (mount, unmount).
/// </summary>
internal sealed partial class DockerVolumes
{
    /// <summary>dockerd's label on the volumes it makes without a name (daemon/volume/service AnonymousLabel).</summary>
    public const string AnonymousLabel = "com.docker.volume.anonymous";

    private const string DataDirectory = "_data";
    private const string RecordFile = "volume.json";

    private readonly DockerServices _services;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, VolumeRecord> _volumes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _refs = new(StringComparer.Ordinal);

    /// <summary>dockerd's local volume names (daemon/names RestrictedNamePattern).</summary>
    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex ValidName();

    public DockerVolumes(DockerServices services, string root, IEnumerable<ContainerRecord> containers)
    {
        _services = services;
        Root = root;
        // as dockerd's volumes/ (0701): others may reach a volume's data by its path, not list the volumes
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(root);
        else Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherExecute);
        foreach (var dir in Directory.EnumerateDirectories(root))
        {
            var name = Path.GetFileName(dir);
            if (name.StartsWith('.'))
            {
                // a create that a crash cut short: it never answered
                try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
                continue;
            }
            try
            {
                if (JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(dir, RecordFile)), DockerJsonContext.Default.VolumeRecord) is { } r && r.Name == name)
                    _volumes[name] = r;
            }
            catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
            {
                services.Log?.Invoke("warning", "a Docker volume's record cannot be read: it is left out", w => w.WriteString("path", dir));
            }
        }
        foreach (var c in containers)
            foreach (var v in c.Volumes)
                Reference(v.Name, c.Id);
    }

    /// <summary>VOLUMES: one directory per volume.</summary>
    public string Root { get; }

    public string DataOf(string name) => Path.Combine(Root, name, DataDirectory);

    private IVolumeMounts? Mounts => _services.VolumeMounts;

    /// <summary>Checks a volume's name against dockerd's rule: 400 naming <paramref name="field"/>.</summary>
    public static void CheckName(string name, string field)
    {
        if (name.Length == 1)
            throw DockerErrors.BadRequest($"invalid {field}: volume name is too short, names should be at least two alphanumeric characters", field);
        if (!ValidName().IsMatch(name))
            throw DockerErrors.BadRequest($"invalid {field}: \"{name}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path", field);
    }

    /// <summary>Only the local driver (empty means it).</summary>
    public static void CheckDriver(string? driver, string field)
    {
        if (driver is { Length: > 0 } and not "local")
            throw DockerErrors.BadRequest($"invalid {field}: volume driver \"{driver}\" is not supported by carton: only local", field);
    }

    /// <summary>The local driver's options as dockerd validates them (volume/local validateOpts), narrowed to what
    /// Carton mounts: type tmpfs, or type none with o=bind of an existing absolute directory.</summary>
    private void CheckOptions(Dictionary<string, string> options, string field)
    {
        if (options.Count == 0) return;
        foreach (var key in options.Keys)
        {
            if (key == "size") throw DockerErrors.BadRequest($"invalid {field}.size: quotas are not supported by carton", $"{field}.size");
            if (key is not ("type" or "o" or "device")) throw DockerErrors.BadRequest($"invalid {field}.{key}: invalid option: \"{key}\"", $"{field}.{key}");
        }
        (string Option, string[] Needs)[] mandatory = [("device", ["type"]), ("type", ["device"]), ("o", ["device", "type"])];
        foreach (var (option, needs) in mandatory)
            if (options.ContainsKey(option))
                foreach (var need in needs)
                    if (!options.ContainsKey(need)) throw DockerErrors.BadRequest($"invalid {field}.{need}: missing required option: \"{need}\"", $"{field}.{need}");
        var type = options["type"];
        var o = options.GetValueOrDefault("o", "").Split(',', StringSplitOptions.TrimEntries);
        var device = options["device"];
        switch (type)
        {
            case "tmpfs":
                break;
            case "none" or "" when o.Contains("bind") || o.Contains("rbind"):
                if (!device.StartsWith('/') || !Directory.Exists(device))
                    throw DockerErrors.BadRequest($"invalid {field}.device: \"{device}\": a bind's device must be an existing absolute directory", $"{field}.device");
                break;
            case "none" or "":
                throw DockerErrors.BadRequest($"invalid {field}.o: type none needs o=bind (carton mounts binds and tmpfs only)", $"{field}.o");
            default:
                throw DockerErrors.BadRequest($"invalid {field}.type: \"{type}\" is not supported by carton: only tmpfs, and none with o=bind", $"{field}.type");
        }
        if (Mounts is null) throw DockerErrors.NotYet("local volumes with mount options (this daemon cannot mount)");
    }

    /// <summary>Makes a volume, or returns the existing one of that name (as dockerd: create is idempotent). An empty
    /// name makes an anonymous volume (64 hex digits and <see cref="AnonymousLabel"/>). Publishes "create".</summary>
    public (VolumeRecord Record, bool Created) Create(string? name, string? driver, Dictionary<string, string>? options,
        Dictionary<string, string>? labels, string nameField, string driverField, string optionsField)
    {
        CheckDriver(driver, driverField);
        bool anonymous = string.IsNullOrEmpty(name);
        if (!anonymous) CheckName(name!, nameField);
        var opts = new Dictionary<string, string>(options ?? [], StringComparer.Ordinal);
        CheckOptions(opts, optionsField);
        name = anonymous ? ContainerNames.NewId() : name!;
        lock (_gate)
        {
            if (_volumes.TryGetValue(name, out var existing)) return (existing, false);
            var record = new VolumeRecord { Name = name, Created = DateTime.UtcNow, Labels = new(labels ?? [], StringComparer.Ordinal), Options = opts };
            if (anonymous) record.Labels[AnonymousLabel] = "";
            // made under a dot name, then renamed: a crash leaves no half-made volume (the constructor clears dot names)
            var temp = Path.Combine(Root, $".new-{name}-{Guid.NewGuid():N}");
            try
            {
                Directory.CreateDirectory(Path.Combine(temp, DataDirectory));
                File.WriteAllBytes(Path.Combine(temp, RecordFile), JsonSerializer.SerializeToUtf8Bytes(record, DockerJsonContext.Default.VolumeRecord));
                Directory.Move(temp, Path.Combine(Root, name));
            }
            catch
            {
                try { Directory.Delete(temp, recursive: true); } catch (DirectoryNotFoundException) { }
                throw;
            }
            _volumes[name] = record;
            _services.Events.Publish("volume", "create", name, new Dictionary<string, string> { ["driver"] = "local" });
            return (record, true);
        }
    }

    public VolumeRecord Find(string name)
    {
        lock (_gate)
            return _volumes.TryGetValue(name, out var r) ? r : throw NoSuchVolume(name);
    }

    private static CartonException NoSuchVolume(string name) => new(ErrorKind.NotFound, $"get {name}: no such volume");

    public IReadOnlyList<VolumeRecord> All
    {
        get { lock (_gate) return [.. _volumes.Values]; }
    }

    /// <summary>The containers that reference the volume.</summary>
    public IReadOnlyList<string> RefsOf(string name)
    {
        lock (_gate) return _refs.TryGetValue(name, out var s) ? [.. s] : [];
    }

    /// <summary>DELETE /volumes/NAME: 409 while a container (running or not) uses it, as dockerd ("remove NAME: volume
    /// is in use - [IDS]"); 404 when there is none, unless <paramref name="force"/> (dockerd's PurgeOnError, which
    /// forces nothing else). Publishes "destroy".</summary>
    public void Remove(string name, bool force)
    {
        lock (_gate)
        {
            if (!_volumes.TryGetValue(name, out var record))
            {
                if (force) return;
                throw NoSuchVolume(name);
            }
            if (_refs.TryGetValue(name, out var refs) && refs.Count > 0)
                throw DockerErrors.Conflict($"remove {name}: volume is in use - [{string.Join(", ", refs.Order(StringComparer.Ordinal))}]");
            RemoveLocked(record);
        }
    }

    private void RemoveLocked(VolumeRecord record)
    {
        var dir = Path.Combine(Root, record.Name);
        var data = Path.Combine(dir, DataDirectory);
        if (record.Options.Count > 0 && Mounts is { } mounts)
        {
            mounts.Unmount(data);
            // never a recursive delete through a mount: a bind's device is the host's directory
            if (mounts.IsMounted(data)) throw new CartonException(ErrorKind.Internal, $"remove {record.Name}: its data directory is still mounted");
        }
        // renamed to a dot name first: the volume is gone at once, and a crash mid-delete leaves no half volume
        var trash = Path.Combine(Root, $".del-{record.Name}-{Guid.NewGuid():N}");
        try { Directory.Move(dir, trash); }
        catch (DirectoryNotFoundException) { trash = null; }
        _volumes.Remove(record.Name);
        _services.Events.Publish("volume", "destroy", record.Name, new Dictionary<string, string> { ["driver"] = "local" });
        if (trash is not null) Directory.Delete(trash, recursive: true);
    }

    /// <summary>POST /volumes/prune: unused local volumes without options, anonymous ones only unless
    /// <paramref name="all"/>, matching the label filters. Publishes "destroy" for each and "prune".</summary>
    public VolumePruneResponse Prune(bool all, Func<VolumeRecord, bool> matches)
    {
        var report = new VolumePruneResponse();
        lock (_gate)
        {
            foreach (var record in _volumes.Values.ToList())
            {
                if (record.Options.Count > 0 || (_refs.TryGetValue(record.Name, out var refs) && refs.Count > 0)) continue;
                if (!all && !record.Labels.ContainsKey(AnonymousLabel)) continue;
                if (!matches(record)) continue;
                long size = SizeOf(DataOf(record.Name));
                try { RemoveLocked(record); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or CartonException)
                {
                    _services.Log?.Invoke("warning", "pruning a volume failed", w => { w.WriteString("volume", record.Name); w.WriteString("error", e.Message); });
                    continue;
                }
                report.VolumesDeleted.Add(record.Name);
                report.SpaceReclaimed += Math.Max(0, size);
            }
        }
        _services.Events.Publish("volume", "prune", "", new Dictionary<string, string> { ["reclaimed"] = report.SpaceReclaimed.ToString(CultureInfo.InvariantCulture) });
        return report;
    }

    /// <summary>The API's view of a volume (UsageData only when asked: /system/df).</summary>
    public Volume View(VolumeRecord r, bool usage = false)
    {
        var view = new Volume
        {
            Name = r.Name, Mountpoint = DataOf(r.Name), Labels = r.Labels, Options = r.Options.Count > 0 ? r.Options : null,
            CreatedAt = r.Created.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        };
        if (usage) view.UsageData = new VolumeUsageData { Size = r.Options.Count > 0 ? -1 : SizeOf(view.Mountpoint), RefCount = RefsOf(r.Name).Count };
        return view;
    }

    /// <summary>For /system/df: every volume with its size (bytes of its files; -1 for volumes with options, as dockerd
    /// leaves them out: their data is not local) and how many containers reference it.</summary>
    public IReadOnlyList<(Volume Volume, long Size, int RefCount)> Usage() =>
        [.. All.Select(r => View(r, usage: true)).Select(v => (v, v.UsageData!.Size, (int)v.UsageData.RefCount))];

    /// <summary>The bytes of the files under <paramref name="dir"/> (symbolic links not followed, as du).</summary>
    private static long SizeOf(string dir)
    {
        long total = 0;
        try
        {
            var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
            foreach (var f in new DirectoryInfo(dir).EnumerateFiles("*", options)) total += f.Length;
        }
        catch (DirectoryNotFoundException) { }
        return total;
    }

    private void Reference(string name, string containerId)
    {
        if (!_refs.TryGetValue(name, out var set)) _refs[name] = set = new HashSet<string>(StringComparer.Ordinal);
        set.Add(containerId);
    }

    /// <summary>Starts a container's claim on volumes (its create): <see cref="VolumeClaim.Use"/> for each, then the
    /// container's record lists them; <see cref="VolumeClaim.Rollback"/> if the create fails.</summary>
    public VolumeClaim Claim(string containerId) => new(this, containerId);

    /// <summary>A container is gone: its references go, a volume with options no container uses is unmounted, and
    /// with <paramref name="removeAnonymous"/> (DELETE ?v=1, AutoRemove) its anonymous volumes are removed (named ones
    /// stay, as in dockerd; one still used by another container stays too).</summary>
    public void Release(ContainerRecord container, bool removeAnonymous)
    {
        lock (_gate)
        {
            foreach (var v in container.Volumes)
            {
                if (!_refs.TryGetValue(v.Name, out var set)) continue;
                set.Remove(container.Id);
                if (set.Count > 0) continue;
                _refs.Remove(v.Name);
                if (!_volumes.TryGetValue(v.Name, out var record)) continue;
                try
                {
                    if (removeAnonymous && record.Labels.ContainsKey(AnonymousLabel)) RemoveLocked(record);
                    else if (record.Options.Count > 0) Mounts?.Unmount(DataOf(v.Name));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or CartonException)
                {
                    _services.Log?.Invoke("warning", "releasing a container's volume failed", w => { w.WriteString("volume", v.Name); w.WriteString("error", e.Message); });
                }
            }
        }
    }

    /// <summary>One container create's volumes: each used one is referenced (and mounted, when it has options); a
    /// rollback drops the references and removes the volumes this create made.</summary>
    public sealed class VolumeClaim(DockerVolumes owner, string containerId)
    {
        private readonly List<string> _made = [];
        private readonly List<string> _used = [];

        /// <summary>The volumes referenced, for the container's record.</summary>
        public List<ContainerVolume> Volumes { get; } = [];

        /// <summary>The volumes to fill from the image once the container's root file system is there (dockerd's
        /// copy-up: those not asked nocopy; only an empty one is filled).</summary>
        public List<ContainerVolume> CopyUps { get; } = [];

        /// <summary>The volume <paramref name="name"/> (made if absent; anonymous when empty) for
        /// <paramref name="destination"/>: its data directory, to bind into the container.</summary>
        public string Use(string? name, string destination, bool readOnly, string mode, Dictionary<string, string>? labels,
            string? driver, Dictionary<string, string>? options, bool noCopy, string field, string? driverField = null, string? optionsField = null)
        {
            var (record, created) = owner.Create(name, driver, options, labels, field, driverField ?? field, optionsField ?? field);
            if (created) _made.Add(record.Name);
            lock (owner._gate)
            {
                if (!owner._volumes.ContainsKey(record.Name)) throw NoSuchVolume(record.Name); // removed meanwhile
                bool first = !owner._refs.TryGetValue(record.Name, out var set) || set.Count == 0;
                owner.Reference(record.Name, containerId);
                _used.Add(record.Name);
                var data = owner.DataOf(record.Name);
                if (first && record.Options.Count > 0 && owner.Mounts is { } mounts && !mounts.IsMounted(data))
                {
                    var o = record.Options;
                    try { mounts.Mount(o["device"], o["type"] is "" ? "none" : o["type"], o.GetValueOrDefault("o", ""), data); }
                    catch (Exception e) when (e is IOException or CartonException or UnauthorizedAccessException)
                    {
                        throw DockerErrors.BadRequest($"invalid {field}: error while mounting volume '{data}': {e.Message}", field);
                    }
                }
            }
            var used = new ContainerVolume { Name = record.Name, Source = owner.DataOf(record.Name), Destination = destination, RW = !readOnly, Mode = mode };
            Volumes.Add(used);
            if (!noCopy) CopyUps.Add(used);
            return used.Source;
        }

        /// <summary>The create failed: nothing of its volumes stays (references, mounts, volumes it made).</summary>
        public void Rollback()
        {
            owner.Release(new ContainerRecord { Id = containerId, Volumes = [.. _used.Select(n => new ContainerVolume { Name = n })] }, removeAnonymous: false);
            foreach (var name in _made)
            {
                try { owner.Remove(name, force: true); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or CartonException)
                {
                    owner._services.Log?.Invoke("warning", "removing a volume of a failed create failed", w => { w.WriteString("volume", name); w.WriteString("error", e.Message); });
                }
            }
        }
    }
}
