namespace Carton.Images.Linux.Archive;

/// <summary>How <see cref="RootfsArchive.ExtractTarAsync"/> writes a tar into a container (the query of Docker's
/// <c>PUT /containers/{id}/archive</c>).</summary>
public sealed record ExtractOptions
{
    /// <summary>Docker's <c>noOverwriteDirNonDir</c>: an entry that would replace an existing directory by a
    /// non-directory, or an existing non-directory by a directory, fails the copy naming it (without it the existing
    /// entry is removed first, a directory with everything below it).</summary>
    public bool NoOverwriteDirNonDir { get; init; }

    /// <summary>
    /// Docker's <c>copyUIDGID</c> resolved by the caller: when set, every entry is owned by these ids (the
    /// container's configured user and its primary group, looked up in the container; Docker's ChownOpts). Null keeps
    /// the uid and gid the archive gives each entry, which is what Docker does both without <c>copyUIDGID</c> and
    /// with it for a container that has no configured user (daemon/archive_tarcopyoptions_unix.go: the daemon keeps
    /// the archive's ids; what the docker CLI puts in the tar it sends is the client's business).
    /// </summary>
    public (uint Uid, uint Gid)? ChownTo { get; init; }
}
