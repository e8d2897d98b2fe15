using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Carton.Linux.Cgroups;
using Carton.Linux.Interop;
using Carton.Linux.IO;
using Carton.Linux.Spawn;
using Carton.Oci;
using Carton.Runtime;

namespace Carton.Compute.Linux;

/// <summary>Where <see cref="ComputeService"/> keeps its systems, and which binary runs as their init.</summary>
public sealed class ComputeServiceOptions
{
    /// <summary>The state store (one directory per system, as `carton --root`).</summary>
    public string StateRoot { get; init; } = DefaultStateRoot;

    /// <summary>The default <see cref="StateRoot"/> (docs/architecture.md, "One layout on disk").</summary>
    public const string DefaultStateRoot = "/run/carton/compute";

    /// <summary>The scratch root's name under <see cref="StateRoot"/>: it starts with '.', which no id can.</summary>
    public const string ScratchDirectoryName = ".scratch";
    /// <summary>The carton binary exec'd as each container's init (sets <see cref="InitBinary.Path"/>); null keeps the current one.</summary>
    public string? InitBinaryPath { get; init; }
    /// <summary>The carton-monitor binary that creates and watches each system; null: carton-monitor beside the init binary.</summary>
    public string? MonitorBinaryPath { get; init; }
    /// <summary>Per-system scratch directories (overlay upper/work/rootfs, init output); default &lt;StateRoot&gt;/.scratch.</summary>
    public string? ScratchRoot { get; init; }
    /// <summary>
    /// Create each system through a per-container monitor (carton-monitor, like containerd's shims): the init is
    /// the monitor's child, the monitor outlives this process and records the exit status, so a restarted service
    /// (or another process) still learns exit codes. Default true; false makes this process the init's parent.
    /// </summary>
    public bool UseMonitor { get; init; } = true;
    /// <summary>The image store and snapshotter for systems made from an image (Container.Image, "image").</summary>
    public string ImageRoot { get; init; } = Carton.Images.Content.ImageStore.DefaultRoot;
    /// <summary>The network service systems are attached through (issue 12); null: one over the host's default
    /// layout (/var/lib/carton/networks, /run/carton/network, /run/carton/netns), made when a document first asks
    /// for networking.</summary>
    public Carton.Network.INetworkService? Networks { get; init; }
}

/// <summary>
/// The compute service in-process: systems are containers of the runtime library (Carton.Runtime), created from an
/// OCI spec or an HCS document in one call. Each system is created by a per-container monitor (carton-monitor) whose
/// child the init is; the monitor records the exit status, so systems opened from the state store (by another
/// process, or after a restart) report real exit codes too.
/// </summary>
public sealed class ComputeService : IComputeService
{
    private readonly ConcurrentDictionary<string, SystemEntry> _entries = new(StringComparer.Ordinal);
    private readonly bool _useMonitor;
    private readonly string _imageRoot;

    /// <summary>A service over the state store <see cref="ComputeServiceOptions.StateRoot"/> (created on first use; systems
    /// already there can be opened). Setting <see cref="ComputeServiceOptions.InitBinaryPath"/> sets the process-wide
    /// <see cref="InitBinary.Path"/>. Creating systems needs root.</summary>
    /// <param name="options">Paths; null: the defaults (/run/carton/compute).</param>
    public ComputeService(ComputeServiceOptions? options = null)
    {
        options ??= new ComputeServiceOptions();
        StateRoot = Path.GetFullPath(options.StateRoot);
        ScratchRoot = Path.GetFullPath(options.ScratchRoot ?? Path.Combine(StateRoot, ComputeServiceOptions.ScratchDirectoryName));
        if (options.InitBinaryPath is { } init) InitBinary.Path = init;
        _useMonitor = options.UseMonitor;
        _imageRoot = options.ImageRoot;
        MonitorBinaryPath = options.MonitorBinaryPath ?? DefaultMonitorBinary();
        Store = new StateStore(StateRoot);
        Life = new Lifecycle(Store);
        _networks = options.Networks is { } given
            ? new Lazy<Carton.Network.INetworkService>(given)
            : new Lazy<Carton.Network.INetworkService>(() => SweepNetworks(new Carton.Network.Linux.NetworkService()));
        if (options.Networks is not null) SweepNetworks(options.Networks);
    }

