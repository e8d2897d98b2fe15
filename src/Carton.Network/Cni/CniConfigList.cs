using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Carton.Network.Cni;

/// <summary>
/// A CNI network configuration list (<c>.conflist</c>): the network's name, the spec version its plugins are called
/// with, and the plugin chain. A single-plugin <c>.conf</c> is wrapped into a list of one, as libcni does.
/// </summary>
public sealed partial class CniConfigList
{
    private const string What = "CNI network configuration";

    private CniConfigList(string cniVersion, string name, bool disableCheck, bool disableGC, IReadOnlyList<CniPluginConfig> plugins, string json)
    {
        CniVersion = cniVersion;
        Name = name;
        DisableCheck = disableCheck;
        DisableGC = disableGC;
        Plugins = plugins;
        Json = json;
    }

    /// <summary>The spec version every plugin is called with (injected as <c>cniVersion</c>).</summary>
    public string CniVersion { get; }

    /// <summary>The network's name: <c>^[A-Za-z0-9][A-Za-z0-9_.-]*$</c> (the spec's rule; it also keeps it usable in a file name).</summary>
    public string Name { get; }

    /// <summary><c>disableCheck</c>: CHECK is a no-op for this network.</summary>
    public bool DisableCheck { get; }

    /// <summary><c>disableGC</c>: GC is a no-op for this network.</summary>
    public bool DisableGC { get; }

    /// <summary>The plugins, in ADD order.</summary>
    public IReadOnlyList<CniPluginConfig> Plugins { get; }

    /// <summary>The document as loaded (a list, or the single plugin of a <c>.conf</c>); <see cref="Parse"/> of it gives this list again.</summary>
    public string Json { get; }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    private static partial Regex NamePattern();

