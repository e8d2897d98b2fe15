namespace Carton.Linux.Cgroups;

/// <summary>
/// The freezer states, spelled as cgroup v1's freezer.state spells them. v2 has no such file, so its
/// cgroup.freeze / cgroup.events pair is translated into the same words; callers (runc-style "paused"
/// status) then need not care which version they run on.
/// </summary>
public static class FreezerState
{
    public const string Thawed = "THAWED";
    public const string Frozen = "FROZEN";
    public const string Freezing = "FREEZING";

    /// <summary>Returned when no freezer is available or the cgroup does not exist.</summary>
    public const string Unknown = "";
}
