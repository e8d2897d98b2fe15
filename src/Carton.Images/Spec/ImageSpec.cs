using Carton.Images.Model;
using Carton.Oci;

namespace Carton.Images.Spec;

/// <summary>
/// An image's config turned into a runtime spec (image-spec conversion.md), over the defaults `carton spec` writes:
/// <list type="bullet">
/// <item>process.args = Entrypoint + Cmd (a given command replaces Cmd; a given entrypoint replaces Entrypoint and
/// drops Cmd), as docker does; neither is an error naming both fields.</item>
/// <item>process.env = the default PATH and TERM, overridden by key by the image's Env, then by the caller's.</item>
/// <item>process.cwd = WorkingDir, default "/"; process.user from User through the image's /etc/passwd and /etc/group
/// (<see cref="ImageUser"/>).</item>
/// <item>annotations: the Labels, then org.opencontainers.image.{os,architecture,variant,author,created,exposedPorts,
/// stopSignal} (conversion.md's "Annotation fields"; a label does not override them).</item>
/// <item>Volumes: not mounted. conversion.md says an implementation SHOULD provide them; docker and podman make
/// anonymous volumes, umoci ignores them. Carton lists them in the warnings and in the annotation
/// org.opencontainers.image.volumes (Carton's own), and leaves them to the caller's mounts.</item>
/// <item>process.terminal as asked (default false: an image is not run on a tty unless asked).</item>
/// </list>
/// </summary>
public static class ImageSpec
{
    public const string DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>Builds the spec; returns it with the warnings (what the image asks that the spec does not give).</summary>
    public static (Carton.Oci.Spec Spec, List<string> Warnings) Build(ImageConfigFile image, ImageSpecOptions options)
    {
        var warnings = new List<string>();
        var config = image.Config ?? new ContainerConfig();
        var spec = DefaultSpec.Create(options.Rootless, options.HostUid, options.HostGid);
        var process = spec.Process!;

        // conversion.md "Config.Entrypoint / Config.Cmd", with docker's override rules.
        List<string> entrypoint = options.Entrypoint is { } e ? [.. e] : [.. config.Entrypoint ?? []];
        List<string> cmd = options.Command is { Count: > 0 } c ? [.. c] : options.Entrypoint is not null ? [] : [.. config.Cmd ?? []];
        var args = entrypoint.Concat(cmd).ToList();
        if (args.Count == 0 && options.AllowNoCommand)
            warnings.Add("config.Entrypoint and config.Cmd: the image names no command: set process.args before running the bundle");
        else if (args.Count == 0)
            throw new CartonException(ErrorKind.InvalidDocument,
                "config.Entrypoint and config.Cmd: the image names no command, and none was given", jsonPath: "config.Cmd",
                reason: "the image names no command, and none was given");
        process.Args = args;

        // TERM only with a terminal (runc's default spec, which has one, sets it).
        process.Env = MergeEnv(options.Terminal ? [DefaultPath, "TERM=xterm"] : [DefaultPath], config.Env, "config.Env");
        if (options.Env is { } extra) process.Env = MergeEnv(process.Env, extra, "env");
        process.Terminal = options.Terminal;

        var cwd = options.WorkingDir ?? config.WorkingDir;
        process.Cwd = string.IsNullOrEmpty(cwd) ? "/" : cwd;
        if (!process.Cwd.StartsWith('/'))
            throw new CartonException(ErrorKind.InvalidDocument, $"config.WorkingDir: \"{cwd}\" is not an absolute path",
                jsonPath: "config.WorkingDir", reason: "not an absolute path");

        var userText = options.User ?? config.User;
        if (!string.IsNullOrEmpty(userText))
        {
            var read = options.ReadRootfsFile;
            var (uid, gid, groups) = ImageUser.Resolve(userText, read?.Invoke("/etc/passwd"), read?.Invoke("/etc/group"));
            process.User = new Carton.Oci.User { Uid = uid, Gid = gid, AdditionalGids = groups.Count > 0 ? groups : null };
        }

        spec.Root = new Carton.Oci.Root { Path = options.RootfsPath, Readonly = false };
        if (options.Hostname is not null) spec.Hostname = options.Hostname;

        var annotations = new Dictionary<string, string>(config.Labels ?? [], StringComparer.Ordinal);
        void Set(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value)) annotations[key] = value;
        }
        Set("org.opencontainers.image.os", image.Os);
        Set("org.opencontainers.image.architecture", image.Architecture);
        Set("org.opencontainers.image.variant", image.Variant);
        Set("org.opencontainers.image.os.version", image.OsVersion);
        Set("org.opencontainers.image.author", image.Author);
        Set("org.opencontainers.image.created", image.Created);
        if (config.ExposedPorts is { Count: > 0 } ports)
            Set("org.opencontainers.image.exposedPorts", string.Join(',', ports.Keys.Order(StringComparer.Ordinal)));
        Set("org.opencontainers.image.stopSignal", config.StopSignal);
        if (config.Volumes is { Count: > 0 } volumes)
        {
            var list = string.Join(',', volumes.Keys.Order(StringComparer.Ordinal));
            Set("org.opencontainers.image.volumes", list);
            warnings.Add($"config.Volumes: {list}: not mounted (give mounts for them to keep their data)");
        }
        spec.Annotations = annotations.Count > 0 ? annotations : null;
        return (spec, warnings);
    }

    /// <summary><paramref name="baseEnv"/> with <paramref name="overrides"/> applied by key (the part before '=').</summary>
    private static List<string> MergeEnv(IEnumerable<string> baseEnv, IEnumerable<string>? overrides, string field)
    {
        var result = baseEnv.ToList();
        int i = 0;
        foreach (var entry in overrides ?? [])
        {
            int eq = entry.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                throw new CartonException(ErrorKind.InvalidDocument, $"{field}[{i}]: \"{entry}\" is not KEY=VALUE",
                    jsonPath: $"{field}[{i}]", reason: "not KEY=VALUE");
            var key = entry[..(eq + 1)];
            int at = result.FindIndex(v => v.StartsWith(key, StringComparison.Ordinal));
            if (at >= 0) result[at] = entry;
            else result.Add(entry);
            i++;
        }
        return result;
    }
}
