using System.Diagnostics;
using System.Text;

namespace Carton.IntegrationTests.Infrastructure;

/// <summary>
/// Runs an external command with a timeout, capturing exit code, stdout and stderr.
/// The command is launched through <c>/bin/sh -c 'exec "$@"'</c> with stdin from /dev/null and
/// stdout/stderr redirected to temp files (not pipes): detached containers inherit the runtime's
/// stdio and would otherwise hold our pipes open forever. The shell prologue can also set up extra
/// file descriptors (e.g. <c>3&lt;file</c>) for --preserve-fds tests.
/// </summary>
public static class ProcessRunner
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static ProcessResult Run(
        string fileName,
        IReadOnlyList<string> args,
        string? workingDirectory = null,
        TimeSpan? timeout = null,
        string? extraRedirections = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var tmp = Path.Combine(Path.GetTempPath(), "carton-it-io-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(tmp);
        var outFile = Path.Combine(tmp, "stdout");
        var errFile = Path.Combine(tmp, "stderr");
        try
        {
            var psi = new ProcessStartInfo("/bin/sh")
            {
                UseShellExecute = false,
                WorkingDirectory = workingDirectory ?? "/",
            };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add($"exec \"$@\" </dev/null >'{outFile}' 2>'{errFile}' {extraRedirections}");
            psi.ArgumentList.Add("carton-it-launcher");
            psi.ArgumentList.Add(fileName);
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }
            if (environment is not null)
            {
                foreach (var (k, v) in environment)
                {
                    psi.Environment[k] = v;
                }
            }

            var commandLine = fileName + " " + string.Join(" ", args.Select(Quote));
            var sw = Stopwatch.StartNew();
            using var p = Process.Start(psi) ?? throw new InvalidOperationException("failed to start " + commandLine);
            var exited = p.WaitForExit(limit);
            if (!exited)
            {
                try
                {
                    p.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                }
                p.WaitForExit(5000);
            }
            sw.Stop();
            var exitCode = exited ? p.ExitCode : -1;
            return new ProcessResult(commandLine, exitCode, ReadAll(outFile), ReadAll(errFile), !exited, sw.Elapsed);
        }
        finally
        {
            try
            {
                Directory.Delete(tmp, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static string ReadAll(string path)
    {
        // The file may still be held open by a detached container; read with sharing.
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var sr = new StreamReader(fs, Encoding.UTF8);
        return sr.ReadToEnd();
    }

    private static string Quote(string s) =>
        s.Length > 0 && s.All(c => char.IsLetterOrDigit(c) || "-_./=:,@%+".Contains(c)) ? s : "'" + s.Replace("'", "'\\''") + "'";
}
