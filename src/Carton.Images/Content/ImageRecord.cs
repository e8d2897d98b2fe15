using Carton.Images.Model;

namespace Carton.Images.Content;

/// <summary>A named image: its canonical reference and the descriptor of its index or manifest in the content store.</summary>
/// <param name="Name">the canonical reference (docker.io/library/busybox:latest, or name@sha256:… for a pull by digest).</param>
/// <param name="Target">the top-level descriptor: an image index / manifest list, or a manifest.</param>
public sealed record ImageRecord(string Name, Descriptor Target)
{
    /// <summary>The manifest's or index's digest.</summary>
    public Digest Digest => Images.Digest.Parse(Target.Digest, "digest");
}
