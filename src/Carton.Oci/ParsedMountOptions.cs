namespace Carton.Oci;

/// <summary>Result of <see cref="MountOptionParser.Parse"/>: mount.options translated to syscall arguments.</summary>
public sealed class ParsedMountOptions
{
    /// <summary>MS_* flags to pass to mount(2) (excluding propagation flags).</summary>
    public ulong Flags { get; set; }
    /// <summary>
    /// MS_* flags the user explicitly cleared (e.g. "rw", "suid"). Needed when remounting a bind
    /// mount: flags not mentioned must be preserved from the source, cleared ones must not.
    /// </summary>
    public ulong ClearFlags { get; set; }
    /// <summary>Propagation changes in order (MS_PRIVATE/MS_SLAVE/MS_SHARED/MS_UNBINDABLE, maybe |MS_REC).</summary>
    public List<ulong> PropagationFlags { get; } = new();
    /// <summary>MOUNT_ATTR_* to set recursively with mount_setattr(AT_RECURSIVE) (rro, rnosuid, ...).</summary>
    public ulong RecursiveAttrSet { get; set; }
    /// <summary>MOUNT_ATTR_* to clear recursively (rrw, rsuid, ... and MOUNT_ATTR__ATIME when an atime mode is set).</summary>
    public ulong RecursiveAttrClear { get; set; }
    /// <summary>"bind" or "rbind" was given.</summary>
    public bool Bind { get; set; }
    /// <summary>"rbind" was given (MS_BIND|MS_REC).</summary>
    public bool Recursive { get; set; }
    /// <summary>"tmpcopyup": copy the underlying directory content into a fresh tmpfs (runc extension).</summary>
    public bool TmpCopyUp { get; set; }
    /// <summary>"idmap" or "ridmap": idmapped mount (config.md "mounts" uidMappings/gidMappings).</summary>
    public bool IdMap { get; set; }
    /// <summary>"ridmap": apply the idmapping to the whole bind tree.</summary>
    public bool RecursiveIdMap { get; set; }
    /// <summary>Options not known as flags, joined with ',' and passed as mount(2) data (e.g. "mode=755,size=65536k").</summary>
    public string Data { get; set; } = "";
}
