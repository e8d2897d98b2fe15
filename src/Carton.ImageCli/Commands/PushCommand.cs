using Carton.Images.Registry;

namespace Carton.ImageCli;

/// <summary>`carton image push REF`: the image REF names in the store, to the registry and repository REF names.</summary>
public static class PushCommand
{
    public static Command Build()
    {
        var reference = ImageCommand.ReferenceArgument();
        var creds = new Option<string?>("--creds") { Description = "USER:PASSWORD for the registry (default: $DOCKER_CONFIG/config.json or ~/.docker/config.json)" };
        var insecure = new Option<bool>("--insecure") { Description = "allow plain HTTP and unverified TLS for this registry (localhost and 127.0.0.0/8 need not)" };
        var certDir = new Option<string?>("--cert-dir") { Description = $"where HOST[:PORT]/ca.crt files are (default {RegistryOptions.DefaultCertsDirectory})" };
        var concurrency = new Option<int>("--max-concurrent-uploads") { Description = "blobs uploaded at once", DefaultValueFactory = _ => 5 };
        var chunkSize = new Option<string?>("--chunk-size")
        {
            Description = $"blobs above this size are uploaded in chunks of it (bytes, or with K, M, G; default {RegistryOptions.DefaultChunkSize >> 20}M)",
        };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "print only the pushed manifest's or index's digest" };
        var cmd = new Command("push", "push an image of the store to a registry") { reference, creds, insecure, certDir, concurrency, chunkSize, quiet };
        cmd.SetAction(parse => ImageCommand.Run(parse, async (store, ct) =>
        {
            var options = new RegistryOptions
            {
                Insecure = parse.GetValue(insecure),
                MaxConcurrentUploads = Math.Max(1, parse.GetValue(concurrency)),
            };
            if (parse.GetValue(chunkSize) is { } size) options.ChunkSize = ParseSize(size, "--chunk-size");
            if (parse.GetValue(creds) is { } c) options.Credentials = RegistryCredentials.Parse(c);
            if (parse.GetValue(certDir) is { } dir) options.CertsDirectory = dir;
            TransferProgressView? view = parse.GetValue(quiet) ? null : new TransferProgressView(Console.Error, !Console.IsErrorRedirected);
            var pushed = await store.PushAsync(parse.GetValue(reference)!, options, view, ct);
            view?.Finish();
            if (parse.GetValue(quiet)) Console.Out.WriteLine(pushed.Digest.ToString());
            else Console.Out.WriteLine($"{pushed.Name}: {pushed.Digest}");
            return 0;
        }));
        return cmd;
    }

    /// <summary>"8388608", "512K", "8M", "1G" (powers of 1024); an error names the flag and the value.</summary>
    public static long ParseSize(string text, string flag)
    {
        var t = text.Trim();
        long unit = 1;
        var suffix = t.Length > 0 ? char.ToUpperInvariant(t[^1]) : ' ';
        if (suffix is 'K' or 'M' or 'G')
        {
            unit = suffix switch { 'K' => 1L << 10, 'M' => 1L << 20, _ => 1L << 30 };
            t = t[..^1];
        }
        if (!long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0 || n > (1L << 40) / unit)
            throw new CartonException(ErrorKind.InvalidDocument, $"{flag}: \"{text}\" is not a positive size (bytes, or a number with K, M or G)", jsonPath: flag);
        return n * unit;
    }
}
