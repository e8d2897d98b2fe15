using System.Diagnostics;
using System.Text;

namespace Carton.IntegrationTests.Infrastructure;

/// <summary>
/// A command started in the background (same launcher as <see cref="ProcessRunner"/>: /bin/sh exec's the
/// command, so <see cref="Pid"/> is the command's own pid), with stdout/stderr captured to temp files.
/// Used when a test must signal the runtime process itself.
/// </summary>
public sealed class BackgroundProcess : IDisposable
{
    private readonly Process _process;
    private readonly string _tmp;

    public BackgroundProcess(string fileName, IReadOnlyList<string> args)
    {
        _tmp = Path.Combine(Path.GetTempPath(), "carton-it-bg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_tmp);
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = "/" };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"exec \"$@\" </dev/null >'{_tmp}/stdout' 2>'{_tmp}/stderr'");
        psi.ArgumentList.Add("carton-it-launcher");
        psi.ArgumentList.Add(fileName);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        CommandLine = fileName + " " + string.Join(" ", args);
        _process = Process.Start(psi) ?? throw new InvalidOperationException("failed to start " + CommandLine);
    }

    public string CommandLine { get; }

    public int Pid => _process.Id;

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    public int ExitCode => _process.ExitCode;

    public string Stdout => Read("stdout");

    public string Stderr => Read("stderr");

    public override string ToString() =>
        $"$ {CommandLine}\nexit={(_process.HasExited ? _process.ExitCode.ToString() : "(running)")}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";

    private string Read(string name)
    {
        try
        {
            using var fs = new FileStream(Path.Combine(_tmp, name), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var sr = new StreamReader(fs, Encoding.UTF8);
            return sr.ReadToEnd();
        }
        catch (IOException)
        {
            return "";
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
            _process.WaitForExit(5000);
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_tmp, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
