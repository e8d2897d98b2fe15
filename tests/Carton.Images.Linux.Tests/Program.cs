using Carton.Images.Linux.Snapshots;
using Carton.Images.Linux.Unpack;

namespace Carton.Images.Linux.Tests;

/// <summary>
/// The test assembly as a helper process (tests start it with `dotnet Carton.Images.Linux.Tests.dll MODE ...`):
/// <list type="bullet">
/// <item><c>ensure ROOT DELAY_MS TAR...</c>: Snapshotter.Ensure over the given uncompressed layer tars, each stream
/// slowed by DELAY_MS at its first read so that two processes overlap; prints "opened N" and the unpacked chain IDs.</item>
/// <item><c>unpack TAR TARGET rootless</c>: LayerUnpacker.Unpack in overlay form (rootless when asked); prints the
/// warnings, or the error on stderr with exit code 2.</item>
/// <item><c>rootless ROOT MERGED TAR...</c>: in a user namespace, a rootless store: ensure the layers, prepare a
/// snapshot, mount it with userxattr on MERGED, list it, write a file, unmount.</item>
/// </list>
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 0) return 0;
        try
        {
            switch (args[0])
            {
                case "ensure":
                {
                    int delay = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
                    int opened = 0;
                    var layers = new List<LayerSource>();
                    foreach (var path in args[3..])
                    {
                        var bytes = File.ReadAllBytes(path);
                        layers.Add(new LayerSource(Support.TarBuilder.DiffId(bytes), () =>
                        {
                            Interlocked.Increment(ref opened);
                            return new SlowStream(new MemoryStream(bytes), delay);
                        }));
                    }
                    var result = new Snapshotter(args[1]).Ensure(layers);
                    Console.WriteLine($"opened {opened}");
                    foreach (var id in result.Unpacked) Console.WriteLine($"unpacked {id}");
                    return 0;
                }
                case "unpack":
                {
                    using var stream = File.OpenRead(args[1]);
                    var result = LayerUnpacker.Unpack(stream, args[2], new UnpackOptions { Rootless = args.Length > 3 && args[3] == "rootless" });
                    foreach (var w in result.Warnings) Console.WriteLine("warning: " + w);
                    Console.WriteLine("diffid " + result.DiffId);
                    return 0;
                }
                case "rootless":
                {
                    // Run inside a user namespace (and its mount namespace) as its root: the whole rootless path.
                    var store = new Snapshotter(args[1], rootless: true);
                    var layers = new List<LayerSource>();
                    foreach (var path in args[3..])
                    {
                        var bytes = File.ReadAllBytes(path);
                        layers.Add(new LayerSource(Support.TarBuilder.DiffId(bytes), () => new MemoryStream(bytes)));
                    }
                    var ensure = store.Ensure(layers);
                    foreach (var r in ensure.Results)
                        foreach (var w in r.Warnings) Console.WriteLine("warning: " + w);
                    var snapshot = store.Prepare("c1", ensure.TopChainId);
                    Console.WriteLine("mounted " + store.Mount(snapshot, args[2]));
                    try
                    {
                        var names = new List<string>();
                        foreach (var p in Directory.EnumerateFileSystemEntries(args[2], "*", SearchOption.AllDirectories))
                            names.Add(Path.GetRelativePath(args[2], p));
                        names.Sort(StringComparer.Ordinal);
                        foreach (var n in names) Console.WriteLine("entry " + n);
                        File.WriteAllText(Path.Combine(args[2], "written"), "by the container");
                    }
                    finally { Snapshotter.Unmount(args[2]); }
                    Console.WriteLine("ok");
                    return 0;
                }
                default:
                    Console.Error.WriteLine($"unknown mode {args[0]}");
                    return 64;
            }
        }
        catch (CartonException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
    }

    /// <summary>A stream that sleeps once, before its first read.</summary>
    private sealed class SlowStream(Stream inner, int delayMs) : Stream
    {
        private bool _slept;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (!_slept) { _slept = true; Thread.Sleep(delayMs); }
            return inner.Read(buffer, offset, count);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing) { if (disposing) inner.Dispose(); base.Dispose(disposing); }
    }
}