    private readonly Lazy<Carton.Network.INetworkService> _networks;

    /// <summary>The network service in use.</summary>
    public Carton.Network.INetworkService Networks => _networks.Value;

    /// <summary>What the last sweep removed: the network attachments of systems that were gone when the service
    /// started (deleted while no service ran, or lost with a crashed daemon).</summary>
    public IReadOnlyList<string> SweptAttachments { get; private set; } = [];

    private Carton.Network.INetworkService SweepNetworks(Carton.Network.INetworkService service)
    {
        SweptAttachments = SystemNetworkSetup.Sweep(service, id => Store.Exists(id) || Directory.Exists(ScratchOf(id)));
        return service;
    }

    /// <summary>
    /// Removes the scratch directories (and their mounts and network attachments) of systems that do not exist: what
    /// a service killed mid-create or mid-delete left (<see cref="OrphanScratch"/>). A daemon calls it when it starts,
    /// before it adopts the systems; returns the ids removed, and the failures as "id: why".
    /// </summary>
    public (IReadOnlyList<string> Removed, IReadOnlyList<string> Failed) RemoveOrphanedScratch()
    {
        var (removed, failed) = OrphanScratch.Sweep(this);
        return (removed, failed);
    }

    /// <summary>
    /// Thaws the systems a previous service left frozen: one SIGKILLed while it terminated a system (or deleted it
    /// with force) between the freeze that wraps the kills and the thaw (<see cref="Lifecycle.RecoverInterruptedSignal"/>).
    /// Nobody paused them; left alone they would read "paused" and never exit. A daemon calls it when it starts;
    /// returns the ids thawed.
    /// </summary>
    public IReadOnlyList<string> EndInterruptedKills()
    {
        var thawed = new List<string>();
        foreach (var id in Store.Ids())
        {
            try { if (Life.RecoverInterruptedSignal(id)) thawed.Add(id); }
            catch (RuntimeError) { /* deleted meanwhile */ }
        }
        return thawed;
    }

    /// <summary>The carton-monitor binary each system's monitor runs.</summary>
    public string MonitorBinaryPath { get; }

    /// <summary>carton-monitor in the directory of the init binary (artifacts/bin, /usr/local/bin: they ship together).</summary>
    private static string DefaultMonitorBinary()
    {
        var init = InitBinary.Path;
        if (init == "/proc/self/exe") init = Environment.ProcessPath ?? init;
        try { init = new FileInfo(init).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? init; }
        catch (IOException) { }
        return Path.Combine(Path.GetDirectoryName(Path.GetFullPath(init)) ?? "/", "carton-monitor");
    }

    /// <summary>The state store's absolute path (one directory per system, runc's layout).</summary>
    public string StateRoot { get; }
    /// <summary>The absolute path of the per-system scratch directories.</summary>
    public string ScratchRoot { get; }
    internal StateStore Store { get; }
    internal Lifecycle Life { get; }

    internal string ScratchOf(string id) => Path.Combine(ScratchRoot, id);
    internal SystemEntry EntryOf(string id) => _entries.GetOrAdd(id, static i => new SystemEntry(i));
    internal void Forget(SystemEntry entry) => _entries.TryRemove(new KeyValuePair<string, SystemEntry>(entry.Id, entry));

    internal void ValidateId(string id)
    {
        try { ContainerId.Validate(id); }
        catch (RuntimeError e) { throw new InvalidComputeSystemIdException(id ?? "", e.Message); }
        if (Path.GetDirectoryName(ScratchRoot) == StateRoot && id == Path.GetFileName(ScratchRoot))
            throw new InvalidComputeSystemIdException(id, $"invalid compute system id \"{id}\": the service keeps its scratch directory under that name");
    }

