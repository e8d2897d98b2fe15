using Carton.Oci;
using Carton.Windows.Hcs.Schema;
// Carton.Compute has a ProcessParameters of its own (the contract's), which an enclosing namespace would resolve first
using HcsProcessParameters = Carton.Windows.Hcs.Schema.ProcessParameters;

namespace Carton.Compute.Windows.Translation;

/// <summary>An OCI process to the ProcessParameters HcsCreateProcess takes (hcsshim internal/cmd Cmd.Start).</summary>
internal static class ProcessTranslation
{
    public static HcsProcessParameters ToProcessParameters(Process process, ProcessStdio stdio)
    {
        ArgumentNullException.ThrowIfNull(process);
        bool console = process.Terminal == true;
        return new HcsProcessParameters
        {
            CommandLine = CommandLine(process),
            User = string.IsNullOrEmpty(process.User?.Username) ? null : process.User.Username,
            WorkingDirectory = WorkingDirectory(process.Cwd),
            Environment = Environment(process.Env),
            EmulateConsole = console ? true : null,
            CreateStdInPipe = stdio.Stdin ? true : null,
            CreateStdOutPipe = stdio.Stdout ? true : null,
            // with a console HCS sends everything to stdout (schema: EmulateConsole "if set, ignore StdErrPipe")
            CreateStdErrPipe = stdio.Stderr && !console ? true : null,
            ConsoleSize = console ? ConsoleSize(process.ConsoleSize) : null,
        };
    }

    /// <summary>config.md: commandLine is the preferred form on Windows; without it, args are escaped and joined.</summary>
    private static string CommandLine(Process process)
    {
        if (!string.IsNullOrEmpty(process.CommandLine))
            return process.CommandLine;
        if (process.Args is not { Count: > 0 } args)
            throw TranslationErrors.Invalid("process.args", "a Windows process needs commandLine or a non-empty args");
        if (args[0].Length == 0)
            throw TranslationErrors.Invalid("process.args[0]", "the program is empty");
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i].Contains('\0'))
                throw TranslationErrors.Invalid($"process.args[{i}]", "contains a NUL character, which cannot be in a Windows command line");
        }
        return WindowsCommandLine.Join(args);
    }

    private static string WorkingDirectory(string? cwd)
    {
        // config.md: REQUIRED and absolute
        if (string.IsNullOrEmpty(cwd) || !WindowsPaths.IsAbsolute(cwd))
            throw TranslationErrors.Invalid("process.cwd", $"\"{cwd}\" is not an absolute Windows path");
        return cwd;
    }

    /// <summary>NAME=value entries to a map. As in hcsshim, an empty value is left out (on Windows an empty variable is
    /// an unset one) and a later entry replaces an earlier one; unlike hcsshim, names are compared ignoring case, as
    /// Windows does, so PATH and Path do not both reach HCS, and an entry without '=' is an error, not dropped.</summary>
    private static Dictionary<string, string>? Environment(List<string>? env)
    {
        if (env is null || env.Count == 0)
            return null;
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < env.Count; i++)
        {
            int eq = env[i].IndexOf('=');
            if (eq <= 0)
                throw TranslationErrors.Invalid($"process.env[{i}]", $"\"{env[i]}\" is not NAME=value");
            string name = env[i][..eq], value = env[i][(eq + 1)..];
            if (value.Length == 0)
            {
                map.Remove(name);
                continue;
            }
            map.Remove(name); // the later entry's spelling of the name is the one kept
            map[name] = value;
        }
        return map.Count == 0 ? null : map;
    }

    /// <summary>consoleSize to [height, width] (config.md: ignored without a terminal; HCS's are 16-bit).</summary>
    private static List<ushort>? ConsoleSize(ConsoleBox? size)
    {
        if (size is null)
            return null;
        if (size.Height > ushort.MaxValue)
            throw TranslationErrors.Invalid("process.consoleSize.height", $"{size.Height} is more than {ushort.MaxValue}");
        if (size.Width > ushort.MaxValue)
            throw TranslationErrors.Invalid("process.consoleSize.width", $"{size.Width} is more than {ushort.MaxValue}");
        return [(ushort)size.Height, (ushort)size.Width];
    }
}
