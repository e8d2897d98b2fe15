namespace Carton.SystemCli;

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
