using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Carton.Client;
using Carton.Compute;
using Carton.Oci;

namespace Carton.Cli;
// Compiled into carton-system (src/Carton.SystemCli), which `carton system` execs.

/// <summary>
/// `carton system ...`: the compute service (`carton serve`) driven through Carton.Client, the HCS way: a system is
/// created from one document, then started, inspected, exec'd into, stopped and removed.
/// </summary>
public static class SystemCommand
{
    public static readonly Option<string> Socket = new("--socket")
    {
        Description = "the carton serve socket",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("CARTON_SOCKET") is { Length: > 0 } s ? s : ComputeClient.DefaultSocketPath,
        Recursive = true,
    };

    public static Command Build()
    {
        var cmd = new Command("system", "manage compute systems through the compute service (carton serve)") { Socket };
        foreach (var c in new[] { SystemCreateCommand.Build(), SystemStartCommand.Build(), SystemListCommand.Build(), SystemInspectCommand.Build(),
                     SystemStatsCommand.Build(), SystemExecCommand.Build(), SystemStopCommand.Build(), SystemRemoveCommand.Build() })
            cmd.Subcommands.Add(c);
        return cmd;
    }

    /// <summary>Runs a command body against the daemon; typed compute errors become one line on stderr and exit 1.</summary>
    public static int Run(ParseResult parse, Func<ComputeClient, Task<int>> body)
    {
        using var client = new ComputeClient(parse.GetValue(Socket) ?? ComputeClient.DefaultSocketPath);
        try
        {
            return body(client).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is ComputeException or IOException or UnauthorizedAccessException or JsonException or HttpRequestException)
        {
            Console.Error.WriteLine($"carton {parse.CommandResult.Command.Parents.OfType<Command>().FirstOrDefault()?.Name} {parse.CommandResult.Command.Name}: {e.Message}");
            return 1;
        }
    }

    public static Argument<string> IdArgument() => new("id") { Description = "the compute system's id" };

    /// <summary>JSON indented, through the compute API's source-generated context.</summary>
    public static readonly ComputeJsonContext Indented = new(new JsonSerializerOptions(ComputeJsonContext.Default.Options) { WriteIndented = true });
}

public static class SystemCreateCommand
{
    public static Command Build()
    {
        var id = SystemCommand.IdArgument();
        var oci = new Option<string?>("--oci") { Description = "an OCI bundle directory (config.json and its rootfs)" };
        var hcs = new Option<string?>("--hcs") { Description = "an HCS-shaped container document (JSON file)" };
        var cmd = new Command("create", "create a compute system from an OCI bundle or an HCS document (created, not started)") { id, oci, hcs };
        cmd.SetAction(parse => SystemCommand.Run(parse, async client =>
        {
            string? bundle = parse.GetValue(oci), hcsFile = parse.GetValue(hcs);
            if ((bundle is null) == (hcsFile is null)) throw new IOException("exactly one of --oci BUNDLE_DIR or --hcs DOCUMENT is required");
            var document = new ComputeSystemDocument();
            if (bundle is not null)
            {
                bundle = Path.GetFullPath(bundle);
                var config = Path.Combine(bundle, "config.json");
                var spec = JsonSerializer.Deserialize(File.ReadAllBytes(config), OciJsonContext.Default.Spec)
                           ?? throw new IOException($"{config}: empty document");
                document.Oci = new OciSystemDocument { Spec = spec, Bundle = bundle };
            }
            else
            {
                document.Hcs = JsonSerializer.Deserialize(File.ReadAllBytes(hcsFile!), ComputeJsonContext.Default.HcsSystemDocument)
                               ?? throw new IOException($"{hcsFile}: empty document");
            }
            await using var system = await client.CreateComputeSystemAsync(parse.GetValue(id)!, document);
            return 0;
        }));
        return cmd;
    }
}

public static class SystemStartCommand
{
    public static Command Build()
    {
        var id = SystemCommand.IdArgument();
        var cmd = new Command("start", "start a created compute system") { id };
        cmd.SetAction(parse => SystemCommand.Run(parse, async client =>
        {
            await using var system = await client.OpenComputeSystemAsync(parse.GetValue(id)!);
            await system.StartAsync();
            return 0;
        }));
        return cmd;
    }
}

public static class SystemListCommand
{
    public static Command Build()
    {
        var format = new Option<string>("--format", "-f") { Description = "select one of: table or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var quiet = new Option<bool>("--quiet", "-q") { Description = "display only ids" };
        var cmd = new Command("ls", "list the compute systems") { format, quiet };
        cmd.Aliases.Add("list");
        cmd.SetAction(parse => SystemCommand.Run(parse, async client =>
        {
            var list = new List<ComputeSystemSummary>();
            await foreach (var s in client.EnumerateComputeSystemsAsync()) list.Add(s);
            if (parse.GetValue(quiet))
            {
                foreach (var s in list) Console.Out.WriteLine(s.Id);
                return 0;
            }
            if (parse.GetValue(format) == "json")
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(list, ComputeJsonContext.Default.ListComputeSystemSummary));
                return 0;
            }
            var rows = new List<string[]> { new[] { "ID", "PID", "STATUS", "EXIT", "CREATED", "OWNER" } };
            foreach (var s in list)
                rows.Add([s.Id, s.Pid.ToString(CultureInfo.InvariantCulture), s.State, s.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "",
                    Rfc3339NanoConverter.Format(s.Created), s.Owner]);
            Console.Out.Write(TextTable.Tabulate(rows));
            return 0;
        }));
        return cmd;
    }
}

