using System.Collections.Concurrent;
using System.Text.Json;
using Carton.Docker.Models;

namespace Carton.Docker;

/// <summary>
/// The Docker layer's records (ROOT/containers/ID/container.json, beside the container's json-file log), and the
/// index of names. A name is reserved before the compute system is created and released if that fails, so two
/// creates cannot take one name.
/// </summary>
internal sealed class ContainerStore
{
    private readonly ConcurrentDictionary<string, ContainerRecord> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly object _lock = new();

    public ContainerStore(string root)
    {
        Root = Path.Combine(root, "containers");
        CreatePrivateDirectory(Root);
        foreach (var dir in Directory.EnumerateDirectories(Root))
        {
            var file = Path.Combine(dir, "container.json");
            try
            {
                if (JsonSerializer.Deserialize(File.ReadAllBytes(file), DockerJsonContext.Default.ContainerRecord) is { Id.Length: > 0 } r)
                {
                    _byId[r.Id] = r;
                    _names[r.Name] = r.Id;
                }
            }
            catch (Exception e) when (e is IOException or JsonException) { /* a record half-written by a crash: its create never answered */ }
        }
    }

    /// <summary>A directory only the daemon's user may enter (logs can hold secrets).</summary>
    private static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>ROOT/containers.</summary>
    public string Root { get; }

    public string DirectoryOf(string id) => Path.Combine(Root, id);

    public IReadOnlyCollection<ContainerRecord> All => [.. _byId.Values];

    /// <summary>Takes <paramref name="name"/> ("/x") for <paramref name="id"/>, or throws Docker's conflict.</summary>
    public void Reserve(string name, string id)
    {
        lock (_lock)
        {
            if (_names.TryGetValue(name, out var owner))
                throw DockerErrors.Conflict($"Conflict. The container name \"{name}\" is already in use by container \"{owner}\". You have to remove (or rename) that container to be able to reuse that name.");
            _names[name] = id;
        }
    }

    /// <summary>Takes <paramref name="name"/> for <paramref name="id"/> if it is free (true), in one step: a generated
    /// name is reserved as it is tried, so two creates cannot pick the same one.</summary>
    public bool TryReserve(string name, string id)
    {
        lock (_lock)
        {
            if (_names.ContainsKey(name)) return false;
            _names[name] = id;
            return true;
        }
    }

    public void Release(string name, string id)
    {
        lock (_lock)
            if (_names.TryGetValue(name, out var owner) && owner == id) _names.Remove(name);
    }

    /// <summary>Gives <paramref name="record"/> the name <paramref name="newName"/> ("/x"): the new name is taken (or
    /// Docker's conflict), the record saved, then the old name released; a failed save gives the new name back.</summary>
    public void Rename(ContainerRecord record, string newName)
    {
        var oldName = record.Name;
        Reserve(newName, record.Id);
        try
        {
            record.Name = newName;
            Save(record);
        }
        catch
        {
            record.Name = oldName;
            Release(newName, record.Id);
            throw;
        }
        Release(oldName, record.Id);
    }

    /// <summary>Writes the record (atomically) and indexes it.</summary>
    public void Save(ContainerRecord record)
    {
        var dir = DirectoryOf(record.Id);
        CreatePrivateDirectory(dir);
        var path = Path.Combine(dir, "container.json");
        File.WriteAllBytes(path + ".tmp", JsonSerializer.SerializeToUtf8Bytes(record, DockerJsonContext.Default.ContainerRecord));
        File.Move(path + ".tmp", path, overwrite: true);
        _byId[record.Id] = record;
    }

    /// <summary>Forgets the container and removes its directory (record and log).</summary>
    public void Remove(ContainerRecord record)
    {
        _byId.TryRemove(record.Id, out _);
        Release(record.Name, record.Id);
        try { Directory.Delete(DirectoryOf(record.Id), recursive: true); }
        catch (DirectoryNotFoundException) { }
    }

    /// <summary>dockerd's lookup: a full id, then an exact name (with or without its '/'), then a unique id prefix.</summary>
    public ContainerRecord? TryFind(string idOrName)
    {
        if (string.IsNullOrEmpty(idOrName)) return null;
        if (_byId.TryGetValue(idOrName, out var r)) return r;
        var name = idOrName.StartsWith('/') ? idOrName : "/" + idOrName;
        lock (_lock)
            if (_names.TryGetValue(name, out var id) && _byId.TryGetValue(id, out r)) return r;
        ContainerRecord? found = null;
        foreach (var c in _byId.Values)
        {
            if (!c.Id.StartsWith(idOrName, StringComparison.Ordinal)) continue;
            if (found is not null) throw DockerErrors.BadRequest($"multiple IDs found with provided prefix: {idOrName}");
            found = c;
        }
        return found;
    }

    public ContainerRecord Find(string idOrName) => TryFind(idOrName) ?? throw DockerErrors.NoSuchContainer(idOrName);
}
