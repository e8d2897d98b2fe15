namespace Carton.SystemCli;

/// <summary>
/// `carton network ...` (issue 12 §7): the daemon's networks through <see cref="NetworkClient"/>, docker's way:
/// create, ls, inspect, rm. carton-system serves it when its first argument is `network` (`carton network ARGS`
/// execs `carton-system network ARGS`); the socket option is `carton system`'s.
/// </summary>
public static class NetworkCommand
{
    public const string Description = "manage networks through the compute service (carton serve)";

    /// <summary>The `carton network` commands.</summary>
    public static Command[] Commands() =>
        [NetworkCreateCommand.Build(), NetworkListCommand.Build(), NetworkInspectCommand.Build(), NetworkRemoveCommand.Build()];

    /// <summary>Runs a command body against the daemon's network service; an error becomes one line on stderr and
    /// the kind's exit code (1).</summary>
    public static int Run(ParseResult parse, Func<NetworkClient, Task<int>> body)
    {
        using var client = new NetworkClient(parse.GetValue(SystemCommand.Socket) ?? DaemonAddress.Default);
        try
        {
            return body(client).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is CartonException or IOException or UnauthorizedAccessException or JsonException or HttpRequestException)
        {
            Report(parse, e);
            return ExitCode(e);
        }
    }

    /// <summary>`carton network COMMAND: MESSAGE` on stderr.</summary>
    public static void Report(ParseResult parse, Exception e) =>
        Console.Error.WriteLine($"carton network {parse.CommandResult.Command.Name}: {e.Message}");

    /// <summary>The exit code of an error: its kind's.</summary>
    public static int ExitCode(Exception e) => ErrorTable.Of((e as CartonException)?.Kind ?? ErrorKind.Internal).ExitCode;

    /// <summary>A network id as `ls` shows it: its first 12 characters.</summary>
    public static string ShortId(string id) => id.Length > 12 ? id[..12] : id;
}
