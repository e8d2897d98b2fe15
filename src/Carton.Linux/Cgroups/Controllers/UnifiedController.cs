using Carton.Oci;

namespace Carton.Linux.Cgroups.Controllers;

/// <summary>
/// linux.resources.unified (config-linux.md "Unified"): raw cgroup v2 file name → value, for any controller. Always an
/// error on v1. On v2 the keys are written as given, after every other controller, so they override converted values.
/// </summary>
public sealed class UnifiedController : CgroupController
{
    public override string Name => "unified";

    public override IReadOnlyList<string> Groups { get; } = ["unified"];

    /// <summary>On v1: refused. On v2: each key names a file of the container's cgroup, so no path separators or dot names.</summary>
    internal override void Validate(LinuxResources r, bool v2)
    {
        if (!v2)
        {
            if (r.Unified is { Count: > 0 })
                throw new CgroupException("linux.resources.unified: requires cgroup v2 (this host's resource controllers are cgroup v1)");
            return;
        }
        if (r.Unified is not { } unified) return;
        foreach (var key in unified.Keys)
            if (key.Length == 0 || key.Contains('/') || key is "." or ".." || key.Any(char.IsControl))
                throw new CgroupException($"linux.resources.unified[\"{key}\"]: must be a plain cgroup file name (no '/')");
    }

    /// <summary>
    /// Multi-line values are written one line per write(2), as runc's WriteFileByLine, because files such as io.max
    /// parse a single line per write. A key whose file is missing is reported as its controller not being enabled
    /// when that is the reason.
    /// </summary>
    internal override void ApplyV2(CgroupV2Context ctx, LinuxResources r)
    {
        if (r.Unified is not { Count: > 0 } unified) return;
        foreach (var (key, value) in unified.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var field = $"linux.resources.unified[\"{key}\"]";
            if (!CgroupResourceWriter.Exists(ctx.Dir, key))
            {
                var dot = key.IndexOf('.');
                var controller = dot > 0 ? key[..dot] : key;
                if (controller != "cgroup" && ctx.Enabled is { } names && !names.Contains(controller))
                    ctx.Require(controller, field);
            }
            var lines = (value ?? "").Split('\n').Where(l => l.Length > 0).ToList();
            // An empty value is still written once (e.g. to reset a file that accepts an empty write).
            if (lines.Count == 0) lines.Add(value ?? "");
            foreach (var line in lines) ctx.Writer.Write(field, ctx.Dir, key, line);
        }
    }
}
