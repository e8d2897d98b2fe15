using System.Buffers.Binary;

namespace Carton.Docker;

/// <summary>
/// Docker's stream framing for a container without a tty (stdcopy): each chunk is preceded by an 8-byte header,
/// [stream, 0, 0, 0, length as a big-endian u32], stream 1 for stdout and 2 for stderr; with a tty the bytes go
/// as they are (one stream). Content types as dockerd sends them from API 1.42.
/// </summary>
internal static class StdStream
{
    public const string MultiplexedContentType = "application/vnd.docker.multiplexed-stream";
    public const string RawContentType = "application/vnd.docker.raw-stream";

    public static async Task WriteAsync(Stream output, bool multiplexed, bool stderr, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        if (data.Length == 0) return;
        if (multiplexed)
        {
            var header = new byte[8];
            header[0] = stderr ? (byte)2 : (byte)1;
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)data.Length);
            await output.WriteAsync(header, ct);
        }
        await output.WriteAsync(data, ct);
    }
}