    /// <inheritdoc/>
    /// <remarks>The new system's init is the child of its monitor (or of this process when <see cref="ComputeServiceOptions.UseMonitor"/> is false).</remarks>
    public async Task<IComputeSystem> CreateComputeSystemAsync(string id, ComputeSystemDocument document, CancellationToken cancellationToken = default)
    {
        ValidateId(id);
        ArgumentNullException.ThrowIfNull(document);
        if ((document.Oci is null) == (document.Hcs is null))
            throw new InvalidComputeDocumentException("$", "exactly one of \"oci\" or \"hcs\" is required");
        var entry = EntryOf(id);
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        bool created = false;
        try
        {
            if (Store.Exists(id)) throw new ComputeSystemAlreadyExistsException(id);
            await BlockingWork.Run(() => CreateCore(id, document, entry)).ConfigureAwait(false);
            created = true;
            return new ComputeSystem(this, entry);
        }
        finally
        {
            entry.Gate.Release();
            if (!created && !Store.Exists(id)) Forget(entry);
        }
    }

    private void CreateCore(string id, ComputeSystemDocument document, SystemEntry entry)
    {
        Directory.CreateDirectory(ScratchRoot, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var scratch = ScratchOf(id);
        if (Directories.TryCreate(scratch, 0x1C0 /* 0700 */) is var mkdirErrno && mkdirErrno != 0)
        {
            if (mkdirErrno == Errno.EEXIST) throw new ComputeSystemAlreadyExistsException(id);
            throw new ComputeException("Failed", new SyscallException($"create scratch directory {scratch}", mkdirErrno).Message);
        }
        var undo = new Stack<Action>();
        undo.Push(() => Directory.Delete(scratch, recursive: true));
        var fds = new List<int>();
        // the endpoints are attached (CNI ADD) while the container is made in their namespace: both are done before
        // create returns, and a failure of either undoes both
        Task? attaching = null;
        try
        {
            var record = new ComputeRecord();
            Spec spec;
            string bundle;
            bool idle = false;
            if (document.Hcs is { } hcs)
            {
                var imageRef = hcs.Container?.Image;
                using var image = string.IsNullOrEmpty(imageRef) ? null : ImageRootfs.Resolve(imageRef, _imageRoot, "Container.Image");
                Spec? imageSpec = null;
                if (image is not null)
                {
                    var (s, w) = image.BuildSpec(Path.Combine(scratch, "rootfs"));
                    imageSpec = s;
                    record.Warnings.AddRange(w);
                }
                var t = HcsTranslator.Translate(hcs, new HcsTranslationContext { Id = id, ScratchDirectory = scratch, ImageSpec = imageSpec });
                record.Owner = hcs.Owner ?? "";
                record.Warnings.AddRange(t.Warnings);
                if (image is not null)
                {
                    MountImage(image, id, t.RootfsDir, record, undo);
                }
                else
                {
                    foreach (var d in new[] { t.UpperDir, t.WorkDir, t.RootfsDir }) Directory.CreateDirectory(d);
                    Overlay.Mount(t.RootfsDir, t.OverlayOptions);
                    record.OverlayMountPoint = t.RootfsDir;
                    undo.Push(() => Overlay.Unmount(t.RootfsDir));
                }
                spec = t.Spec;
                bundle = scratch;
                idle = t.Idle;
                ValidateSpec(spec, bundle, hcs: true);
            }
            else
            {
                var oci = document.Oci!;
                spec = Clone(oci.Spec ?? throw new InvalidComputeDocumentException("spec", "is required"));
                if (oci.ImageConfig is not null && string.IsNullOrEmpty(oci.Image))
                    throw new InvalidComputeDocumentException("imageConfig", "applies to an image: give \"image\" too");
                if (!string.IsNullOrEmpty(oci.Image))
                {
                    if (oci.Bundle is { Length: > 0 }) throw new InvalidComputeDocumentException("bundle", "give either \"image\" or \"bundle\", not both");
                    if (spec.Root?.Path is { Length: > 0 }) throw new InvalidComputeDocumentException("spec.root.path", "the root of a system made from an image is its snapshot: leave root.path out");
                    using var image = ImageRootfs.Resolve(oci.Image, _imageRoot, "image");
                    var rootfs = Path.Combine(scratch, "rootfs");
                    if (oci.ImageConfig?.WorkingDir is { Length: > 0 } wd && !wd.StartsWith('/'))
                        throw new InvalidComputeDocumentException("imageConfig.workingDir", $"{wd}: must be an absolute path");
                    var (imageSpec, w) = image.BuildSpec(rootfs, oci.ImageConfig);
                    record.Warnings.AddRange(w);
                    spec = SpecMerge.Over(imageSpec, spec);
                    spec.Root = new Root { Path = rootfs, Readonly = spec.Root?.Readonly };
                    MountImage(image, id, rootfs, record, undo);
                }
                if (oci.Bundle is { Length: > 0 } b && !Directory.Exists(b)) throw new InvalidComputeDocumentException("bundle", $"{b}: no such directory");
                bundle = oci.Bundle is { Length: > 0 } given ? Path.GetFullPath(given) : scratch;
                if (spec.Root?.Path is { Length: > 0 } rp && !rp.StartsWith('/') && oci.Bundle is not { Length: > 0 })
                    throw new InvalidComputeDocumentException("root.path", $"{rp}: a relative root.path needs \"bundle\"");
                ValidateSpec(spec, bundle, hcs: false);
                if (spec.Process?.Terminal == true)
                    throw new InvalidComputeDocumentException("process.terminal", "the compute service gives the init no console: set it false (a process with EmulateConsole can have one)");
            }

            var networking = document.Oci?.Network ?? (document.Hcs is { } h ? SystemNetworkSetup.FromHcs(h.Container) : null);
            if (networking is not null)
                attaching = SystemNetworkSetup.Apply(id, networking, document.Oci is not null ? "network" : "Container.Networking", Networks, spec, record, undo);

            if (document.InitIo is { } initIo)
            {
                record.Io = ResolveIo(initIo, scratch);
                if (initIo.Terminal)
                {
                    spec.Process ??= new Carton.Oci.Process();
                    spec.Process.Terminal = true;
                    if (initIo.ConsoleSize is [var rows, var cols]) spec.Process.ConsoleSize = new ConsoleBox { Height = rows, Width = cols };
                }
            }
            record.Idle = idle;
            WriteRecord(scratch, record);
            LaunchInit(id, bundle, spec, idle, record, entry, fds, undo);
            if (attaching is not null) WaitAttached(attaching);
            WriteRecord(scratch, record);
            try { entry.WatchOom(Life.WatchOom(id)); }
            catch (Exception e) when (e is CgroupException or RuntimeError) { record.Warnings.Add($"OOM events unavailable: {e.Message}"); WriteRecord(scratch, record); }
        }
        catch (Exception e)
        {
            // an attach still under way finishes (or fails) before its undo runs
            if (attaching is not null) try { WaitAttached(attaching); } catch (Exception) { }
            while (undo.Count > 0)
            {
                try { undo.Pop()(); }
                catch (Exception) { /* keep undoing: the original error is the one to report */ }
            }
            throw RuntimeErrors.Map(e, id);
        }
        finally
        {
            foreach (var fd in fds) FileDescriptor.Close(fd);
        }
    }

    /// <summary>The monitor's stdio relay for a document's <see cref="InitIo"/>: the log and the attach socket resolved.</summary>
    private InitIoRequest ResolveIo(InitIo io, string scratch)
    {
        if (!_useMonitor) throw new InvalidComputeDocumentException("initIo", "relaying the init's stdio needs the per-system monitor (UseMonitor)");
        if (io.LogPath is { Length: > 0 } log && !log.StartsWith('/')) throw new InvalidComputeDocumentException("initIo.logPath", $"{log}: must be an absolute path");
        if (io.ConsoleSize is { } size && (size.Length != 2 || !io.Terminal))
            throw new InvalidComputeDocumentException("initIo.consoleSize", "must be [rows, columns], with terminal");
        if (io.LogMaxSize is <= 0) throw new InvalidComputeDocumentException("initIo.logMaxSize", $"{io.LogMaxSize}: must be a positive number of bytes");
        if (io.LogMaxFiles is < 1) throw new InvalidComputeDocumentException("initIo.logMaxFiles", $"{io.LogMaxFiles}: must be at least 1");
        // more files than one mean nothing without a size to rotate at: refused rather than silently ignored
        if (io.LogMaxFiles is > 1 && io.LogMaxSize is null) throw new InvalidComputeDocumentException("initIo.logMaxFiles", "needs logMaxSize");
        if (io.NoLog)
        {
            var field = io.LogPath is { Length: > 0 } ? "logPath" : io.LogMaxSize is not null ? "logMaxSize" : io.LogMaxFiles is not null ? "logMaxFiles" : null;
            if (field is not null) throw new InvalidComputeDocumentException($"initIo.{field}", "cannot be given with noLog");
        }
        return new InitIoRequest
        {
            LogPath = io.NoLog ? "" : io.LogPath is { Length: > 0 } given ? Path.GetFullPath(given) : Path.Combine(scratch, "init.log"),
            LogMaxSize = io.LogMaxSize ?? 0, LogMaxFiles = io.LogMaxFiles ?? 1,
            AttachSocket = Path.Combine(scratch, "attach.sock"),
            Stdin = io.Stdin, StdinOnce = io.StdinOnce, Terminal = io.Terminal, ConsoleSize = io.ConsoleSize,
        };
    }

    /// <summary>Creates the system's init (the runtime's create, through the monitor unless it is off) with its stdio:
    /// the relay of <see cref="ComputeRecord.Io"/>, or init.out and init.err. Used at create and again to start a
    /// stopped system; <paramref name="record"/> gets the init's pid and the exit file.</summary>
    private void LaunchInit(string id, string bundle, Spec spec, bool idle, ComputeRecord record, SystemEntry entry, List<int> fds, Stack<Action> undo)
    {
        var scratch = ScratchOf(id);
        int stdin = OpenFd("/dev/null", OpenFlags.ReadOnly), stdout, stderr;
        fds.Add(stdin);
        if (record.Io is not null)
        {
            stdout = stderr = stdin;
        }
        else
        {
            record.StdoutPath = Path.Combine(scratch, "init.out");
            record.StderrPath = Path.Combine(scratch, "init.err");
            stdout = OpenFd(record.StdoutPath, OpenFlags.WriteOnly | OpenFlags.Create | OpenFlags.Append);
            fds.Add(stdout);
            stderr = OpenFd(record.StderrPath, OpenFlags.WriteOnly | OpenFlags.Create | OpenFlags.Append);
            fds.Add(stderr);
        }
        // The exit file is named in the record before the monitor starts: a service killed between the monitor's
        // create and its reply leaves a system whose only record is this one, and whoever opens it later must know
        // where its monitor will write the exit status (the init's pid is in the runtime's state by then).
        var exitFile = Path.Combine(scratch, "exit.json");
        if (_useMonitor) record.ExitFile = exitFile;
        WriteRecord(scratch, record);

        void OnExit(int code)
        {
            entry.ExitCode = code;
            entry.Publish(new ComputeSystemEvent { Type = "exit", ExitCode = code });
            entry.PublishState(ContainerStatus.Stopped);
        }
        entry.ExitCode = null;
        if (_useMonitor)
        {
            var reply = ContainerMonitor.Launch(MonitorBinaryPath, new MonitorRequest
            {
                StateRoot = Store.Root, Id = id, Bundle = bundle, Spec = spec, Idle = idle, ExitFile = exitFile, SpecValidated = true,
                InitBinary = InitBinary.Path == "/proc/self/exe" ? Environment.ProcessPath ?? InitBinary.Path : InitBinary.Path,
                Io = record.Io,
            }, stdin, stdout, stderr, monitorPid =>
            {
                // recorded before the monitor gets its request: a scratch directory without state whose monitor
                // still runs is a create under way, not an orphan (OrphanScratch)
                record.MonitorPid = monitorPid;
                record.MonitorStartTime = ProcessInfo.Stat(monitorPid)?.StartTime ?? 0;
                WriteRecord(scratch, record);
            });
            undo.Push(() => { try { Life.Delete(id, force: true); } catch (RuntimeError) { } });
            record.InitPid = reply.Pid;
            record.InitStartTime = reply.PidStartTime;
            entry.Init = ChildReaper.ForMonitor(reply.Pid, reply.PidStartTime, reply.MonitorPid, exitFile, $"carton-compute monitor {id}", OnExit);
            record.Warnings.AddRange(reply.Warnings);
        }
        else
        {
            var creator = new ContainerCreator(Life);
            var created = creator.Create(new CreateOptions
            {
                Id = id, Bundle = bundle, Spec = spec, StdinFd = stdin, StdoutFd = stdout, StderrFd = stderr, Idle = idle, SpecValidated = true,
                NoNewKeyring = false,
            });
            undo.Push(() => { try { Life.Delete(id, force: true); } catch (RuntimeError) { } });
            // The init is our child (the spawn helper's CLONE_PARENT): reap it here, and know its exit code.
            entry.Init = new ChildReaper(created.Pid, $"carton-compute init {id}", OnExit);
            record.Warnings.AddRange(creator.Warnings);
        }
    }

    /// <summary>
    /// Makes a stopped system startable again (HCS cannot; Docker's start of an exited container needs it): the
    /// runtime's container is deleted (cgroups, state) and created anew from the same spec, in the same root file
    /// system (its changes kept), networking and scratch directory. The caller holds the system's lock and starts it.
    /// </summary>
    internal async Task RecreateAsync(string id, SystemEntry entry, ContainerRecord previous)
    {
        var record = ReadRecord(id);
        if (entry.Init is { } reaper) await reaper.Exited.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        await entry.StopOomAsync().ConfigureAwait(false);
        using var recreation = entry.BeginRecreation();
        Life.Delete(id, force: true);
        if (record.ExitFile is { } exitFile) File.Delete(exitFile);
        var fds = new List<int>();
        var undo = new Stack<Action>();
        try
        {
            LaunchInit(id, previous.Bundle, previous.Spec, record.Idle, record, entry, fds, undo);
            WriteRecord(ScratchOf(id), record);
        }
        catch (Exception e)
        {
            while (undo.Count > 0) try { undo.Pop()(); } catch (Exception) { }
            throw RuntimeErrors.Map(e, id);
        }
        finally
        {
            foreach (var fd in fds) FileDescriptor.Close(fd);
        }
        try { entry.WatchOom(Life.WatchOom(id)); }
        catch (Exception e) when (e is CgroupException or RuntimeError) { }
    }

    /// <summary>Records when the system was last started (reported in its summary).</summary>
    internal void RecordStarted(string id)
    {
        var record = ReadRecord(id);
        record.Started = DateTime.UtcNow;
        WriteRecord(ScratchOf(id), record);
    }

    private static void WaitAttached(Task attaching)
    {
        try { attaching.GetAwaiter().GetResult(); }
        catch (AggregateException a) when (a.InnerExceptions.Count == 1) { throw a.InnerExceptions[0]; }
    }

    /// <summary>Mounts the system's active snapshot of <paramref name="image"/> at <paramref name="rootfs"/>, and records
    /// it so that removing the system removes the snapshot (and nothing else).</summary>
    private void MountImage(ImageRootfs image, string id, string rootfs, ComputeRecord record, Stack<Action> undo)
    {
        Directory.CreateDirectory(rootfs);
        image.Mount(id, rootfs);
        record.OverlayMountPoint = rootfs;
        record.ImageRoot = _imageRoot;
        record.Image = image.Image.Name;
        record.ImageId = image.Image.ConfigDigest.ToString();
        undo.Push(() => ImageRootfs.Remove(_imageRoot, id, rootfs));
    }

    private static int OpenFd(string path, OpenFlags flags) => FileDescriptor.Open(path, flags, $"open {path}", 0x1A0 /* 0640 */);

    private static void ValidateSpec(Spec spec, string bundle, bool hcs)
    {
        var errors = SpecValidator.Validate(spec, bundle);
        if (errors.Count == 0) return;
        var e = errors[0];
        if (hcs) throw new InvalidComputeDocumentException("Container", $"the translated OCI spec is invalid: {e}");
        throw new InvalidComputeDocumentException(string.IsNullOrEmpty(e.Path) ? "$" : e.Path, e.Message);
    }

    private static Spec Clone(Spec spec) =>
        JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(spec, OciJsonContext.Compact.Spec), OciJsonContext.Compact.Spec)!;

