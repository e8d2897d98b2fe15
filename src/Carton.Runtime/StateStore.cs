using System.Globalization;
using System.Text.Json;
using Carton.Linux.Interop;
using Carton.Linux.IO;

namespace Carton.Runtime;

/// <summary>
/// The --root directory: one directory per container holding state.json (written atomically: a temp file unique to
/// the writer, fsync, rename, fsync of the directory) and exec.fifo. Concurrent commands on one container serialize
/// on an flock of its directory (<see cref="Lock"/>): create, start, kill, exec, delete, pause, resume and update.
/// Every path of a container is built by a method here that validates the id first, so no caller can turn an
/// unchecked id ("../x", "abc\n") into a path.
/// </summary>
public sealed class StateStore
{
    public const string StateFileName = "state.json";
    public const string FifoFileName = "exec.fifo";

    public string Root { get; }

    public StateStore(string root)
    {
        Root = Path.GetFullPath(root);
    }

    /// <summary>The container's directory; throws for an invalid id.</summary>
    public string DirOf(string id)
    {
        ContainerId.Validate(id);
        return Path.Combine(Root, id);
    }

    /// <summary>The container's exec.fifo; throws for an invalid id.</summary>
    public string FifoOf(string id) => Path.Combine(DirOf(id), FifoFileName);

    /// <summary>The container's state.json; throws for an invalid id.</summary>
    public string StateFileOf(string id) => Path.Combine(DirOf(id), StateFileName);

    /// <summary>A fresh name for a temp file beside state.json: unique per writer (pid and random bits), never an id.
    /// The bits need no cryptographic strength (the file is created O_EXCL): Random.Shared, not RandomNumberGenerator,
    /// whose first use loads OpenSSL (libssl, libcrypto, openssl.cnf), measured at 15 to 18 ms of every `start`.</summary>
    public string TempFileOf(string id) =>
        Path.Combine(DirOf(id), string.Create(CultureInfo.InvariantCulture,
            $".{StateFileName}.{Environment.ProcessId}.{(ulong)Random.Shared.NextInt64():x16}.tmp"));

