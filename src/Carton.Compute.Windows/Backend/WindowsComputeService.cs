using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Carton.Compute;
using Carton.Windows.Hcs;

namespace Carton.Compute.Windows;

/// <summary>
/// <see cref="IComputeService"/> on Windows: compute systems are HCS compute systems, created from the HCS documents
/// <paramref name="documents"/> makes of the contract's document (the OCI → HCS translation), and driven through
/// <see cref="HcsComputeService"/> over an <see cref="IComputeCore"/> (the real computecore.dll binding on Windows,
/// a fake in tests). HCS failures surface as the contract's typed errors (<see cref="HcsErrorMapping"/>).
/// </summary>
/// <param name="core">The computecore binding.</param>
/// <param name="documents">The translation of a contract document into HCS documents.</param>
/// <param name="timeouts">How long to wait for HCS operations.</param>
public sealed class WindowsComputeService(IComputeCore core, HcsDocumentSource documents, HcsTimeouts? timeouts = null) : IComputeService
{
    /// <summary>The Owner HCS records for systems Carton creates (the translation is expected to write it).</summary>
    public const string Owner = "carton";

    private readonly HcsComputeService _hcs = new(core, timeouts);
    private readonly ConcurrentDictionary<string, WindowsSystemEntry> _systems = new(StringComparer.Ordinal);
    /// <summary>Ids being created: a create holds its id here so a second create of it fails at once, while creates
    /// of other ids (each up to minutes in HCS) proceed side by side.</summary>
    private readonly ConcurrentDictionary<string, byte> _creating = new(StringComparer.Ordinal);

    /// <summary>The real binding, for a Windows host.</summary>
    /// <param name="documents">The translation of a contract document into HCS documents.</param>
    [System.Runtime.Versioning.SupportedOSPlatform("windows")]
    public static WindowsComputeService CreateForHost(HcsDocumentSource documents) => new(new ComputeCore(), documents);

    /// <inheritdoc/>
    /// <remarks>Refuses <see cref="ComputeSystemDocument.InitIo"/> (kind Unsupported): relaying the init's stdio to a
    /// log and attach socket needs a monitor process, which the Windows backend does not have yet.</remarks>
    public async Task<IComputeSystem> CreateComputeSystemAsync(string id, ComputeSystemDocument document, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        ValidateId(id);
        if (document.InitIo is not null)
            throw new ComputeException(ErrorKind.Unsupported,
                "initIo: relaying a Windows container's init stdio (log, attach) needs a monitor process, not implemented on Windows");
        if (_systems.ContainsKey(id) || !_creating.TryAdd(id, 0)) throw new ComputeSystemAlreadyExistsException(id);
        try
        {
            if (_systems.ContainsKey(id)) throw new ComputeSystemAlreadyExistsException(id);
            var hcsDocuments = documents(id, document);
            var system = await HcsErrorMapping.MapAsync(() => _hcs.CreateComputeSystemAsync(id, hcsDocuments.ComputeSystem, cancellationToken),
                id, "create").ConfigureAwait(false);
            var entry = new WindowsSystemEntry(id, system, hcsDocuments, "created", DateTime.UtcNow);
            _systems[id] = entry;
            return new WindowsComputeSystem(this, entry);
        }
        finally
        {
            _creating.TryRemove(id, out _);
        }
    }

