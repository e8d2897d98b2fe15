namespace Carton.ImageCli;

/// <summary>`carton-image ARGS` (normally reached as `carton image ARGS`): images in the local store.</summary>
public static class ImageProgram
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("carton image: pull, push, list, inspect, tag, remove, import, export and unpack images; prune and check the store; log in and out of registries") { ImageCommand.ImageRoot };
        foreach (var c in new[]
                 {
                     PullCommand.Build(), PushCommand.Build(), ListCommand.Build(), InspectCommand.Build(), RemoveCommand.Build(),
                     ImportCommand.Build(), UnpackCommand.Build(), TagCommand.Build(), ExportCommand.Build(),
                     LoginCommand.Build(), LogoutCommand.Build(), PruneCommand.Build(), CheckCommand.Build(),
                 })
            root.Subcommands.Add(c);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) Console.Error.WriteLine(e.Message);
            return 1;
        }
        return parse.Invoke();
    }
}
