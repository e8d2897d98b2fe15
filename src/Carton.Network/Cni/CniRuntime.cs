using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Carton.Network.Cni;

/// <summary>
/// Runs CNI plugin chains (what libcni is for Go runtimes): ADD with <c>prevResult</c> chaining and a result cache on
/// disk, DEL in reverse with the cached result (also after a restart, from the cache alone), CHECK, VERSION
/// negotiation, and 1.1's STATUS and GC.
/// </summary>
/// <remarks>Calls for the same attachment must not overlap (the caller serialises them); different attachments may
/// run concurrently.</remarks>
public sealed class CniRuntime
{
    private readonly CniRuntimeOptions _options;
    private readonly CniPluginExec _exec;
    private readonly CniResultCache _cache;

    // VERSION answers per binary path, valid while the binary's mtime is unchanged (an upgraded plugin is asked again).
    private readonly ConcurrentDictionary<string, (DateTime MTime, CniVersionInfo Info)> _versions = new(StringComparer.Ordinal);

    /// <summary>A runtime with the given plugin directories, cache directory and timeout.</summary>
    public CniRuntime(CniRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.CacheDirectory);
        if (options.PluginTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(options), "PluginTimeout must be positive");
        _options = options;
        _exec = new CniPluginExec(options);
        _cache = new CniResultCache(options.CacheDirectory);
    }

    /// <summary>
    /// Runs ADD through the chain in order, each plugin getting the previous one's result as <c>prevResult</c>, and
    /// caches the final result on disk before returning. Every plugin is asked VERSION first and must support the
    /// list's version. When a plugin fails part-way (or the cache cannot be written), DEL runs on the whole list
    /// (best effort, its failure added to the message) and the ADD's error is thrown.
    /// </summary>
    /// <exception cref="CniPluginException">A plugin failed (its kind from the CNI code), was missing, or timed out.</exception>
    /// <exception cref="CartonException"><see cref="ErrorKind.Unsupported"/> when a plugin does not support the version;
    /// <see cref="ErrorKind.InvalidDocument"/> for an invalid attachment or result.</exception>
    public async Task<CniResult> AddAsync(CniConfigList list, CniRuntimeConfig rt, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(list);
        Validate(rt, list.Name);
        var paths = new List<string>();
        foreach (var plugin in list.Plugins)
        {
            var path = _exec.Find(plugin.Type, list.Name, "ADD");
            var info = await VersionOfAsync(path, plugin.Type, list.Name, ct).ConfigureAwait(false);
            if (!info.Supports(list.CniVersion))
                throw new CniPluginException(ErrorKind.Unsupported,
                    $"network \"{list.Name}\": plugin \"{plugin.Type}\" does not support the network's CNI version {list.CniVersion} (it supports {string.Join(", ", info.SupportedVersions)})",
                    list.Name, plugin.Type, "VERSION", 1, $"incompatible CNI version {list.CniVersion}", null);
            paths.Add(path);
        }

        try
        {
            CniResult? result = null;
            for (var i = 0; i < list.Plugins.Count; i++)
            {
                var plugin = list.Plugins[i];
                var stdin = BuildConfig(list, plugin, list.CniVersion, result?.Raw, rt.CapabilityArgs);
                var stdout = await _exec.RunAsync(paths[i], plugin.Type, list.Name, "ADD", Env(rt), stdin, ct).ConfigureAwait(false);
                var source = CniPluginException.Where(list.Name, plugin.Type, "ADD");
                if (string.IsNullOrWhiteSpace(stdout))
                    throw new CartonException(ErrorKind.InvalidDocument, $"{source}: returned no result", jsonPath: "$", reason: "no result");
                result = CniResult.Parse(stdout, source);
            }
            _cache.Write(list, rt, result!);
            return result!;
        }
        catch (Exception e)
        {
            var cleanup = await CleanupAsync(list, rt).ConfigureAwait(false);
            if (cleanup is null) throw;
            var suffix = $"; the cleanup DEL failed too: {cleanup}";
            throw e switch
            {
                CniPluginException p => p.WithSuffix(suffix),
                CartonException c => new CartonException(c.Kind, c.Message + suffix, c, c.Errno, c.JsonPath, c.Reason),
                _ => e is OperationCanceledException ? e : new CartonException(ErrorKind.Internal, e.Message + suffix, e),
            };
        }
    }

    // DEL of the whole list after a failed ADD, without prevResult (there is none to trust) and without the
    // caller's cancellation (a cancelled ADD must still be undone; each call is bounded by the plugin timeout).
    // Returns the failure's message, or null when it succeeded.
    private async Task<string?> CleanupAsync(CniConfigList list, CniRuntimeConfig rt)
    {
        try
        {
            await DeleteChainAsync(list, rt, null, CancellationToken.None).ConfigureAwait(false);
            _cache.Remove(list.Name, rt.ContainerId, rt.IfName);
            return null;
        }
        catch (Exception e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// Runs DEL through the chain in reverse order, with the result cached at ADD as <c>prevResult</c> (spec 0.4.0
    /// and later), then removes the cache entry. Every plugin gets its DEL even when one fails (the first error is
    /// thrown, the others added to it, and the entry is kept so that DEL can be retried).
    /// </summary>
    /// <param name="list">The network's configuration; null uses the configuration cached at ADD (for a network whose
    /// file is gone), found by container id and interface, and then no cache entry means nothing to do. With a list
    /// and no cache entry (an attachment never added, or a failed ADD) DEL still runs, without <c>prevResult</c>.</param>
    /// <param name="rt">The attachment. Its <c>Args</c> and <c>CapabilityArgs</c>, when empty, are taken from the cache.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <exception cref="CartonException"><see cref="ErrorKind.InvalidState"/> when <paramref name="list"/> is null and
    /// the container's interface is cached for more than one network.</exception>
    public async Task DeleteAsync(CniConfigList? list, CniRuntimeConfig rt, CancellationToken ct = default)
    {
        Validate(rt, list?.Name);
        CniCachedAttachment? cached;
        if (list is null)
        {
            var matches = _cache.List(null).Where(a => a.ContainerId == rt.ContainerId && a.IfName == rt.IfName).ToList();
            if (matches.Count == 0) return;
            if (matches.Count > 1)
                throw new CartonException(ErrorKind.InvalidState,
                    $"container \"{rt.ContainerId}\": interface \"{rt.IfName}\" is cached for networks {string.Join(", ", matches.Select(m => $"\"{m.NetworkName}\""))}: name the network");
            cached = matches[0];
            list = cached.Config;
        }
        else
        {
            try
            {
                cached = _cache.Read(list.Name, rt.ContainerId, rt.IfName);
            }
            catch (CartonException)
            {
                // A corrupt entry: DEL without prevResult (plugins must cope) rather than never.
                cached = null;
            }
        }
        await DeleteCachedAsync(list, rt, cached, ct).ConfigureAwait(false);
    }

    /// <summary>DEL of an attachment named by its network alone, from the cache (after a restart, when the network's
    /// file is gone); no cache entry means nothing to do.</summary>
    /// <remarks>Not an overload of DeleteAsync: <c>DeleteAsync(null, rt)</c> must stay unambiguous.</remarks>
    public async Task DeleteByNetworkNameAsync(string networkName, CniRuntimeConfig rt, CancellationToken ct = default)
    {
        Validate(rt, networkName);
        var cached = _cache.Read(networkName, rt.ContainerId, rt.IfName);
        if (cached is null) return;
        await DeleteCachedAsync(cached.Config, rt, cached, ct).ConfigureAwait(false);
    }

    private async Task DeleteCachedAsync(CniConfigList list, CniRuntimeConfig rt, CniCachedAttachment? cached, CancellationToken ct)
    {
        var effective = WithCached(rt, cached);
        var prev = cached?.Result is { } r && CniVersions.AtLeast(list.CniVersion, "0.4.0") ? r.Raw : null;
        await DeleteChainAsync(list, effective, prev, ct).ConfigureAwait(false);
        _cache.Remove(list.Name, rt.ContainerId, rt.IfName);
    }

    private async Task DeleteChainAsync(CniConfigList list, CniRuntimeConfig rt, JsonObject? prev, CancellationToken ct)
    {
        var errors = new List<Exception>();
        for (var i = list.Plugins.Count - 1; i >= 0; i--)
        {
            var plugin = list.Plugins[i];
            try
            {
                var path = _exec.Find(plugin.Type, list.Name, "DEL");
                var stdin = BuildConfig(list, plugin, list.CniVersion, prev, rt.CapabilityArgs);
                await _exec.RunAsync(path, plugin.Type, list.Name, "DEL", Env(rt), stdin, ct).ConfigureAwait(false);
            }
            catch (CartonException e)
            {
                errors.Add(e);
            }
        }
        ThrowFirst(errors);
    }

    /// <summary>
    /// Runs CHECK through the chain in order with the cached result as <c>prevResult</c>. A no-op when the list has
    /// <c>disableCheck</c>.
    /// </summary>
    /// <exception cref="CartonException"><see cref="ErrorKind.Unsupported"/> for a list older than 0.4.0 (no CHECK);
    /// <see cref="ErrorKind.NotFound"/> when nothing is cached for the attachment; a <see cref="CniPluginException"/>
    /// when a plugin finds the attachment wrong.</exception>
    public async Task CheckAsync(CniConfigList list, CniRuntimeConfig rt, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(list);
        Validate(rt, list.Name);
        if (!CniVersions.AtLeast(list.CniVersion, "0.4.0"))
            throw new CartonException(ErrorKind.Unsupported, $"network \"{list.Name}\": CNI version {list.CniVersion} has no CHECK (0.4.0 and later)");
        if (list.DisableCheck) return;
        var cached = _cache.Read(list.Name, rt.ContainerId, rt.IfName);
        if (cached?.Result is null)
            throw new CartonException(ErrorKind.NotFound,
                $"network \"{list.Name}\": no cached result for container \"{rt.ContainerId}\" interface \"{rt.IfName}\" (CHECK needs the ADD's result)");
        var effective = WithCached(rt, cached);
        foreach (var plugin in list.Plugins)
        {
            var path = _exec.Find(plugin.Type, list.Name, "CHECK");
            var info = await VersionOfAsync(path, plugin.Type, list.Name, ct).ConfigureAwait(false);
            if (!info.Supports(list.CniVersion))
                throw new CniPluginException(ErrorKind.Unsupported,
                    $"network \"{list.Name}\": plugin \"{plugin.Type}\" does not support the network's CNI version {list.CniVersion} (it supports {string.Join(", ", info.SupportedVersions)})",
                    list.Name, plugin.Type, "VERSION", 1, $"incompatible CNI version {list.CniVersion}", null);
            var stdin = BuildConfig(list, plugin, list.CniVersion, cached.Result.Raw, effective.CapabilityArgs);
            await _exec.RunAsync(path, plugin.Type, list.Name, "CHECK", Env(effective), stdin, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Asks a plugin which spec versions it supports (VERSION), sending the newest version this runtime speaks.</summary>
    /// <exception cref="CniPluginException"><see cref="ErrorKind.NotFound"/> when the plugin is not in the plugin directories.</exception>
    public Task<CniVersionInfo> VersionAsync(string pluginType, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(pluginType);
        var path = _exec.Find(pluginType, null, "VERSION");
        return VersionOfAsync(path, pluginType, null, ct);
    }

    private async Task<CniVersionInfo> VersionOfAsync(string path, string type, string? network, CancellationToken ct)
    {
        DateTime mtime;
        try
        {
            mtime = File.GetLastWriteTimeUtc(path);
        }
        catch (IOException)
        {
            mtime = DateTime.MinValue;
        }
        if (_versions.TryGetValue(path, out var known) && known.MTime == mtime) return known.Info;
        var stdin = new JsonObject { ["cniVersion"] = CniVersions.Latest }.ToJsonString();
        var stdout = await _exec.RunAsync(path, type, network, "VERSION", new Dictionary<string, string>(), stdin, ct).ConfigureAwait(false);
        var info = ParseVersionInfo(stdout, CniPluginException.Where(network, type, "VERSION"));
        _versions[path] = (mtime, info);
        return info;
    }

    internal static CniVersionInfo ParseVersionInfo(string stdout, string source)
    {
        const string what = "CNI version info";
        var o = CniJson.ParseObject(stdout, source, what);
        var version = CniJson.OptionalString(o, "cniVersion", "cniVersion", source, what) ?? "0.1.0";
        var supported = CniJson.StringArray(o, "supportedVersions", "supportedVersions", source, what);
        // A 0.1.0 plugin answers without supportedVersions: it speaks its own version only.
        if (!o.ContainsKey("supportedVersions")) supported = [version];
        return new CniVersionInfo(version, supported);
    }

    /// <summary>
    /// CNI 1.1's STATUS: asks each plugin of the list whose VERSION lists 1.1.0 whether it is ready to ADD (plugins
    /// that do not are skipped). A list older than 1.1.0 is sent as 1.1.0 to them (STATUS does not exist before).
    /// </summary>
    /// <exception cref="CniPluginException">A plugin is not ready (code 50, <see cref="ErrorKind.Unavailable"/>) or failed.</exception>
    public async Task StatusAsync(CniConfigList list, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(list);
        var version = CommandVersion(list);
        foreach (var plugin in list.Plugins)
        {
            var path = _exec.Find(plugin.Type, list.Name, "STATUS");
            var info = await VersionOfAsync(path, plugin.Type, list.Name, ct).ConfigureAwait(false);
            if (!info.Supports(CniVersions.Latest)) continue;
            var stdin = BuildConfig(list, plugin, version, null, EmptyCaps);
            await _exec.RunAsync(path, plugin.Type, list.Name, "STATUS", new Dictionary<string, string>(), stdin, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// CNI 1.1's GC for one network: DEL (from the cache) of every cached attachment of the network not in
    /// <paramref name="validAttachments"/>, as libcni does, so that plugins without GC (all of Debian's 1.1.1) free
    /// what they hold; then GC with <c>cni.dev/valid-attachments</c> to each plugin whose VERSION lists 1.1.0. A
    /// stale entry whose DEL succeeded leaves the cache; one whose DEL failed stays (the next GC retries it) and its
    /// error is thrown after the rest ran. A no-op when the list has <c>disableGC</c>.
    /// </summary>
    public async Task GcAsync(CniConfigList list, IReadOnlyList<CniAttachmentKey> validAttachments, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(list);
        ArgumentNullException.ThrowIfNull(validAttachments);
        if (list.DisableGC) return;
        var valid = validAttachments.ToHashSet();
        var errors = new List<Exception>();
        foreach (var stale in _cache.List(list.Name).Where(a => !valid.Contains(a.Key)))
        {
            try
            {
                var rt = new CniRuntimeConfig
                {
                    ContainerId = stale.ContainerId, IfName = stale.IfName, NetnsPath = stale.NetnsPath,
                    Args = stale.Args, CapabilityArgs = stale.CapabilityArgs,
                };
                await DeleteCachedAsync(list, rt, stale, ct).ConfigureAwait(false);
            }
            catch (CartonException e)
            {
                errors.Add(new CartonException(e.Kind, $"stale attachment \"{stale.ContainerId}\" \"{stale.IfName}\": {e.Message}", e));
            }
        }

        var version = CommandVersion(list);
        var attachments = new JsonArray();
        foreach (var a in validAttachments) attachments.Add((JsonNode)new JsonObject { ["containerID"] = a.ContainerId, ["ifname"] = a.IfName });
        foreach (var plugin in list.Plugins)
        {
            try
            {
                var path = _exec.Find(plugin.Type, list.Name, "GC");
                var info = await VersionOfAsync(path, plugin.Type, list.Name, ct).ConfigureAwait(false);
                if (!info.Supports(CniVersions.Latest)) continue;
                var conf = JsonNode.Parse(BuildConfig(list, plugin, version, null, EmptyCaps))!.AsObject();
                conf["cni.dev/valid-attachments"] = attachments.DeepClone();
                // libcni sends both names: an early 1.1 draft spelled it "cni.dev/attachments".
                conf["cni.dev/attachments"] = attachments.DeepClone();
                await _exec.RunAsync(path, plugin.Type, list.Name, "GC", new Dictionary<string, string>(), conf.ToJsonString(), ct).ConfigureAwait(false);
            }
            catch (CartonException e)
            {
                errors.Add(e);
            }
        }
        ThrowFirst(errors);
    }

    /// <summary>The cache entry of an attachment, or null.</summary>
    /// <exception cref="CartonException"><see cref="ErrorKind.InvalidDocument"/> when the entry is corrupt.</exception>
    public CniCachedAttachment? GetCached(string networkName, string containerId, string ifName) =>
        _cache.Read(networkName, containerId, ifName);

    /// <summary>Every cache entry (of one network, or all), sorted by file name. Corrupt entries are skipped
    /// silently (one bad file must not hide the rest); <see cref="GetCached"/> of one reports it.</summary>
    public IReadOnlyList<CniCachedAttachment> ListCached(string? networkName = null) => _cache.List(networkName);

    private static readonly IReadOnlyDictionary<string, JsonNode?> EmptyCaps = new Dictionary<string, JsonNode?>();

    // STATUS and GC exist from 1.1.0: a list of an older version is sent to 1.1 plugins as 1.1.0.
    private static string CommandVersion(CniConfigList list) =>
        CniVersions.AtLeast(list.CniVersion, CniVersions.Latest) ? list.CniVersion : CniVersions.Latest;

    /// <summary>The plugin's stdin: its object with the list's name and version, the capability arguments it declares
    /// (as <c>runtimeConfig</c>), and <c>prevResult</c>.</summary>
    internal static string BuildConfig(CniConfigList list, CniPluginConfig plugin, string version, JsonObject? prev,
        IReadOnlyDictionary<string, JsonNode?> capabilityArgs)
    {
        var conf = (JsonObject)plugin.Raw.DeepClone();
        conf["name"] = list.Name;
        conf["cniVersion"] = version;
        var rc = new JsonObject();
        foreach (var (key, value) in capabilityArgs)
            if (plugin.Capabilities.TryGetValue(key, out var declared) && declared) rc[key] = value?.DeepClone();
        if (rc.Count > 0) conf["runtimeConfig"] = rc;
        if (prev is not null) conf["prevResult"] = prev.DeepClone();
        else conf.Remove("prevResult");
        return conf.ToJsonString();
    }

    private static Dictionary<string, string> Env(CniRuntimeConfig rt) => new(StringComparer.Ordinal)
    {
        ["CNI_CONTAINERID"] = rt.ContainerId,
        ["CNI_NETNS"] = rt.NetnsPath,
        ["CNI_IFNAME"] = rt.IfName,
        ["CNI_ARGS"] = string.Join(';', rt.Args.Select(kv => $"{kv.Key}={kv.Value}")),
    };

    private static CniRuntimeConfig WithCached(CniRuntimeConfig rt, CniCachedAttachment? cached) => cached is null ? rt : new CniRuntimeConfig
    {
        ContainerId = rt.ContainerId,
        IfName = rt.IfName,
        NetnsPath = rt.NetnsPath,
        Args = rt.Args.Count > 0 ? rt.Args : cached.Args,
        CapabilityArgs = rt.CapabilityArgs.Count > 0 ? rt.CapabilityArgs : cached.CapabilityArgs,
    };

    private static void Validate(CniRuntimeConfig rt, string? network)
    {
        ArgumentNullException.ThrowIfNull(rt);
        if (network is not null) CniResultCache.ValidatePart(network, "networkName");
        CniResultCache.ValidatePart(rt.ContainerId, "containerId");
        CniResultCache.ValidatePart(rt.IfName, "ifName");
        ArgumentNullException.ThrowIfNull(rt.NetnsPath);
        ArgumentNullException.ThrowIfNull(rt.Args);
        ArgumentNullException.ThrowIfNull(rt.CapabilityArgs);
        for (var i = 0; i < rt.Args.Count; i++)
        {
            var (k, v) = rt.Args[i];
            if (k.Length == 0 || k.Contains('=') || k.Contains(';') || v.Contains(';'))
                throw new CartonException(ErrorKind.InvalidDocument, $"CNI_ARGS: \"{k}={v}\" cannot be passed (a key must be non-empty without '=' or ';', a value without ';')",
                    jsonPath: $"args[{i}]", reason: "contains ';' or '='");
        }
    }

    // The first error is the story; the others follow it so none is lost.
    private static void ThrowFirst(List<Exception> errors)
    {
        if (errors.Count == 0) return;
        if (errors.Count == 1) throw errors[0] is CniPluginException or CartonException ? errors[0] : new CartonException(ErrorKind.Internal, errors[0].Message, errors[0]);
        var rest = "; then: " + string.Join("; then: ", errors.Skip(1).Select(e => e.Message));
        throw errors[0] switch
        {
            CniPluginException p => p.WithSuffix(rest),
            CartonException c => new CartonException(c.Kind, c.Message + rest, new AggregateException(errors), c.Errno, c.JsonPath, c.Reason),
            var e => new CartonException(ErrorKind.Internal, e.Message + rest, new AggregateException(errors)),
        };
    }
}
