namespace Carton.Images.Linux;

/// <summary>
/// A layer to unpack: its DiffID (config.rootfs.diff_ids, the sha256 of the uncompressed tar) and a function that
/// opens the uncompressed tar stream (the content store's blob through its decompressor). The stream is opened only
/// when the layer has to be unpacked, and disposed after.
/// </summary>
public sealed record LayerSource(string DiffId, Func<Stream> Open);
