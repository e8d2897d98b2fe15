namespace Carton.Images.Spec;

/// <summary>What the caller adds to or overrides in the image's config when it builds a runtime spec.</summary>
public sealed class ImageSpecOptions
{
    /// <summary>Replaces the image's Cmd (the Entrypoint stays), as `docker run IMAGE CMD...` does.</summary>
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>Replaces the image's Entrypoint (and then its Cmd is dropped unless <see cref="Command"/> is given),
    /// as `docker run --entrypoint` does.</summary>
    public IReadOnlyList<string>? Entrypoint { get; init; }

    /// <summary>KEY=VALUE entries that override the image's Env by key.</summary>
    public IReadOnlyList<string>? Env { get; init; }

    /// <summary>Replaces config.User ("user[:group]").</summary>
    public string? User { get; init; }

    /// <summary>Replaces config.WorkingDir.</summary>
    public string? WorkingDir { get; init; }

    public bool Terminal { get; init; }

    public string? Hostname { get; init; }

    /// <summary>A rootless spec (a user namespace mapping root to <see cref="HostUid"/>/<see cref="HostGid"/>).</summary>
    public bool Rootless { get; init; }

    public uint? HostUid { get; init; }

    public uint? HostGid { get; init; }

    /// <summary>Reads a file of the image's root filesystem ("/etc/passwd"), or returns null when it is absent. The
    /// caller reads it inside the root (no symlink may lead out of it): this project does no file system access.</summary>
    public Func<string, string?>? ReadRootfsFile { get; init; }

    /// <summary>An image that names no command gives empty process.args and a warning instead of an error (a bundle
    /// for someone to edit, as `umoci unpack` writes one); a spec to run needs a command.</summary>
    public bool AllowNoCommand { get; init; }

    /// <summary>The rootfs path written to root.path (relative to the bundle).</summary>
    public string RootfsPath { get; init; } = "rootfs";
}