    /// <summary>
    /// Creates the directory for a new container and returns its lock, held until disposed (the create's whole run:
    /// kill, exec or delete of the id wait for it); fails if the id is taken.
    /// </summary>
    public IDisposable Reserve(string id)
    {
        var dir = DirOf(id);
        Directory.CreateDirectory(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (Directories.TryCreate(dir, 0x1C0 /* 0700 */) is var e && e != 0)
        {
            if (e == Errno.EEXIST) throw new ContainerExistsError(id);
            throw new SyscallException($"create state directory {dir}", e);
        }
        return Lock(id);
    }

    /// <summary>Writes state.json atomically: a temp file of this writer's own (O_EXCL), fsync, rename over state.json,
    /// fsync of the directory. <paramref name="durable"/> false skips both fsyncs (the provisional records written
    /// during create only matter until create finishes); the write is atomic either way.</summary>
    public void Save(ContainerRecord record, bool durable = true)
    {
        var path = StateFileOf(record.Id);
        var tmp = TempFileOf(record.Id);
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096))
            {
                JsonSerializer.Serialize(fs, record, RuntimeJsonContext.Default.ContainerRecord);
                fs.Flush(durable);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch (Exception e)
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            // A full disk (or any failed write) names the container, the file and the errno, as every other failed
            // system call does, instead of .NET's "No space left on device : '<temp name>'".
            if (IoErrors.ErrnoOf(e) is int errno) throw new SyscallException($"save state of container \"{record.Id}\": write {path}", errno);
            throw;
        }
        if (durable) SyncDirectory(Path.GetDirectoryName(path)!);
    }

    private static void SyncDirectory(string dir)
    {
        int fd = FileDescriptor.Open(dir, OpenFlags.ReadOnly | OpenFlags.Directory, $"open {dir}");
        try { FileDescriptor.Sync(fd, $"fsync {dir}"); }
        finally { FileDescriptor.Close(fd); }
    }

    /// <summary>True when the container has a state.json; throws for an invalid id.</summary>
    public bool Exists(string id) => File.Exists(StateFileOf(id));

    public ContainerRecord Load(string id)
    {
        var path = StateFileOf(id);
        try
        {
            using var fs = File.OpenRead(path);
            return JsonSerializer.Deserialize(fs, RuntimeJsonContext.Default.ContainerRecord)
                   ?? throw new RuntimeError($"state of container \"{id}\" is empty: {path}");
        }
        // Gone, or going: a delete removes the directory while a command without the lock reads it.
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { throw new ContainerNotFoundError(id); }
        catch (JsonException e)
        {
            throw new RuntimeError($"state of container \"{id}\" is corrupt: {path}: {e.Message}");
        }
    }

    /// <summary>The ids of the containers that have a state.json (directories whose name is no valid id, such as
    /// .cache, are not containers).</summary>
    public IEnumerable<string> Ids()
    {
        if (!Directory.Exists(Root)) return [];
        return Directory.EnumerateDirectories(Root).Select(Path.GetFileName).OfType<string>()
            .Where(id => ContainerId.IsValid(id) && File.Exists(StateFileOf(id))).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Removes the container's directory. It is renamed out of the way first, in one step, and deleted under that
    /// name: a carton or daemon killed halfway through the recursive delete used to leave a directory without
    /// state.json at the id's path, which no listing shows and which blocks the id (scripts/kill-daemon.sh: 2 in 60
    /// interrupted deletes). Now it leaves a hidden tombstone, named after the remover, which the next remove whose
    /// remover is dead sweeps (<see cref="SweepTombstones"/>).
    /// </summary>
    public void Remove(string id)
    {
        var dir = DirOf(id);
        var tomb = Path.Combine(Root, string.Create(CultureInfo.InvariantCulture,
            $"{TombstonePrefix}{Environment.ProcessId}.{SelfStartTime.Value}.{(ulong)Random.Shared.NextInt64():x16}"));
        try { Directory.Move(dir, tomb); }
        catch (DirectoryNotFoundException) { return; }
        Directory.Delete(tomb, recursive: true);
        SweepTombstones();
    }

    private const string TombstonePrefix = ".removed.";

    private static readonly Lazy<ulong> SelfStartTime = new(() => ProcessInfo.Stat(Environment.ProcessId)?.StartTime ?? 0);

    /// <summary>Deletes the tombstones (<see cref="Remove"/>) of removers that died before they finished; one whose
    /// remover lives is its own to finish. Returns how many it deleted.</summary>
    public int SweepTombstones()
    {
        int swept = 0;
        if (!Directory.Exists(Root)) return 0;
        foreach (var tomb in Directory.EnumerateDirectories(Root, TombstonePrefix + "*"))
        {
            var parts = Path.GetFileName(tomb)[TombstonePrefix.Length..].Split('.');
            if (parts.Length == 3 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var pid)
                && ulong.TryParse(parts[1], CultureInfo.InvariantCulture, out var start) && ProcessInfo.IsAlive(pid, start))
                continue;
            try
            {
                Directory.Delete(tomb, recursive: true);
                swept++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* another sweeper's, or next time */ }
        }
        return swept;
    }

    /// <summary>
    /// An exclusive lock on a container's directory, held until disposed. Throws <see cref="ContainerNotFoundError"/>
    /// when the directory does not exist, or no longer does once the lock is ours (its holder deleted the container).
    /// </summary>
    public IDisposable Lock(string id)
    {
        var dir = DirOf(id);
        // A holder may delete the directory and a create make it again meanwhile: a lock is only good on the
        // directory that is at the path once it is held.
        for (int attempt = 0; ; attempt++)
        {
            int fd = FileDescriptor.TryOpen(dir, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.NoFollow);
            if (fd < 0)
            {
                if (-fd is Errno.ENOENT or Errno.ENOTDIR or Errno.ELOOP) throw new ContainerNotFoundError(id);
                throw new SyscallException($"open {dir}", -fd);
            }
            try
            {
                FileLock.Exclusive(fd, $"lock {dir}");
                var held = FileStatus.Of(fd, dir);
                if (FileStatus.OfPath(dir, followSymlinks: false) is { } now && now.Dev == held.Dev && now.Ino == held.Ino)
                    return new FdLock(fd);
            }
            catch
            {
                FileDescriptor.Close(fd);
                throw;
            }
            FileDescriptor.Close(fd);
            if (attempt >= 10 || !Directory.Exists(dir)) throw new ContainerNotFoundError(id);
        }
    }

    private sealed class FdLock(int fd) : IDisposable
    {
        private int _fd = fd;

        /// <summary>Releases the lock; a second call does nothing.</summary>
        public void Dispose()
        {
            FileDescriptor.Close(_fd);
            _fd = -1;
        }
    }
}
