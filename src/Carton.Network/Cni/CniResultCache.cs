using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Carton.Network.Cni;

/// <summary>
/// The on-disk record of each successful ADD, <c>results/&lt;network&gt;-&lt;container&gt;-&lt;ifname&gt;.json</c>
/// under the cache directory: kind "cniCacheV1", the attachment, the network namespace, the configuration list as
/// loaded, the final result, CNI_ARGS and the capability arguments. DEL reads it for its <c>prevResult</c> (and the
/// configuration, after a restart); GC lists it for stale attachments.
/// </summary>
/// <remarks>The three name parts are joined with '-', so "a-b"+"c" and "a"+"b-c" would share a file; each record
/// holds its parts and a read checks them, so such a clash reads as no record rather than the wrong one.</remarks>
internal sealed class CniResultCache(string directory)
{
    internal const string Kind = "cniCacheV1";
    private const string What = "CNI result cache";

    private string ResultsDir => Path.Combine(directory, "results");

    /// <summary>Checks one part of the file name: not empty, no '/' (or NUL), not "." or "..".</summary>
    public static void ValidatePart(string value, string what)
    {
        ArgumentNullException.ThrowIfNull(value, what);
        if (value.Length == 0 || value.Contains('/') || value.Contains('\0') || value is "." or "..")
            throw new CartonException(ErrorKind.InvalidDocument, $"CNI attachment: {what} \"{value}\" is empty or contains '/'",
                jsonPath: what, reason: "must not be empty or contain '/'");
    }

    /// <summary>The record's path.</summary>
    public string PathOf(string network, string containerId, string ifName)
    {
        ValidatePart(network, "networkName");
        ValidatePart(containerId, "containerId");
        ValidatePart(ifName, "ifName");
        return Path.Combine(ResultsDir, $"{network}-{containerId}-{ifName}.json");
    }

    /// <summary>Writes a record atomically: a temporary file, flushed to disk, renamed over the old one.</summary>
    public void Write(CniConfigList list, CniRuntimeConfig rt, CniResult result)
    {
        var path = PathOf(list.Name, rt.ContainerId, rt.IfName);
        var args = new JsonArray();
        foreach (var (k, v) in rt.Args) args.Add((JsonNode)new JsonArray(JsonValue.Create(k), JsonValue.Create(v)));
        var caps = new JsonObject();
        foreach (var (k, v) in rt.CapabilityArgs) caps[k] = v?.DeepClone();
        var record = new JsonObject
        {
            ["kind"] = Kind,
            ["containerId"] = rt.ContainerId,
            ["ifName"] = rt.IfName,
            ["networkName"] = list.Name,
            ["netns"] = rt.NetnsPath,
            // The list as loaded, as a string: DEL after a restart parses exactly what ADD ran.
            ["config"] = list.Json,
            ["result"] = result.Raw.DeepClone(),
            ["cniArgs"] = args,
            ["capabilityArgs"] = caps,
        };
        var bytes = Encoding.UTF8.GetBytes(record.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var tmp = $"{path}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            Directory.CreateDirectory(ResultsDir);
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                fs.Write(bytes);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(tmp); } catch (IOException) { /* best effort: a stray temporary file is harmless */ }
            throw new CartonException(ErrorKind.Internal, $"network \"{list.Name}\": cannot write the CNI result cache {path}: {e.Message}", e);
        }
    }

    /// <summary>Reads a record; null when there is none (or the file is another attachment's, see remarks).</summary>
    /// <exception cref="CartonException"><see cref="ErrorKind.InvalidDocument"/> for a corrupt record.</exception>
    public CniCachedAttachment? Read(string network, string containerId, string ifName)
    {
        var path = PathOf(network, containerId, ifName);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        var a = Parse(text, path);
        return a.NetworkName == network && a.ContainerId == containerId && a.IfName == ifName ? a : null;
    }

    /// <summary>Every readable record (of one network, or all). A corrupt or unreadable record is skipped, not
    /// thrown: one bad file must not stop GC or a listing of the rest; its path is added to <paramref name="corrupt"/>.</summary>
    public List<CniCachedAttachment> List(string? network, List<string>? corrupt = null)
    {
        var list = new List<CniCachedAttachment>();
        if (!Directory.Exists(ResultsDir)) return list;
        foreach (var path in Directory.GetFiles(ResultsDir, "*.json").OrderBy(p => p, StringComparer.Ordinal))
        {
            if (network is not null && !Path.GetFileName(path).StartsWith(network + "-", StringComparison.Ordinal)) continue;
            try
            {
                var a = Parse(File.ReadAllText(path), path);
                if (network is null || a.NetworkName == network) list.Add(a);
            }
            catch (Exception e) when (e is CartonException or IOException or UnauthorizedAccessException)
            {
                corrupt?.Add(path);
            }
        }
        return list;
    }

    /// <summary>Removes a record; no record is not an error.</summary>
    public void Remove(string network, string containerId, string ifName)
    {
        var path = PathOf(network, containerId, ifName);
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CartonException(ErrorKind.Internal, $"network \"{network}\": cannot remove the CNI result cache {path}: {e.Message}", e);
        }
    }

    /// <summary>Parses a record.</summary>
    internal static CniCachedAttachment Parse(string text, string source)
    {
        var o = CniJson.ParseObject(text, source, What);
        var kind = CniJson.RequiredString(o, "kind", "kind", source, What);
        if (kind != Kind) throw CniJson.Invalid(source, What, "kind", $"\"{kind}\" is not {Kind}");
        var network = CniJson.RequiredString(o, "networkName", "networkName", source, What);
        var containerId = CniJson.RequiredString(o, "containerId", "containerId", source, What);
        var ifName = CniJson.RequiredString(o, "ifName", "ifName", source, What);
        var netns = CniJson.OptionalString(o, "netns", "netns", source, What) ?? "";
        var configText = CniJson.RequiredString(o, "config", "config", source, What);
        var config = CniConfigList.Parse(configText, $"{source}: config");
        var resultObject = CniJson.OptionalObject(o, "result", "result", source, What);
        var result = resultObject is null ? null : CniResult.FromObject((JsonObject)resultObject.DeepClone(), $"{source}: result");
        var args = new List<KeyValuePair<string, string>>();
        var argArray = CniJson.OptionalArray(o, "cniArgs", "cniArgs", source, What);
        for (var i = 0; argArray is not null && i < argArray.Count; i++)
        {
            if (argArray[i] is JsonArray { Count: 2 } pair && pair[0] is JsonValue k && k.GetValueKind() == JsonValueKind.String
                && pair[1] is JsonValue v && v.GetValueKind() == JsonValueKind.String)
                args.Add(new(k.GetValue<string>(), v.GetValue<string>()));
            else
                throw CniJson.Invalid(source, What, $"cniArgs[{i}]", "must be a [key, value] pair of strings");
        }
        var caps = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        var capObject = CniJson.OptionalObject(o, "capabilityArgs", "capabilityArgs", source, What);
        if (capObject is not null)
            foreach (var (k, v) in capObject) caps[k] = v?.DeepClone();
        return new CniCachedAttachment(network, containerId, ifName, netns, config, result, args, caps);
    }
}
