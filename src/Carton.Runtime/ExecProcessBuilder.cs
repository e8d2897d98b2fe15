using System.Globalization;
using System.Text.Json;
using Carton.Oci;

namespace Carton.Runtime;

/// <summary>The flags of `exec` that shape the process when no --process file is given.</summary>
public sealed class ExecRequest
{
    public IReadOnlyList<string> Args { get; init; } = [];
    public bool Tty { get; init; }
    public IReadOnlyList<string> Env { get; init; } = [];
    public string? Cwd { get; init; }
    public string? User { get; init; }
    public IReadOnlyList<string> AdditionalGids { get; init; } = [];
    public IReadOnlyList<string> Caps { get; init; } = [];
    public bool NoNewPrivs { get; init; }
    public string? ApparmorProfile { get; init; }
    public string? ProcessLabel { get; init; }
}

/// <summary>
/// Builds the process of `exec` as runc does: the container's process with args, terminal, env, cwd, user and
/// capabilities overridden by the flags. `--cap` adds to the bounding, effective and permitted sets, and to the
/// ambient set only when the container has inheritable capabilities; it never adds to the inheritable set
/// (CVE-2022-29162: an inheritable capability would survive exec of a file with file capabilities).
/// </summary>
public static class ExecProcessBuilder
{
    public static Oci.Process FromFile(string path)
    {
        try
        {
            var json = File.ReadAllBytes(path);
            var p = JsonSerializer.Deserialize(json, OciJsonContext.Default.Process) ?? throw new RuntimeError($"--process {path}: empty document");
            if (p.Args is not { Count: > 0 }) throw new RuntimeError($"--process {path}: args: must not be empty");
            if (p.Cwd is { } cwd && !cwd.StartsWith('/')) throw new RuntimeError($"--process {path}: cwd: must be an absolute path");
            foreach (var cap in AllCaps(p.Capabilities))
                if (!KnownCapabilities.IsKnown(cap)) throw new RuntimeError($"--process {path}: capabilities: unknown capability \"{cap}\"");
            return p;
        }
        catch (JsonException e) { throw new RuntimeError($"--process {path}: {e.Message}"); }
        catch (IOException e) { throw new RuntimeError($"--process {path}: {e.Message}"); }
    }

    private static IEnumerable<string> AllCaps(LinuxCapabilities? c) =>
        (c?.Bounding ?? []).Concat(c?.Effective ?? []).Concat(c?.Permitted ?? []).Concat(c?.Inheritable ?? []).Concat(c?.Ambient ?? []);

    public static Oci.Process Build(Spec container, ExecRequest req)
    {
        if (req.Args.Count == 0) throw new RuntimeError("exec: a command is required (or --process)");
        var baseJson = JsonSerializer.Serialize(container.Process ?? new Oci.Process(), OciJsonContext.Compact.Process);
        var p = JsonSerializer.Deserialize(baseJson, OciJsonContext.Compact.Process)!;
        p.Args = [.. req.Args];
        p.CommandLine = null;
        p.Terminal = req.Tty;
        p.ConsoleSize = null;

        var env = new List<string>(p.Env ?? []);
        foreach (var e in req.Env)
        {
            int eq = e.IndexOf('=');
            if (eq <= 0) throw new RuntimeError($"--env {e}: must be of the form KEY=value");
            var key = e[..(eq + 1)];
            env.RemoveAll(x => x.StartsWith(key, StringComparison.Ordinal));
            env.Add(e);
        }
        p.Env = env;

        if (req.Cwd is { } cwd)
        {
            if (!cwd.StartsWith('/')) throw new RuntimeError($"--cwd {cwd}: must be an absolute path");
            p.Cwd = cwd;
        }

        p.User ??= new User();
        if (req.User is { } user)
        {
            var parts = user.Split(':');
            if (parts.Length > 2) throw new RuntimeError($"--user {user}: must be uid[:gid]");
            p.User.Uid = ParseId("--user", parts[0]);
            if (parts.Length == 2) p.User.Gid = ParseId("--user", parts[1]);
        }
        if (req.AdditionalGids.Count > 0)
            p.User.AdditionalGids = req.AdditionalGids.Select(g => ParseId("--additional-gids", g)).ToList();

        if (req.Caps.Count > 0)
        {
            var caps = p.Capabilities ??= new LinuxCapabilities();
            foreach (var c in req.Caps)
            {
                if (!KnownCapabilities.IsKnown(c)) throw new RuntimeError($"--cap {c}: unknown capability");
                Add(caps.Bounding ??= [], c);
                Add(caps.Effective ??= [], c);
                Add(caps.Permitted ??= [], c);
                if (caps.Inheritable is { Count: > 0 }) Add(caps.Ambient ??= [], c);
            }
        }
        if (req.NoNewPrivs) p.NoNewPrivileges = true;
        if (req.ApparmorProfile is not null) p.ApparmorProfile = req.ApparmorProfile;
        if (req.ProcessLabel is not null) p.SelinuxLabel = req.ProcessLabel;
        return p;
    }

    private static void Add(List<string> set, string cap)
    {
        if (!set.Contains(cap)) set.Add(cap);
    }

    private static uint ParseId(string flag, string text) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v != uint.MaxValue
            ? v
            : throw new RuntimeError($"{flag}: invalid id \"{text}\": must be a number");
}
