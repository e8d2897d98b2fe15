namespace Carton.Images.Linux.Snapshots;

/// <summary>An unpacked layer in the store, shared by every image whose layer stack has the same chain ID.</summary>
/// <param name="ChainId">Its chain ID (image-spec config.md#layer-chainid): the layer over all the layers below it.</param>
/// <param name="DiffId">The layer's own DiffID.</param>
/// <param name="ParentChainId">The chain ID of the stack below, null for a base layer.</param>
/// <param name="Path">The unpacked layer (an overlayfs lower directory).</param>
public sealed record CommittedLayer(string ChainId, string DiffId, string? ParentChainId, string Path);
