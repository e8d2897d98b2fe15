using Carton.Images.Registry;

namespace Carton.ImageCli;

/// <summary>`carton image pull REF`: the image for this host's platform (or --platform) into the store.</summary>
public static class PullCommand
{
    public static Command Build()
    {
        var reference = ImageCommand.ReferenceArgument();
        var platform = new Option<string?>("--platform") { Description = "os/architecture[/variant] (default: this host's)" };
        var creds = new Option<string?>("--creds") { Description = "USER:PASSWORD for the registry (default: $DOCKER_CONFIG/config.json or ~/.docker/config.json)" };
        var insecure = new Option<bool>("--insecure") { Description = "allow plain HTTP and unverified TLS for this registry (localhost and 127.0.0.0/8 need not)" };
        var certDir = new Option<string?>("--cert-dir") { Description = $"where HOST[:PORT]/ca.crt files are (default {RegistryOptions.DefaultCertsDirectory})" };
        var concurrency = new Option<int>("--max-concurrent-downloads") { Description = "layers downloaded at once", DefaultValueFactory = _ => 3 };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "print only the image's digest" };
        var cmd = new Command("pull", "pull an image from a registry into the store") { reference, platform, creds, insecure, certDir, concurrency, quiet };
        cmd.SetAction(parse => ImageCommand.Run(parse, async (store, ct) =>
        {
            var options = new RegistryOptions
            {
                Insecure = parse.GetValue(insecure),
                MaxConcurrentDownloads = Math.Max(1, parse.GetValue(concurrency)),
                Platform = parse.GetValue(platform) is { } p ? ParsePlatform(p) : null,
            };
            if (parse.GetValue(creds) is { } c) options.Credentials = RegistryCredentials.Parse(c);
            if (parse.GetValue(certDir) is { } dir) options.CertsDirectory = dir;
            TransferProgressView? view = parse.GetValue(quiet) ? null : new TransferProgressView(Console.Error, !Console.IsErrorRedirected);
            var image = await store.PullAsync(parse.GetValue(reference)!, options, view, ct);
            view?.Finish();
            if (parse.GetValue(quiet)) Console.Out.WriteLine(image.ManifestDigest.ToString());
            else Console.Out.WriteLine($"{image.Name}: {image.ManifestDigest}");
            return 0;
        }));
        return cmd;
    }

    /// <summary>"os/arch[/variant]"; an error names the flag and the value.</summary>
    public static Platform ParsePlatform(string text)
    {
        var parts = text.Split('/');
        if (parts.Length is < 2 or > 3 || parts.Any(p => p.Length == 0))
            throw new CartonException(ErrorKind.InvalidDocument, $"--platform: \"{text}\" is not os/architecture[/variant]", jsonPath: "--platform");
        return new Platform { Os = parts[0], Architecture = parts[1], Variant = parts.Length == 3 ? parts[2] : null };
    }
}
