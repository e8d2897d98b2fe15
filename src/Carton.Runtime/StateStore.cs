using System.Text.Json;
using Carton.Linux.Interop;
using Carton.Linux.IO;

namespace Carton.Runtime;

/// <summary>
/// The --root directory: one directory per container holding state.json (written atomically: write, fsync,
/// rename) and exec.fifo. Concurrent commands on one container serialize on an flock of its directory.
/// </summary>
public sealed class StateStore
{
    public string Root { get; }

    public StateStore(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string DirOf(string id) => Path.Combine(Root, id);
    public string FifoOf(string id) => Path.Combine(DirOf(id), "exec.fifo");
    private string StateFileOf(string id) => Path.Combine(DirOf(id), "state.json");

    /// <summary>Creates the directory for a new container; fails if the id is taken.</summary>
    public void Reserve(string id)
    {
        Directory.CreateDirectory(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (Directories.TryCreate(DirOf(id), 0x1C0 /* 0700 */) is var e && e != 0)
        {
            if (e == Errno.EEXIST) throw new ContainerExistsError(id);
            throw new SyscallException($"create state directory {DirOf(id)}", e);
        }
    }

    /// <summary>Writes state.json atomically (temp file, rename). <paramref name="durable"/> adds an fsync before the
    /// rename; the provisional record written during create skips it (it only matters until create finishes).</summary>
    public void Save(ContainerRecord record, bool durable = true)
    {
        var path = StateFileOf(record.Id);
        var tmp = path + ".tmp";
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 4096))
        {
            JsonSerializer.Serialize(fs, record, RuntimeJsonContext.Default.ContainerRecord);
            fs.Flush(durable);
        }
        File.Move(tmp, path, overwrite: true);
    }

    public bool Exists(string id) => File.Exists(StateFileOf(id));

    public ContainerRecord Load(string id)
    {
        ContainerId.Validate(id);
        var path = StateFileOf(id);
        if (!File.Exists(path)) throw new ContainerNotFoundError(id);
        try
        {
            using var fs = File.OpenRead(path);
            return JsonSerializer.Deserialize(fs, RuntimeJsonContext.Default.ContainerRecord)
                   ?? throw new RuntimeError($"state of container \"{id}\" is empty: {path}");
        }
        catch (JsonException e)
        {
            throw new RuntimeError($"state of container \"{id}\" is corrupt: {path}: {e.Message}");
        }
    }

    public IEnumerable<string> Ids()
    {
        if (!Directory.Exists(Root)) return [];
        return Directory.EnumerateDirectories(Root).Select(Path.GetFileName).OfType<string>()
            .Where(id => File.Exists(StateFileOf(id))).Order(StringComparer.Ordinal).ToList();
    }

    public void Remove(string id)
    {
        var dir = DirOf(id);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    /// <summary>An exclusive lock on a container's directory, held until disposed.</summary>
    public IDisposable Lock(string id)
    {
        int fd = FileDescriptor.TryOpen(DirOf(id), OpenFlags.ReadOnly | OpenFlags.Directory);
        if (fd < 0) throw new ContainerNotFoundError(id);
        try { FileLock.Exclusive(fd, $"lock {DirOf(id)}"); }
        catch
        {
            FileDescriptor.Close(fd);
            throw;
        }
        return new FdLock(fd);
    }


    private sealed class FdLock(int fd) : IDisposable
    {
        public void Dispose() => FileDescriptor.Close(fd);
    }
}
