namespace Carton.Images.Registry;

/// <summary>Where one blob of a push is (the CLI draws a progress bar per blob from these, as for a pull).</summary>
public enum PushState
{
    /// <summary>Queued behind <see cref="RegistryOptions.MaxConcurrentUploads"/> other uploads.</summary>
    Waiting,
    /// <summary>Bytes are being sent; <see cref="PushProgress.BytesDone"/> grows (a resumed upload starts above zero).</summary>
    Uploading,
    /// <summary>Uploaded, and the registry accepted its digest.</summary>
    Done,
    /// <summary>The registry mounted it from another repository of its own: nothing was sent.</summary>
    Mounted,
    /// <summary>The registry already had it in the repository (HEAD): nothing was sent.</summary>
    Exists,
}

/// <summary>One report about one blob of a push.</summary>
/// <param name="Digest">the blob (a layer or the config).</param>
/// <param name="BytesDone">bytes the registry has so far.</param>
/// <param name="Total">the blob's size.</param>
/// <param name="State">where the blob is.</param>
/// <param name="MediaType">the blob's media type, so a front end can tell layers from the config.</param>
/// <param name="From">for <see cref="PushState.Mounted"/>, the repository it was mounted from.</param>
public sealed record PushProgress(Digest Digest, long BytesDone, long Total, PushState State, string MediaType, string? From = null);