    /// <inheritdoc/>
    /// <remarks>A system this service did not create is opened through HCS; its init is unknown, so its exit code
    /// is -1, and it cannot be started (no init document).</remarks>
    public async Task<IComputeSystem> OpenComputeSystemAsync(string id, CancellationToken cancellationToken = default)
    {
        ValidateId(id);
        if (_systems.TryGetValue(id, out var known)) return new WindowsComputeSystem(this, known);
        HcsComputeSystem system;
        try { system = _hcs.OpenComputeSystem(id); }
        catch (HcsException e) { throw HcsErrorMapping.ToComputeException(e, id, "open"); }
        try
        {
            var properties = await system.GetPropertiesAsync(null, cancellationToken).ConfigureAwait(false);
            var entry = new WindowsSystemEntry(id, system, null, StateOf(properties), DateTime.UtcNow);
            var added = _systems.GetOrAdd(id, entry);
            if (!ReferenceEquals(added, entry)) system.Dispose();
            return new WindowsComputeSystem(this, added);
        }
        catch (HcsException e)
        {
            system.Dispose();
            throw HcsErrorMapping.ToComputeException(e, id, "open");
        }
        catch
        {
            system.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    /// <remarks>Every system HCS lists (HcsEnumerateComputeSystems), with what this service knows of the ones it
    /// created (pid, times, exit code).</remarks>
    public async IAsyncEnumerable<ComputeSystemSummary> EnumerateComputeSystemsAsync(ComputeSystemQuery? query = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var listed = await HcsErrorMapping.MapAsync(() => _hcs.EnumerateComputeSystemsAsync(null, cancellationToken), "*", "enumerate")
            .ConfigureAwait(false);
        foreach (var summary in ParseSystems(listed))
        {
            var s = _systems.TryGetValue(summary.Id, out var entry) ? Summarize(entry) : summary;
            if (query?.Ids is { Count: > 0 } ids && !ids.Contains(s.Id)) continue;
            if (query?.Owners is { Count: > 0 } owners && !owners.Contains(s.Owner)) continue;
            if (query?.States is { Count: > 0 } states && !states.Contains(s.State)) continue;
            yield return s;
        }
    }

    internal ComputeSystemSummary Summarize(WindowsSystemEntry entry) => new()
    {
        Id = entry.Id,
        Owner = Owner,
        State = entry.State,
        Pid = entry.Init is { } init && entry.State != "stopped" ? unchecked((int)init.ProcessId) : 0,
        Created = entry.Created,
        Started = entry.Started,
        Finished = entry.Finished,
        ExitCode = entry.ExitCode,
    };

    internal void Forget(WindowsSystemEntry entry) => _systems.TryRemove(new KeyValuePair<string, WindowsSystemEntry>(entry.Id, entry));

    /// <summary>runc's container id rule (letters, digits, '_', '+', '-', '.'), which HCS ids also satisfy.</summary>
    private static void ValidateId(string id)
    {
        if (string.IsNullOrEmpty(id))
            throw new InvalidComputeSystemIdException(id ?? "", "the compute system id must not be empty");
        if (id.Length > 1024 || id is "." or ".." || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '+' or '-' or '.'))
            throw new InvalidComputeSystemIdException(id, $"invalid compute system id \"{id}\": only letters, digits, '_', '+', '-' and '.' are allowed");
    }

    /// <summary>The contract's state for HCS's ("Created", "Running", "Paused", "Stopped"; others as they are, lower-cased).</summary>
    internal static string MapState(string? hcsState) => hcsState?.ToLowerInvariant() switch
    {
        null or "" => "created",
        "saved" or "savedastemplate" => "stopped",
        var s => s,
    };

    private static string StateOf(string? properties)
    {
        if (string.IsNullOrWhiteSpace(properties)) return "created";
        try
        {
            using var doc = JsonDocument.Parse(properties);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return "created";
            if (doc.RootElement.TryGetProperty("Stopped", out var stopped) && stopped.ValueKind == JsonValueKind.True) return "stopped";
            return doc.RootElement.TryGetProperty("State", out var state) && state.ValueKind == JsonValueKind.String
                ? MapState(state.GetString()) : "created";
        }
        catch (JsonException) { return "created"; }
    }

    /// <summary>HcsEnumerateComputeSystems' array of ComputeSystemProperties (Id, Owner, State) as summaries.</summary>
    internal static List<ComputeSystemSummary> ParseSystems(string json)
    {
        var list = new List<ComputeSystemSummary>();
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Array) return list;
            foreach (var item in doc.RootElement.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("Id", out var id) || id.ValueKind != JsonValueKind.String) continue;
                list.Add(new ComputeSystemSummary
                {
                    Id = id.GetString()!,
                    Owner = item.TryGetProperty("Owner", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString()! : "",
                    State = MapState(item.TryGetProperty("State", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null),
                });
            }
        }
        catch (JsonException) { }
        return list;
    }
}
