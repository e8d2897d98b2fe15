using Carton.Images.Linux.Unpack;

namespace Carton.Images.Linux.Snapshots;

/// <summary>What <see cref="Snapshotter.Ensure"/> found and did.</summary>
/// <param name="TopChainId">The chain ID of the whole stack: the parent of a container's snapshot.</param>
/// <param name="ChainIds">Every layer's chain ID, bottom first.</param>
/// <param name="Unpacked">The chain IDs this call unpacked (the others were in the store already, or were unpacked
/// by a concurrent caller while this one waited for the layer's lock).</param>
/// <param name="Results">The unpack results of those layers, in the same order.</param>
public sealed record EnsureResult(string TopChainId, IReadOnlyList<string> ChainIds, IReadOnlyList<string> Unpacked, IReadOnlyList<LayerUnpackResult> Results);
