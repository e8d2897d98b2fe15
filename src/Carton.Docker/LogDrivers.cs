using System.Globalization;
using Carton.Compute;
using Carton.Docker.Models;

namespace Carton.Docker;

/// <summary>
/// HostConfig.LogConfig: the logging drivers Carton serves and their options, checked as dockerd checks them and
/// turned into the compute contract's initIo log settings. json-file (the default, as dockerd's), local (dockerd's
/// defaults of 20 MB × 5 files, written in the json-file format since only Carton reads it, and not compressed) and
/// none (no log; attach still relays the output). max-size and max-file rotate the log as dockerd does.
/// </summary>
internal static class LogDrivers
{
    public const string JsonFile = "json-file", Local = "local", None = "none";

    /// <summary>dockerd's local driver defaults (moby daemon/logger/local): 20 MiB files, 5 of them.</summary>
    private const long LocalMaxSize = 20 * 1024 * 1024;
    private const int LocalMaxFiles = 5;

    /// <summary>Drivers dockerd has that Carton does not: named as such rather than as unknown.</summary>
    private static readonly HashSet<string> DockerdOnly =
        ["syslog", "journald", "gelf", "fluentd", "awslogs", "splunk", "etwlogs", "gcplogs", "logentries"];

    /// <summary>Options every driver takes (dockerd's common attributes and its logger modes); recorded, not applied.</summary>
    private static readonly HashSet<string> CommonOptions = ["labels", "labels-regex", "env", "env-regex", "tag", "mode", "max-buffer-size"];

    /// <summary>What a LogConfig asks of the compute service.</summary>
    public sealed record Settings(bool NoLog, long? MaxSize, int? MaxFiles);

    /// <summary>LogConfig as dockerd records it at create: the default driver for an empty Type, an empty Config for none.</summary>
    public static LogConfig Normalize(LogConfig? given) =>
        // a JSON null as an option's value is Go's "" (dockerd's map[string]string has no null)
        new() { Type = string.IsNullOrEmpty(given?.Type) ? JsonFile : given.Type, Config = given?.Config?.ToDictionary(o => o.Key, o => o.Value ?? "") ?? [] };

    /// <summary>Checks the driver and its options (400 naming the option) and gives the log settings. dockerd checks
    /// the option names at create and their values only when the driver starts (a 500 from `docker start`, the
    /// container left behind); Carton checks both at create, with the same messages.</summary>
    public static Settings Resolve(LogConfig? given, List<string> warnings)
    {
        var config = Normalize(given);
        var type = config.Type!;
        var options = config.Config!;
        const string field = "HostConfig.LogConfig";
        // as dockerd: none takes any option (ValidateLogOpts returns before looking at them)
        if (type == None) return new Settings(true, null, null);
        if (type is not (JsonFile or Local))
        {
            if (DockerdOnly.Contains(type))
                throw DockerErrors.BadRequest($"logger: log driver '{type}' is not supported by carton (json-file, local and none are)", field + ".Type");
            throw DockerErrors.BadRequest($"logger: no log driver named '{type}' is registered", field + ".Type");
        }
        if (options.TryGetValue("mode", out var mode) && mode is not ("" or "blocking" or "non-blocking"))
            throw DockerErrors.BadRequest($"logger: logging mode not supported: {mode}", field + ".Config.mode");
        foreach (var key in options.Keys)
        {
            if (key is "max-size" or "max-file" or "compress" || CommonOptions.Contains(key)) continue;
            throw DockerErrors.BadRequest(type == JsonFile
                ? $"unknown log opt '{key}' for json-file log driver"
                : $"unknown log opt '{key}' for log driver local", $"{field}.Config.{key}");
        }
        return type == JsonFile ? JsonFileSettings(options, warnings) : LocalSettings(options, warnings);
    }

    /// <summary>moby's jsonfilelog.New: max-size (decimal units) positive, max-file at least 1, compress only with rotation.</summary>
    private static Settings JsonFileSettings(Dictionary<string, string> options, List<string> warnings)
    {
        long? maxSize = null;
        if (options.TryGetValue("max-size", out var size))
        {
            maxSize = ParseSize(size, "max-size", prefix: "");
            if (maxSize <= 0) throw Invalid("max-size must be a positive number", "max-size");
        }
        int maxFiles = 1;
        if (options.TryGetValue("max-file", out var files))
        {
            maxFiles = ParseInt(files, "max-file", prefix: "");
            if (maxFiles < 1) throw Invalid("max-file cannot be less than 1", "max-file");
        }
        if (options.TryGetValue("compress", out var compress) && ParseBool(compress, "compress", "") && (maxFiles == 1 || maxSize is null))
            throw Invalid("compress cannot be true when max-file is less than 2 or max-size is not set", "compress");
        if (compress is not null && ParseBool(compress, "compress", "")) warnings.Add("HostConfig.LogConfig: compress is recorded but not applied by carton: rotated files stay uncompressed");
        // as dockerd: max-file without max-size is accepted and does nothing (the log never rotates)
        return maxSize is null ? new Settings(false, null, null) : new Settings(false, maxSize, maxFiles);
    }

