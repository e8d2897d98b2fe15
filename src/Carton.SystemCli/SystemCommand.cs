namespace Carton.SystemCli;

/// <summary>
/// `carton system ...`: the compute service (`carton serve`) driven through Carton.Client, the HCS way: a system is
/// created from one document, then started, inspected, exec'd into, stopped and removed.
/// </summary>
public static class SystemCommand
{
    public static readonly Option<string> Socket = new("--socket")
    {
        Description = "the carton serve socket (a Unix socket's path; on Windows a pipe, \\\\.\\pipe\\carton by default)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("CARTON_SOCKET") is { Length: > 0 } s ? s : DaemonAddress.Default,
        Recursive = true,
    };

    public const string Description = "manage compute systems through the compute service (carton serve)";

    /// <summary>The `carton system` commands.</summary>
    public static Command[] Commands() =>
    [
        SystemCreateCommand.Build(), SystemStartCommand.Build(), SystemListCommand.Build(), SystemInspectCommand.Build(),
        SystemStatsCommand.Build(), SystemExecCommand.Build(), SystemStopCommand.Build(), SystemRemoveCommand.Build(),
    ];

    /// <summary>Runs a command body against the daemon; typed compute errors become one line on stderr and exit 1.</summary>
    public static int Run(ParseResult parse, Func<ComputeClient, Task<int>> body)
    {
        using var client = new ComputeClient(parse.GetValue(Socket) ?? DaemonAddress.Default);
        try
        {
            return body(client).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is CartonException or IOException or UnauthorizedAccessException or JsonException or HttpRequestException)
        {
            Console.Error.WriteLine($"carton system {parse.CommandResult.Command.Name}: {e.Message}");
            return ErrorTable.Of((e as CartonException)?.Kind ?? ErrorKind.Internal).ExitCode;
        }
    }

    public static Argument<string> IdArgument() => new("id") { Description = "the compute system's id" };

    /// <summary>JSON indented, through the compute API's source-generated context.</summary>
    public static readonly ComputeJsonContext Indented = new(new JsonSerializerOptions(ComputeJsonContext.Default.Options) { WriteIndented = true });
}