    /// <summary>Adds what an update could not apply to the warnings the system reports.</summary>
    internal void AddWarnings(string id, IEnumerable<string> warnings)
    {
        var record = ReadRecord(id);
        record.Warnings.AddRange(warnings);
        WriteRecord(ScratchOf(id), record);
    }

    internal static void WriteRecord(string scratch, ComputeRecord record)
    {
        var path = Path.Combine(scratch, "compute.json");
        try
        {
            File.WriteAllBytes(path + ".tmp", JsonSerializer.SerializeToUtf8Bytes(record, ComputeStateJsonContext.Default.ComputeRecord));
            File.Move(path + ".tmp", path, overwrite: true);
        }
        catch (IOException e)
        {
            // A full state root: the record on disk stays the last one written, and no half-written temp file is left.
            try { File.Delete(path + ".tmp"); } catch (IOException) { }
            if (IoErrors.IsOutOfSpace(e)) throw IoErrors.OutOfSpace($"write {path}", e);
            throw;
        }
    }

    internal ComputeRecord ReadRecord(string id)
    {
        try
        {
            var bytes = File.ReadAllBytes(Path.Combine(ScratchOf(id), "compute.json"));
            return JsonSerializer.Deserialize(bytes, ComputeStateJsonContext.Default.ComputeRecord) ?? new ComputeRecord();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException) { return new ComputeRecord(); }
    }