    /// <summary>moby's local.newConfig: dockerd's defaults, non-negative values, compression (on by default) needs more than one file.</summary>
    private static Settings LocalSettings(Dictionary<string, string> options, List<string> warnings)
    {
        long maxSize = LocalMaxSize;
        int maxFiles = LocalMaxFiles;
        bool compress = true;
        if (options.TryGetValue("max-size", out var size)) maxSize = ParseSize(size, "max-size", $"invalid value for max-size: {size}: ");
        if (options.TryGetValue("max-file", out var files)) maxFiles = ParseInt(files, "max-file", $"invalid value for max-file: {files}: ");
        if (options.TryGetValue("compress", out var c)) compress = ParseBool(c, "compress", "invalid boolean value for compress: ");
        if (maxSize < 0) throw Invalid("max-size must not be negative", "max-size");
        if (maxFiles < 0) throw Invalid("max-file must not be negative", "max-file");
        if (compress && maxFiles <= 1) throw Invalid("compression cannot be enabled when max file count is 1", "max-file");
        if (options.ContainsKey("compress") && compress) warnings.Add("HostConfig.LogConfig: compress is recorded but not applied by carton: rotated files stay uncompressed");
        // dockerd's local driver with max-size 0 rotates before every entry, and with max-file 0 keeps one file
        return new Settings(false, Math.Max(1, maxSize), Math.Max(1, maxFiles));
    }

    private static CartonException Invalid(string message, string option) =>
        DockerErrors.BadRequest("failed to initialize logging driver: " + message, "HostConfig.LogConfig.Config." + option);

    /// <summary>go-units' FromHumanSize, which dockerd's json-file and local drivers use for max-size: a number (a
    /// fraction allowed) with an optional suffix b, k, m, g, t, p (any case, then an optional "b" or "ib"), in powers of
    /// 1000; "10m" is 10 000 000 bytes.</summary>
    public static long ParseSize(string value, string option, string prefix)
    {
        if (TryParseSize(value, out var bytes, out var error)) return bytes;
        throw Invalid(prefix + error, option);
    }

    /// <summary><see cref="ParseSize"/> without the exception: the error text is go-units'.</summary>
    internal static bool TryParseSize(string value, out long bytes, out string error)
    {
        bytes = -1;
        int sep = value.LastIndexOfAny("01234567890. ".ToCharArray());
        if (sep < 0)
        {
            error = $"invalid size: '{value}'";
            return false;
        }
        string number, suffix;
        if (value[sep] != ' ') (number, suffix) = (value[..(sep + 1)], value[(sep + 1)..]);
        else (number, suffix) = (value[..sep], value[(sep + 1)..]);
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var size))
        {
            error = $"strconv.ParseFloat: parsing \"{number}\": invalid syntax";
            return false;
        }
        if (size < 0)
        {
            error = $"invalid size: '{value}'";
            return false;
        }
        if (suffix.Length == 0)
        {
            bytes = (long)size;
            error = "";
            return true;
        }
        var sfx = suffix.ToLowerInvariant();
        double multiplier = sfx[0] switch { 'b' => 1, 'k' => 1e3, 'm' => 1e6, 'g' => 1e9, 't' => 1e12, 'p' => 1e15, _ => 0 };
        bool ok = suffix.Length <= 3 && multiplier > 0
            && (sfx[0] == 'b' ? sfx.Length == 1 : sfx.Length == 1 || sfx is [_, 'b'] || sfx is [_, 'i', 'b']);
        if (!ok)
        {
            error = $"invalid suffix: '{(suffix.Length > 3 ? suffix : sfx)}'";
            return false;
        }
        bytes = (long)(size * multiplier);
        error = "";
        return true;
    }

    private static int ParseInt(string value, string option, string prefix)
    {
        if (int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) return n;
        throw Invalid($"{prefix}strconv.Atoi: parsing \"{value}\": invalid syntax", option);
    }

    /// <summary>Go's strconv.ParseBool: 1, t, T, TRUE, true, True and their false counterparts.</summary>
    private static bool ParseBool(string value, string option, string prefix) => value switch
    {
        "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
        "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
        _ => throw Invalid($"{prefix}strconv.ParseBool: parsing \"{value}\": invalid syntax", option),
    };

    /// <summary>The settings as the compute document's initIo takes them.</summary>
    public static void Apply(Settings settings, InitIo io)
    {
        io.NoLog = settings.NoLog;
        if (settings.NoLog) io.LogPath = null;
        io.LogMaxSize = settings.MaxSize;
        io.LogMaxFiles = settings.MaxSize is null ? null : settings.MaxFiles;
    }
}