    /// <summary>
    /// Parses a configuration list, or a single plugin configuration (an object with <c>type</c> and no
    /// <c>plugins</c>), which becomes a list of one with its <c>name</c> and <c>cniVersion</c>.
    /// </summary>
    /// <param name="json">The document.</param>
    /// <param name="source">Where it came from, for messages: a path, or "network X".</param>
    /// <exception cref="CartonException"><see cref="ErrorKind.InvalidDocument"/>, with the field's JSON path in the
    /// document as given ("plugins[1].type"; "type" for a single plugin) and the reason.</exception>
    public static CniConfigList Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);
        var root = CniJson.ParseObject(json, source, What);
        var isList = root.ContainsKey("plugins");
        if (!isList && !root.ContainsKey("type"))
            throw CniJson.Invalid(source, What, "$", "neither a configuration list (\"plugins\") nor a plugin configuration (\"type\")");

        var name = CniJson.RequiredString(root, "name", "name", source, What);
        if (name.Length > 255 || !NamePattern().IsMatch(name))
            throw CniJson.Invalid(source, What, "name", $"\"{name}\" is not a valid network name (letters, digits, '_', '.', '-', starting with a letter or digit)");
        var version = ReadVersion(root, source);

        var plugins = new List<CniPluginConfig>();
        bool disableCheck = false, disableGC = false;
        if (isList)
        {
            disableCheck = CniJson.OptionalBool(root, "disableCheck", "disableCheck", source, What);
            disableGC = CniJson.OptionalBool(root, "disableGC", "disableGC", source, What);
            var array = CniJson.OptionalArray(root, "plugins", "plugins", source, What) ?? throw CniJson.Invalid(source, What, "plugins", "missing");
            if (array.Count == 0) throw CniJson.Invalid(source, What, "plugins", "must name at least one plugin");
            for (var i = 0; i < array.Count; i++)
            {
                var path = $"plugins[{i}]";
                var o = array[i] as JsonObject ?? throw CniJson.Invalid(source, What, path, $"must be an object, not {CniJson.Kind(array[i])}");
                plugins.Add(ReadPlugin(o, path + ".", source));
            }
        }
        else
        {
            plugins.Add(ReadPlugin(root, "", source));
        }
        return new CniConfigList(version, name, disableCheck, disableGC, plugins, json);
    }

    // cniVersion is required (the spec's rule; libcni defaults it, which hides a typo). 1.1's "cniVersions" lists
    // the versions a configuration is valid for: the newest one this runtime speaks is taken.
    private static string ReadVersion(JsonObject root, string source)
    {
        var versions = CniJson.StringArray(root, "cniVersions", "cniVersions", source, What);
        if (versions.Count > 0)
        {
            var best = versions.Where(CniVersions.IsKnown).OrderBy(v => v, Comparer<string>.Create(CniVersions.Compare)).LastOrDefault();
            if (best is not null) return best;
            throw CniJson.Invalid(source, What, "cniVersions", $"none of {string.Join(", ", versions)} is a CNI version this runtime speaks ({string.Join(", ", CniVersions.Known)})");
        }
        var version = CniJson.RequiredString(root, "cniVersion", "cniVersion", source, What);
        if (!CniVersions.IsKnown(version))
            throw CniJson.Invalid(source, What, "cniVersion", $"\"{version}\" is not a CNI version this runtime speaks ({string.Join(", ", CniVersions.Known)})");
        return version;
    }

    private static CniPluginConfig ReadPlugin(JsonObject o, string prefix, string source)
    {
        var type = CniJson.RequiredString(o, "type", prefix + "type", source, What);
        // The type is a file name in the plugin directories: a path would run any binary on the host.
        if (type.Contains('/') || type.Contains('\\') || type.Contains("..", StringComparison.Ordinal) || type.Contains('\0'))
            throw CniJson.Invalid(source, What, prefix + "type", $"\"{type}\" is not a plugin name (no '/', '\\' or \"..\")");
        var name = CniJson.OptionalString(o, "name", prefix + "name", source, What);
        var caps = new Dictionary<string, bool>(StringComparer.Ordinal);
        var capObject = CniJson.OptionalObject(o, "capabilities", prefix + "capabilities", source, What);
        if (capObject is not null)
        {
            foreach (var (key, value) in capObject)
            {
                if (value is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
                    caps[key] = v.GetValueKind() == JsonValueKind.True;
                else
                    throw CniJson.Invalid(source, What, $"{prefix}capabilities.{key}", $"must be a boolean, not {CniJson.Kind(value)}");
            }
        }
        // A deep copy: the plugin's object must not be tied to the list's tree (each call copies it again and injects).
        var raw = (JsonObject)o.DeepClone();
        return new CniPluginConfig(type, name, raw, caps);
    }

    /// <summary>Loads a configuration file: <c>.conflist</c>, <c>.conf</c> or <c>.json</c> (each may hold a list or a single plugin).</summary>
    /// <exception cref="CartonException"><see cref="ErrorKind.NotFound"/> when the file does not exist,
    /// <see cref="ErrorKind.InvalidDocument"/> for another extension or an invalid document.</exception>
    public static CniConfigList Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!IsConfigFile(path))
            throw new CartonException(ErrorKind.InvalidDocument, $"{path}: not a CNI configuration file (.conflist, .conf or .json)", jsonPath: "$", reason: "unknown file extension");
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CartonException(ErrorKind.NotFound, $"{path}: CNI configuration file not found", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CartonException(ErrorKind.PermissionDenied, $"{path}: cannot read CNI configuration file: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new CartonException(ErrorKind.Internal, $"{path}: cannot read CNI configuration file: {e.Message}", e);
        }
        return Parse(text, path);
    }

    /// <summary>Loads every <c>.conflist</c>, <c>.conf</c> and <c>.json</c> file of a directory, sorted by file name
    /// (ordinal); a directory that does not exist has none. An invalid file fails the whole call (naming it).</summary>
    public static IReadOnlyList<CniConfigList> LoadDirectory(string dir)
    {
        ArgumentNullException.ThrowIfNull(dir);
        if (!Directory.Exists(dir)) return [];
        var files = Directory.GetFiles(dir).Where(IsConfigFile).OrderBy(Path.GetFileName, StringComparer.Ordinal);
        return files.Select(Load).ToList();
    }

    private static bool IsConfigFile(string path)
    {
        var ext = Path.GetExtension(path);
        return ext is ".conflist" or ".conf" or ".json";
    }
}
