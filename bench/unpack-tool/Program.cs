// bench/unpack.sh's driver: one operation of Carton's layer unpack per process, timed from outside by hyperfine.
//
//   unpack-tool snapshot BLOB DIFFID STORE     Snapshotter(STORE).Ensure of the one layer: as an image's first `run`
//                                              unpacks it (LayerStream.Open, LayerUnpacker into STORE/.tmp, syncfs,
//                                              rename to the chain ID, fsync of STORE)
//   unpack-tool unpack BLOB DIR [--no-sync] [--readahead]
//                                              LayerStream.Open + LayerUnpacker.Unpack into DIR (a new directory); one
//                                              syncfs at the end unless --no-sync. --readahead (an experiment): the
//                                              decompression on a thread of its own (ReadAheadStream)
//   unpack-tool unpack-tar TAR DIR [--no-sync] LayerUnpacker.Unpack of the uncompressed tar: the unpack without gzip
//   unpack-tool gunzip BLOB                    LayerStream.Open read to the end and discarded: decompression alone
//   unpack-tool sha256 TAR                     SHA-256 of the file (IncrementalHash, as the DiffID check hashes)
//   unpack-tool read-tar TAR                   TarReader over the tar, each entry's data read and discarded: parsing
//                                              alone, nothing written
//   unpack-tool start                          nothing: the process start, to subtract from the others
//
// BLOB is read as the content store reads a blob (FileStream, 64 KiB buffer) and decompressed as an OCI gzip layer.
// Prints one line (what it did) on stdout; exit 0 on success, 1 with the error on stderr.
using System.Buffers;
using System.Formats.Tar;
using System.Security.Cryptography;
using Carton.Images.Formats;
using Carton.Images.Linux;
using Carton.Images.Linux.Snapshots;
using Carton.Images.Linux.Unpack;

const string GzipLayer = "application/vnd.oci.image.layer.v1.tar+gzip";

static FileStream Blob(string path) =>
    new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);

static int Usage()
{
    Console.Error.WriteLine("usage: unpack-tool snapshot BLOB DIFFID STORE | unpack BLOB DIR [--no-sync] [--readahead] | unpack-tar TAR DIR [--no-sync] | gunzip BLOB | sha256 TAR | read-tar TAR | start");
    return 2;
}

try
{
    if (args is ["start"]) return 0;
    if (args.Length < 2) return Usage();
    bool sync = !args.Contains("--no-sync"), readAhead = args.Contains("--readahead");
    var buffer = new byte[1 << 20];
    switch (args[0])
    {
        case "snapshot" when args.Length == 4:
        {
            var snapshotter = new Snapshotter(args[3]);
            var result = snapshotter.Ensure([new LayerSource(args[2], () => LayerStream.Open(Blob(args[1]), GzipLayer))]);
            var r = result.Results.Single();
            Console.WriteLine($"snapshot {result.TopChainId}: {r.Entries} entries, {r.Bytes} bytes");
            return 0;
        }
        case "unpack" or "unpack-tar" when args.Length >= 3:
        {
            Stream stream = args[0] == "unpack" ? LayerStream.Open(Blob(args[1]), GzipLayer) : Blob(args[1]);
            if (readAhead) stream = new UnpackTool.ReadAheadStream(stream);
            using var owned = stream;
            var r = LayerUnpacker.Unpack(stream, args[2], new UnpackOptions { Sync = sync });
            Console.WriteLine($"{args[0]} {r.DiffId}: {r.Entries} entries, {r.Bytes} bytes{(sync ? "" : ", no syncfs")}{(readAhead ? ", read-ahead" : "")}");
            return 0;
        }
        case "gunzip":
        {
            using var stream = LayerStream.Open(Blob(args[1]), GzipLayer);
            long total = 0;
            for (int n; (n = stream.Read(buffer)) > 0;) total += n;
            Console.WriteLine($"gunzip: {total} bytes");
            return 0;
        }
        case "sha256":
        {
            using var stream = Blob(args[1]);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            for (int n; (n = stream.Read(buffer)) > 0;) hash.AppendData(buffer, 0, n);
            Console.WriteLine($"sha256:{Convert.ToHexStringLower(hash.GetHashAndReset())}");
            return 0;
        }
        case "read-tar":
        {
            using var stream = Blob(args[1]);
            using var reader = new TarReader(stream);
            long entries = 0, bytes = 0;
            while (reader.GetNextEntry(copyData: false) is { } e)
            {
                entries++;
                if (e.DataStream is { } data)
                    for (int n; (n = data.Read(buffer)) > 0;) bytes += n;
            }
            Console.WriteLine($"read-tar: {entries} entries, {bytes} bytes");
            return 0;
        }
        default:
            return Usage();
    }
}
catch (Exception ex)
{
    Console.Error.WriteLine($"unpack-tool: {ex.Message}");
    return 1;
}
