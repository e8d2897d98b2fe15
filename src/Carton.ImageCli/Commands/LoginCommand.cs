using System.Text;
using Carton.Images.Registry;

namespace Carton.ImageCli;

/// <summary>
/// `carton image login [REGISTRY] [-u USER] [-p PASS | --password-stdin]`: checks the credentials against the registry
/// as `docker login` does, then saves them in docker's config.json (or its credential helper), so docker and Carton
/// share them. Without -u or a password, and on a terminal, it asks (the password without echo).
/// </summary>
public static class LoginCommand
{
    public static Command Build()
    {
        var registry = new Argument<string?>("registry") { Description = "host[:port] (default docker.io)", Arity = ArgumentArity.ZeroOrOne };
        var username = new Option<string?>("--username", "-u") { Description = "the user name" };
        var password = new Option<string?>("--password", "-p") { Description = "the password (visible to other users in ps: prefer --password-stdin)" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "read the password from standard input" };
        var insecure = new Option<bool>("--insecure") { Description = "allow plain HTTP and unverified TLS for this registry (localhost and 127.0.0.0/8 need not)" };
        var certDir = new Option<string?>("--cert-dir") { Description = $"where HOST[:PORT]/ca.crt files are (default {RegistryOptions.DefaultCertsDirectory})" };
        var cmd = new Command("login", "log in to a registry: credentials checked, then saved in docker's config.json")
        {
            registry, username, password, passwordStdin, insecure, certDir,
        };
        cmd.SetAction(parse => ImageCommand.Run(parse, async (_, ct) =>
        {
            var host = RegistryHost(parse.GetValue(registry));
            var user = parse.GetValue(username);
            var secret = parse.GetValue(password);
            if (parse.GetValue(passwordStdin))
            {
                if (secret is not null)
                    throw new CartonException(ErrorKind.InvalidDocument, "--password and --password-stdin are mutually exclusive", jsonPath: "--password-stdin");
                if (string.IsNullOrEmpty(user))
                    throw new CartonException(ErrorKind.InvalidDocument, "--password-stdin needs --username", jsonPath: "--username");
                secret = (await Console.In.ReadToEndAsync(ct)).TrimEnd('\n', '\r');
            }
            else if (secret is not null)
            {
                Console.Error.WriteLine("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
            }
            if (string.IsNullOrEmpty(user)) user = Prompt("Username: ", "--username");
            if (string.IsNullOrEmpty(user)) throw new CartonException(ErrorKind.InvalidDocument, "login: the user name is empty", jsonPath: "--username");
            secret ??= Prompt("Password: ", "--password-stdin", echo: false);
            if (string.IsNullOrEmpty(secret)) throw new CartonException(ErrorKind.InvalidDocument, "login: the password is empty", jsonPath: "--password");

            var credentials = new RegistryCredentials(user, secret);
            var options = new RegistryOptions { Credentials = credentials, Insecure = parse.GetValue(insecure) };
            if (parse.GetValue(certDir) is { } dir) options.CertsDirectory = dir;
            using (var client = new RegistryClient(host, options))
                await client.CheckLoginAsync(ct);
            var where = await DockerConfig.StoreAsync(host, credentials, cancellationToken: ct);
            Console.Out.WriteLine($"Login Succeeded (credentials for {user} saved in {where})");
            return 0;
        }));
        return cmd;
    }

    /// <summary>
    /// The registry as references name it: "https://host:5000/", "host:5000" and "host:5000/v2/" are host:5000; Docker
    /// Hub's names (index.docker.io, registry-1.docker.io, its v1 URL) and no argument are docker.io.
    /// </summary>
    public static string RegistryHost(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return ImageReference.DockerHub;
        var host = text.Trim();
        int scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0) host = host[(scheme + 3)..];
        int slash = host.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0) host = host[..slash];
        host = host.ToLowerInvariant();
        if (host is "index.docker.io" or ImageReference.DockerHubApiHost) return ImageReference.DockerHub;
        // The same grammar a reference's registry has: parse "HOST/x" and keep its registry.
        if (host.Length == 0 || !ImageReference.TryParse($"{host}/x", out var parsed) || parsed.Registry != host)
            throw new CartonException(ErrorKind.InvalidDocument, $"\"{text}\" is not a registry (host[:port])", jsonPath: "registry");
        return host;
    }

    /// <summary>Asks on the terminal; without one the value must come from the named flag.</summary>
    private static string Prompt(string question, string flag, bool echo = true)
    {
        if (Console.IsInputRedirected)
            throw new CartonException(ErrorKind.InvalidDocument, $"login: standard input is not a terminal, so nothing can be asked: give {flag}", jsonPath: flag);
        Console.Error.Write(question);
        if (echo) return Console.ReadLine()?.Trim() ?? "";
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0) text.Length--;
            }
            else if (key.KeyChar != '\0') text.Append(key.KeyChar);
        }
        Console.Error.WriteLine();
        return text.ToString();
    }
}
