namespace Carton.Linux.Cgroups.Controllers;

/// <summary>
/// misc (Linux 5.13+, cgroup v2; also a v1 hierarchy): scalar resources such as SEV ASIDs (misc.max, misc.current).
/// linux.resources has no group for it, so carton writes nothing of its own: a config sets misc.max through
/// linux.resources.unified (see <see cref="UnifiedController"/>), and the runc events model has no misc statistics.
/// Registered so that the table names every controller carton knows of.
/// </summary>
public sealed class MiscController : CgroupController
{
    public override string Name => "misc";

    public override IReadOnlyList<string> Groups { get; } = [];
}
