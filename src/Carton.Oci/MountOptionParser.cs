using static Carton.Oci.MountConstants;

namespace Carton.Oci;

/// <summary>
/// Translates config.md "mounts[].options" into mount(2)/mount_setattr(2) arguments, following
/// runc's libcontainer/specconv parseMountOptions so bundles behave the same under both runtimes.
/// Unknown options are filesystem data (config.md: options are those of mount(8)).
/// </summary>
public static class MountOptionParser
{
    private readonly record struct FlagOpt(bool Clear, ulong Flag);

    // mount(8) flag options; "clear" options remove a flag (and record it in ClearFlags).
    private static readonly Dictionary<string, FlagOpt> FlagOptions = new(StringComparer.Ordinal)
    {
        ["acl"] = new(false, MS_POSIXACL),
        ["async"] = new(true, MS_SYNCHRONOUS),
        ["atime"] = new(true, MS_NOATIME),
        ["bind"] = new(false, MS_BIND),
        ["defaults"] = new(false, 0),
        ["dev"] = new(true, MS_NODEV),
        ["diratime"] = new(true, MS_NODIRATIME),
        ["dirsync"] = new(false, MS_DIRSYNC),
        ["exec"] = new(true, MS_NOEXEC),
        ["iversion"] = new(false, MS_I_VERSION),
        ["lazytime"] = new(false, MS_LAZYTIME),
        ["loud"] = new(true, MS_SILENT),
        ["mand"] = new(false, MS_MANDLOCK),
        ["noacl"] = new(true, MS_POSIXACL),
        ["noatime"] = new(false, MS_NOATIME),
        ["nodev"] = new(false, MS_NODEV),
        ["nodiratime"] = new(false, MS_NODIRATIME),
        ["noexec"] = new(false, MS_NOEXEC),
        ["noiversion"] = new(true, MS_I_VERSION),
        ["nolazytime"] = new(true, MS_LAZYTIME),
        ["nomand"] = new(true, MS_MANDLOCK),
        ["norelatime"] = new(true, MS_RELATIME),
        ["nostrictatime"] = new(true, MS_STRICTATIME),
        ["nosuid"] = new(false, MS_NOSUID),
        ["nosymfollow"] = new(false, MS_NOSYMFOLLOW),
        ["rbind"] = new(false, MS_BIND | MS_REC),
        ["relatime"] = new(false, MS_RELATIME),
        ["remount"] = new(false, MS_REMOUNT),
        ["ro"] = new(false, MS_RDONLY),
        ["rw"] = new(true, MS_RDONLY),
        ["silent"] = new(false, MS_SILENT),
        ["strictatime"] = new(false, MS_STRICTATIME),
        ["suid"] = new(true, MS_NOSUID),
        ["sync"] = new(false, MS_SYNCHRONOUS),
        ["symfollow"] = new(true, MS_NOSYMFOLLOW),
    };

    private static readonly Dictionary<string, ulong> PropagationOptions = new(StringComparer.Ordinal)
    {
        ["private"] = MS_PRIVATE,
        ["rprivate"] = MS_PRIVATE | MS_REC,
        ["shared"] = MS_SHARED,
        ["rshared"] = MS_SHARED | MS_REC,
        ["slave"] = MS_SLAVE,
        ["rslave"] = MS_SLAVE | MS_REC,
        ["unbindable"] = MS_UNBINDABLE,
        ["runbindable"] = MS_UNBINDABLE | MS_REC,
    };

