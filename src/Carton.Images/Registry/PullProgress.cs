namespace Carton.Images.Registry;

/// <summary>Where one blob of a pull is (the CLI draws a progress bar per layer from these).</summary>
public enum PullState
{
    /// <summary>Queued behind <see cref="RegistryOptions.MaxConcurrentDownloads"/> other downloads.</summary>
    Waiting,
    /// <summary>Bytes are arriving; <see cref="PullProgress.BytesDone"/> grows.</summary>
    Downloading,
    /// <summary>All bytes are on disk; the digest and size are being checked before the blob becomes visible.</summary>
    Verifying,
    /// <summary>Downloaded, verified and in the content store.</summary>
    Done,
    /// <summary>The content store already had it: nothing was downloaded.</summary>
    Exists,
}

/// <summary>One report about one blob of a pull.</summary>
/// <param name="Digest">the blob (a layer or the config).</param>
/// <param name="BytesDone">bytes on disk so far (a resumed download starts above zero).</param>
/// <param name="Total">the blob's size from its descriptor.</param>
/// <param name="State">where the blob is.</param>
/// <param name="MediaType">the blob's media type, so a front end can tell layers from the config.</param>
public sealed record PullProgress(Digest Digest, long BytesDone, long Total, PullState State, string MediaType);