public static class SystemInspectCommand
{
    public static Command Build()
    {
        var id = SystemCommand.IdArgument();
        var cmd = new Command("inspect", "print a compute system's properties (state, processes, statistics) as JSON") { id };
        cmd.SetAction(parse => SystemCommand.Run(parse, async client =>
        {
            await using var system = await client.OpenComputeSystemAsync(parse.GetValue(id)!);
            var properties = await system.GetPropertiesAsync();
            Console.Out.WriteLine(JsonSerializer.Serialize(properties, SystemCommand.Indented.ComputeSystemProperties));
            return 0;
        }));
        return cmd;
    }
}

public static class SystemStatsCommand
{
    public static Command Build()
    {
        var id = SystemCommand.IdArgument();
        var cmd = new Command("stats", "print a running compute system's statistics (runc `events --stats` shape)") { id };
        cmd.SetAction(parse => SystemCommand.Run(parse, async client =>
        {
            await using var system = await client.OpenComputeSystemAsync(parse.GetValue(id)!);
            var properties = await system.GetPropertiesAsync();
            if (properties.Statistics is null)
                throw new IOException($"compute system \"{system.Id}\" is {properties.Summary.State}: no statistics");
            // The Linux part is runc's `events --stats` shape, which this command has always printed; a backend
            // without one (Windows) gets the portable figures.
            Console.Out.WriteLine(properties.Statistics.Linux is { } linux
                ? JsonSerializer.Serialize(linux, SystemCommand.Indented.CgroupStats)
                : JsonSerializer.Serialize(properties.Statistics, SystemCommand.Indented.ComputeStatistics));
            return 0;
        }));
        return cmd;
    }
}

public static class SystemExecCommand
{
    public static Command Build()
    {
        var id = SystemCommand.IdArgument();
        var command = new Argument<string[]>("command") { Description = "the command and its arguments (after --)", Arity = ArgumentArity.OneOrMore };
        var interactive = new Option<bool>("--interactive", "-i") { Description = "copy carton's stdin to the process (EOF closes it)" };
        var env = new Option<string[]>("--env", "-e") { Description = "set an environment variable (NAME=VALUE)", AllowMultipleArgumentsPerToken = false };
        var cwd = new Option<string?>("--cwd") { Description = "the working directory in the container" };
        var user = new Option<string?>("--user", "-u") { Description = "uid[:gid]" };
        var cmd = new Command("exec", "run a process in a running compute system; streams its output and exits with its exit code")
        {
            id, command, interactive, env, cwd, user,
        };
        cmd.SetAction(parse => SystemCommand.Run(parse, async client =>
        {
            await using var system = await client.OpenComputeSystemAsync(parse.GetValue(id)!);
            var parameters = new ProcessParameters
            {
                CommandArgs = [.. parse.GetValue(command)!],
                WorkingDirectory = parse.GetValue(cwd),
                User = parse.GetValue(user),
                CreateStdInPipe = parse.GetValue(interactive),
                CreateStdOutPipe = true,
                CreateStdErrPipe = true,
            };
            if (parse.GetValue(env) is { Length: > 0 } vars)
            {
                parameters.Environment = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var v in vars)
                {
                    int eq = v.IndexOf('=');
                    if (eq <= 0) throw new IOException($"--env {v}: expected NAME=VALUE");
                    parameters.Environment[v[..eq]] = v[(eq + 1)..];
                }
            }
            await using var process = await system.CreateProcessAsync(parameters);
            using var stdout = Console.OpenStandardOutput();
            using var stderr = Console.OpenStandardError();
            var copies = new List<Task> { Copy(process.StandardOutput!, stdout), Copy(process.StandardError!, stderr) };
            if (process.StandardInput is { } stdin)
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await using var input = Console.OpenStandardInput();
                        await input.CopyToAsync(stdin);
                    }
                    catch (IOException)
                    {
                        // the process stopped reading
                    }
                    finally
                    {
                        await stdin.DisposeAsync();
                    }
                });
            await Task.WhenAll(copies);
            return await process.WaitForExitAsync();
        }));
        return cmd;
    }

    private static async Task Copy(Stream from, Stream to)
    {
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = await from.ReadAsync(buffer)) > 0)
        {
            await to.WriteAsync(buffer.AsMemory(0, n));
            await to.FlushAsync();
        }
    }
}

public static class SystemStopCommand
{
    public static Command Build()
    {
        var id = SystemCommand.IdArgument();
        var timeout = new Option<int>("--timeout", "-t") { Description = "seconds between SIGTERM and SIGKILL", DefaultValueFactory = _ => 10 };
        var cmd = new Command("stop", "stop a compute system: SIGTERM to its init, SIGKILL to every process after the timeout") { id, timeout };
        cmd.SetAction(parse => SystemCommand.Run(parse, async client =>
        {
            await using var system = await client.OpenComputeSystemAsync(parse.GetValue(id)!);
            await system.ShutdownAsync(TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(timeout))));
            return 0;
        }));
        return cmd;
    }
}

public static class SystemRemoveCommand
{
    public static Command Build()
    {
        var id = SystemCommand.IdArgument();
        var cmd = new Command("rm", "delete a compute system (killing it if it still runs)") { id };
        cmd.SetAction(parse => SystemCommand.Run(parse, async client =>
        {
            await using var system = await client.OpenComputeSystemAsync(parse.GetValue(id)!);
            await system.DeleteAsync();
            return 0;
        }));
        return cmd;
    }
}
