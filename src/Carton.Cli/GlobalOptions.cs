using System.CommandLine;
using Carton.Runtime;

namespace Carton.Cli;

/// <summary>runc's global flags (runc(8)).</summary>
public static class GlobalOptions
{
    public static readonly Option<string> Root = new("--root")
    {
        Description = "root directory for storage of container state (this should be located in tmpfs)",
        DefaultValueFactory = _ => Carton.Runtime.Rootless.DefaultStateRoot(),
        Recursive = true,
    };
    public static readonly Option<string?> Log = new("--log") { Description = "set the log file to write carton logs to (default is stderr)", Recursive = true };
    public static readonly Option<string> LogFormat = new("--log-format")
    {
        Description = "set the log format ('text' (default), or 'json')", DefaultValueFactory = _ => "text", Recursive = true,
    };
    public static readonly Option<bool> Debug = new("--debug") { Description = "enable debug logging", Recursive = true };
    public static readonly Option<bool> SystemdCgroup = new("--systemd-cgroup")
    {
        Description = "accepted for runc compatibility; cgroupfs is used (the systemd form of cgroupsPath is mapped to cgroupfs paths)",
        Recursive = true,
    };
    public static readonly Option<string?> Rootless = new("--rootless") { Description = "accepted for runc compatibility (auto)", Recursive = true };
    public static readonly Option<string?> Criu = new("--criu") { Description = "accepted for runc compatibility; checkpoint/restore is not supported", Recursive = true };

    static GlobalOptions()
    {
        LogFormat.AcceptOnlyFromAmong("text", "json");
    }

    /// <summary>Runs a command body with the global flags applied and errors reported the runc way (exit 1).</summary>
    public static int Execute(ParseResult parse, Func<Lifecycle, int> body)
    {
        CliLog.Current = new CliLog(parse.GetValue(Log), parse.GetValue(LogFormat) ?? "text", parse.GetValue(Debug));
        try
        {
            var store = new StateStore(parse.GetValue(Root) ?? Carton.Runtime.Rootless.DefaultStateRoot());
            CliLog.Current.DebugLine($"carton {string.Join(' ', parse.Tokens.Select(t => t.Value))} (root {store.Root}, pid {Environment.ProcessId})");
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            int code = body(new Lifecycle(store) { Warning = CliLog.Current.Warn });
            CliLog.Current.DebugLine($"exit status {code} after {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds:F1} ms");
            return code;
        }
        catch (CartonException e)
        {
            CliLog.Current.Error(e.Message);
            return ErrorTable.Of(e.Kind).ExitCode;
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // .NET's own exceptions from file and argument handling: their message is the story; runc exits 1.
            CliLog.Current.Error(e.Message);
            return ErrorTable.Of(ErrorKind.Internal).ExitCode;
        }
    }
}