    // Recursive (mount_setattr AT_RECURSIVE) variants, runc >= 1.1 / kernel >= 5.12.
    private static readonly Dictionary<string, FlagOpt> RecursiveOptions = new(StringComparer.Ordinal)
    {
        ["rro"] = new(false, MOUNT_ATTR_RDONLY),
        ["rrw"] = new(true, MOUNT_ATTR_RDONLY),
        ["rnosuid"] = new(false, MOUNT_ATTR_NOSUID),
        ["rsuid"] = new(true, MOUNT_ATTR_NOSUID),
        ["rnodev"] = new(false, MOUNT_ATTR_NODEV),
        ["rdev"] = new(true, MOUNT_ATTR_NODEV),
        ["rnoexec"] = new(false, MOUNT_ATTR_NOEXEC),
        ["rexec"] = new(true, MOUNT_ATTR_NOEXEC),
        ["rnodiratime"] = new(false, MOUNT_ATTR_NODIRATIME),
        ["rdiratime"] = new(true, MOUNT_ATTR_NODIRATIME),
        ["rrelatime"] = new(false, MOUNT_ATTR_RELATIME),
        ["rnorelatime"] = new(true, MOUNT_ATTR_RELATIME),
        ["rnoatime"] = new(false, MOUNT_ATTR_NOATIME),
        ["ratime"] = new(true, MOUNT_ATTR_NOATIME),
        ["rstrictatime"] = new(false, MOUNT_ATTR_STRICTATIME),
        ["rnostrictatime"] = new(true, MOUNT_ATTR_STRICTATIME),
        ["rnosymfollow"] = new(false, MOUNT_ATTR_NOSYMFOLLOW),
        ["rsymfollow"] = new(true, MOUNT_ATTR_NOSYMFOLLOW),
    };

    /// <summary>Every option name the parser recognizes (used for the features document).</summary>
    public static IReadOnlyList<string> KnownOptions { get; } =
        FlagOptions.Keys.Concat(PropagationOptions.Keys).Concat(RecursiveOptions.Keys)
            .Concat(["tmpcopyup", "idmap", "ridmap"])
            .Order(StringComparer.Ordinal).ToArray();

    /// <summary>True if <paramref name="option"/> is a recognized option (not filesystem data).</summary>
    public static bool IsKnown(string option) =>
        FlagOptions.ContainsKey(option) || PropagationOptions.ContainsKey(option) ||
        RecursiveOptions.ContainsKey(option) || option is "tmpcopyup" or "idmap" or "ridmap";

    /// <summary>Parses options in order; later options override earlier ones (mount(8) semantics).</summary>
    public static ParsedMountOptions Parse(IEnumerable<string>? options)
    {
        var r = new ParsedMountOptions();
        if (options is null) return r;
        var data = new List<string>();
        foreach (var o in options)
        {
            if (FlagOptions.TryGetValue(o, out var f))
            {
                if (f.Clear)
                {
                    r.Flags &= ~f.Flag;
                    r.ClearFlags |= f.Flag;
                }
                else
                {
                    r.Flags |= f.Flag;
                    r.ClearFlags &= ~f.Flag;
                }
                if (o == "bind") r.Bind = true;
                else if (o == "rbind") { r.Bind = true; r.Recursive = true; }
            }
            else if (PropagationOptions.TryGetValue(o, out var p))
            {
                r.PropagationFlags.Add(p);
            }
            else if (RecursiveOptions.TryGetValue(o, out var rf))
            {
                if (rf.Clear)
                {
                    r.RecursiveAttrClear |= rf.Flag;
                }
                else
                {
                    r.RecursiveAttrSet |= rf.Flag;
                    // mount_setattr(2): an access-time mode in attr_set requires MOUNT_ATTR__ATIME
                    // in attr_clr. rrelatime is 0, so test membership in the mask, not a bit.
                    if ((rf.Flag & MOUNT_ATTR__ATIME) == rf.Flag)
                        r.RecursiveAttrClear |= MOUNT_ATTR__ATIME;
                }
            }
            else if (o == "tmpcopyup") r.TmpCopyUp = true;
            else if (o == "idmap") r.IdMap = true;
            else if (o == "ridmap") { r.IdMap = true; r.RecursiveIdMap = true; }
            else data.Add(o);
        }
        r.Data = string.Join(',', data);
        return r;
    }
}
