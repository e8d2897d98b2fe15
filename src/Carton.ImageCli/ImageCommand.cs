namespace Carton.ImageCli;

/// <summary>What the image commands share: the store's root, and how an error becomes one line and an exit code.</summary>
public static class ImageCommand
{
    /// <summary>--image-root: where the content store, the image index and the snapshots live.</summary>
    public static readonly Option<string> ImageRoot = new("--image-root")
    {
        Description = "the image store's directory",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("CARTON_IMAGE_ROOT") is { Length: > 0 } r ? r : ImageStore.DefaultRoot,
        Recursive = true,
    };

    /// <summary>Runs a command body against the store; a typed error becomes "carton image CMD: message" on stderr and
    /// the exit code of its kind.</summary>
    public static int Run(ParseResult parse, Func<ImageStore, CancellationToken, Task<int>> body)
    {
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        try
        {
            var store = new ImageStore(Path.GetFullPath(parse.GetValue(ImageRoot)!));
            return body(store, cts.Token).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is CartonException or IOException or UnauthorizedAccessException or JsonException or HttpRequestException)
        {
            Console.Error.WriteLine($"carton image {parse.CommandResult.Command.Name}: {(e is CartonException ? e.Message : IoErrors.Describe(e))}");
            return ErrorTable.Of((e as CartonException)?.Kind ?? ErrorKind.Internal).ExitCode;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"carton image {parse.CommandResult.Command.Name}: interrupted");
            return 130;
        }
    }

    public static Argument<string> ReferenceArgument() => new("reference") { Description = "an image reference (busybox, registry.example:5000/app:1, name@sha256:...)" };

    /// <summary>"--format table|json" for the listing commands.</summary>
    public static Option<string> FormatOption() => new("--format", "-f")
    {
        Description = "table or json",
        DefaultValueFactory = _ => "table",
    };
}
