using Carton.Images.Formats;
using Carton.Images.Model;
using Carton.Images.Tests.Infrastructure;

namespace Carton.Images.Tests;

public sealed class LayerStreamTests
{
    private static readonly byte[] Tar = TestImages.Tar(("etc/", null, null), ("etc/hello", "hello"u8.ToArray(), null));

    /// <summary>A stream that cannot seek, as a pipe or an HTTP body.</summary>
    private sealed class Pipe(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
        public override long Position { get => base.Position; set => throw new NotSupportedException(); }
    }

    private static byte[] ReadAll(Stream s)
    {
        using (s)
        {
            using var m = new MemoryStream();
            s.CopyTo(m);
            return m.ToArray();
        }
    }

    public static TheoryData<string, string?, bool> Cases => new()
    {
        { "gzip", MediaTypes.OciLayerGzip, false },
        { "gzip", MediaTypes.DockerLayerGzip, true },
        { "zstd", MediaTypes.OciLayerZstd, false },
        { "none", MediaTypes.OciLayer, true },
        { "none", LayerStream.DockerLayerTar, false },
        // No media type, or one that does not say: the magic bytes decide.
        { "gzip", null, false },
        { "gzip", "application/x-tar", true },
        { "zstd", null, true },
        { "zstd", "", false },
        { "none", null, true },
        { "none", "application/octet-stream", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Open_GivesTheTar(string compression, string? mediaType, bool pipe)
    {
        var blob = compression switch { "gzip" => TestImages.Gzip(Tar), "zstd" => TestImages.Zstd(Tar), _ => Tar };
        Stream input = pipe ? new Pipe(blob) : new MemoryStream(blob);
        Assert.Equal(Tar, ReadAll(LayerStream.Open(input, mediaType)));
    }

    [Fact]
    public void Detect_ByMagic()
    {
        Assert.Equal(LayerCompression.Gzip, LayerStream.Detect([0x1f, 0x8b, 8, 0]));
        Assert.Equal(LayerCompression.Zstd, LayerStream.Detect([0x28, 0xb5, 0x2f, 0xfd]));
        Assert.Equal(LayerCompression.None, LayerStream.Detect([0x28, 0xb5, 0x2f]));
        Assert.Equal(LayerCompression.None, LayerStream.Detect("bin/"u8));
        Assert.Equal(LayerCompression.None, LayerStream.Detect([]));
    }

    [Fact]
    public void AMediaTypeThatSaysGzip_IsTrusted_SoAPlainTarFailsWhenRead()
    {
        Assert.Throws<InvalidDataException>(() => ReadAll(LayerStream.Open(new MemoryStream(Tar), MediaTypes.OciLayerGzip)));
    }

    [Fact]
    public void AnEmptyBlob_IsAnEmptyTar()
    {
        Assert.Empty(ReadAll(LayerStream.Open(new Pipe([]), null)));
    }
}