    /// <inheritdoc/>
    /// <remarks>A handle on a system this object created shares its reaper; a system created by another process (or before
    /// a restart) is watched through /proc and its exit code read from what its monitor recorded (-1 when none did).</remarks>
    public Task<IComputeSystem> OpenComputeSystemAsync(string id, CancellationToken cancellationToken = default)
    {
        ValidateId(id);
        if (!Store.Exists(id)) throw new ComputeSystemNotFoundException(id);
        var entry = EntryOf(id);
        lock (entry)
        {
            // A system created through a monitor by an earlier service: watch it, and its exit code is the monitor's.
            // The init is the one the runtime's state names (its monitor created it): the record's pid is missing
            // when that service died before the monitor answered, and stale when it died while starting a stopped
            // system anew (RecreateAsync).
            if (entry.Init is null && ReadRecord(id) is { ExitFile: { } exitFile } rec && InitOf(id, rec) is ({ } pid, var startTime))
                entry.Init = ChildReaper.Watch(pid, startTime, exitFile, $"carton-compute watch {id}", code =>
                {
                    entry.ExitCode = code;
                    entry.Publish(new ComputeSystemEvent { Type = "exit", ExitCode = code });
                    entry.PublishState(ContainerStatus.Stopped);
                });
        }
        return Task.FromResult<IComputeSystem>(new ComputeSystem(this, entry));
    }

