using Carton.Images.Registry;

namespace Carton.ImageCli;

/// <summary>`carton image logout [REGISTRY]`: removes the registry's credentials from docker's config.json and from
/// its credential helper, as `docker logout` does ("Not logged in" is not an error).</summary>
public static class LogoutCommand
{
    public static Command Build()
    {
        var registry = new Argument<string?>("registry") { Description = "host[:port] (default docker.io)", Arity = ArgumentArity.ZeroOrOne };
        var cmd = new Command("logout", "remove a registry's credentials from docker's config.json") { registry };
        cmd.SetAction(parse => ImageCommand.Run(parse, async (_, ct) =>
        {
            var host = LoginCommand.RegistryHost(parse.GetValue(registry));
            var address = DockerConfig.ServerAddress(host);
            if (await DockerConfig.EraseAsync(host, cancellationToken: ct)) Console.Out.WriteLine($"Removing login credentials for {address}");
            else Console.Out.WriteLine($"Not logged in to {address}");
            return 0;
        }));
        return cmd;
    }
}