    /// <summary>The init to watch for a system opened from the store: the runtime state's pid, else the record's.</summary>
    private (int? Pid, ulong StartTime) InitOf(string id, ComputeRecord record)
    {
        try
        {
            if (Store.Load(id) is { Pid: > 0 } state) return (state.Pid, state.PidStartTime);
        }
        catch (RuntimeError) { }
        return record.InitPid > 0 ? (record.InitPid, record.InitStartTime) : (null, 0);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ComputeSystemSummary> EnumerateComputeSystemsAsync(ComputeSystemQuery? query = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        foreach (var id in Store.Ids())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (query?.Ids is { Count: > 0 } ids && !ids.Contains(id)) continue;
            ComputeSystemSummary s;
            try { s = Summarize(id); }
            catch (ComputeSystemNotFoundException) { continue; }
            if (query?.Owners is { Count: > 0 } owners && !owners.Contains(s.Owner)) continue;
            if (query?.States is { Count: > 0 } states && !states.Contains(s.State)) continue;
            yield return s;
        }
    }

    internal ComputeSystemSummary Summarize(string id)
    {
        ContainerRecord r;
        try { r = Store.Load(id); }
        catch (RuntimeError) { throw new ComputeSystemNotFoundException(id); }
        var status = Life.StatusOf(r);
        _entries.TryGetValue(id, out var entry);
        var record = ReadRecord(id);
        // The init is gone but its monitor has not recorded the exit yet: it is still draining the output into the
        // log (InitRelay.Drain, up to 2 s), and the exit code is not known. Until the exit file exists the system is
        // still running, as its events say (the exit event comes with the file): reported stopped, a client saw
        // exit code 0 and an incomplete log (docker-py's run waits, then reads the logs; `docker wait` said 0 after
        // a kill).
        var exit = status == ContainerStatus.Stopped && record.ExitFile is { } exitFile ? ContainerMonitor.ReadExitRecord(exitFile) : null;
        if (status == ContainerStatus.Stopped && entry?.ExitCode is null && record.ExitFile is not null && exit is null
            && record.MonitorPid > 0)
        {
            if (ProcessInfo.IsAlive(record.MonitorPid, record.MonitorStartTime)) status = ContainerStatus.Running;
            // The monitor may have written the file and exited between the read above and the check: read it again,
            // or a stopped system shows no exit code for that moment (inspect said "exited", ExitCode 0, in
            // docker-py's on-failure check before the run's code 3 showed)
            else exit = ContainerMonitor.ReadExitRecord(record.ExitFile);
        }
        return new ComputeSystemSummary
        {
            Id = id, Owner = record.Owner, State = status, Pid = status == ContainerStatus.Stopped ? 0 : r.Pid,
            Created = r.Created,
            ExitCode = status == ContainerStatus.Stopped ? entry?.ExitCode ?? exit?.ExitCode : null,
            Image = record.Image, ImageId = record.ImageId,
            Started = record.Started,
            Finished = status == ContainerStatus.Stopped ? exit?.Time : null,
        };
    }

    /// <summary>Unmounts the overlay (when there is one) and removes the scratch directory.</summary>
    internal void RemoveScratch(string id)
    {
        var scratch = ScratchOf(id);
        if (!Directory.Exists(scratch)) return;
        var rootfs = Path.Combine(scratch, "rootfs");
        ComputeRecord? record = null;
        try { record = ReadRecord(id); }
        catch (Exception e) when (e is IOException or JsonException or ComputeException) { }
        // the network first: a failure leaves the scratch directory (and its record), so that a second delete retries
        if (record is { NetworkNamespace: not null } or { OwnedEndpoints.Count: > 0 } or { AttachedEndpoints.Count: > 0 })
            SystemNetworkSetup.Remove(record, Networks);
        if (record?.ImageRoot is { } imageRoot) ImageRootfs.Remove(imageRoot, id, rootfs);
        else if (Directory.Exists(rootfs)) Overlay.Unmount(rootfs);
        Directory.Delete(scratch, recursive: true);
    }
}
