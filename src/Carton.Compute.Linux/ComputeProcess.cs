using Carton.Linux.Interop;
using Carton.Linux.IO;
using Carton.Linux.ProcessSetup;
using Carton.Oci;
using Carton.Runtime;
using Microsoft.Win32.SafeHandles;

namespace Carton.Compute.Linux;

/// <summary>A process exec'd into a running system: a child of this process (reaped on a dedicated thread), with its
/// stdio on pipes or on a pty whose master this object holds.</summary>
public sealed class ComputeProcess : IComputeProcess
{
    private readonly ChildReaper _reaper;
    private readonly int _consoleFd;

    private ComputeProcess(int pid, Stream? stdin, Stream? stdout, Stream? stderr, Stream? console, int consoleFd)
    {
        Pid = pid;
        StandardInput = stdin;
        StandardOutput = stdout;
        StandardError = stderr;
        Console = console;
        _consoleFd = consoleFd;
        _reaper = new ChildReaper(pid, $"carton-compute process {pid}");
    }

    /// <inheritdoc/>
    public int Pid { get; }
    /// <inheritdoc/>
    public Stream? StandardInput { get; }
    /// <inheritdoc/>
    public Stream? StandardOutput { get; }
    /// <inheritdoc/>
    public Stream? StandardError { get; }
    /// <inheritdoc/>
    public Stream? Console { get; }

    internal static unsafe ComputeProcess Start(Lifecycle life, ContainerRecord record, ProcessParameters p)
    {
        if (p.CommandArgs is not { Count: > 0 }) throw new InvalidComputeDocumentException("CommandArgs", "must not be empty");
        if (p.WorkingDirectory is { Length: > 0 } cwd && !cwd.StartsWith('/'))
            throw new InvalidComputeDocumentException("WorkingDirectory", "must be an absolute path");
        if (p.User is { Length: > 0 } user) HcsTranslator.ParseUser(user, "User");
        var env = HcsTranslator.MergeEnv([], p.Environment, "Environment");
        Oci.Process process;
        try
        {
            process = ExecProcessBuilder.Build(record.Spec, new ExecRequest
            {
                Args = p.CommandArgs, Tty = p.EmulateConsole, Env = env, Cwd = p.WorkingDirectory is { Length: > 0 } ? p.WorkingDirectory : null,
                User = p.User is { Length: > 0 } ? p.User : null,
            });
        }
        catch (RuntimeError e) { throw new InvalidComputeDocumentException("$", e.Message); }
        if (p.EmulateConsole && p.ConsoleSize is [var rows, var cols]) process.ConsoleSize = new ConsoleBox { Height = rows, Width = cols };

        var childFds = new List<int>();
        var ourFds = new List<int>();
        try
        {
            int devNull = FileDescriptor.Open("/dev/null", OpenFlags.ReadWrite, "open /dev/null");
            childFds.Add(devNull);
            int stdinChild = devNull, stdoutChild = devNull, stderrChild = devNull;
            int stdinOurs = -1, stdoutOurs = -1, stderrOurs = -1, consoleSock = -1, consoleChild = -1;
            if (p.EmulateConsole)
            {
                (consoleSock, consoleChild) = SocketPair.Create("socketpair for the console");
                ourFds.Add(consoleSock);
                childFds.Add(consoleChild);
            }
            else
            {
                if (p.CreateStdInPipe) (stdinChild, stdinOurs) = Pipe(childFds, ourFds, childReads: true);
                if (p.CreateStdOutPipe) (stdoutChild, stdoutOurs) = Pipe(childFds, ourFds, childReads: false);
                if (p.CreateStdErrPipe) (stderrChild, stderrOurs) = Pipe(childFds, ourFds, childReads: false);
            }

            int pid = new ContainerExec(life).Exec(new ExecOptions
            {
                Id = record.Id, Process = process, ConsoleSocketFd = consoleChild,
                StdinFd = stdinChild, StdoutFd = stdoutChild, StderrFd = stderrChild,
            });
            foreach (var fd in childFds) FileDescriptor.Close(fd);
            childFds.Clear();

            int master = -1;
            if (p.EmulateConsole)
            {
                master = FdPassing.Receive(consoleSock, out _);
                FileDescriptor.Close(consoleSock);
                ourFds.Remove(consoleSock);
                if (master < 0) throw new ComputeException("Failed", "exec: the process's init sent no pty master");
                ourFds.Add(master);
            }
            var result = new ComputeProcess(pid,
                stdinOurs >= 0 ? Wrap(stdinOurs, FileAccess.Write) : null,
                stdoutOurs >= 0 ? Wrap(stdoutOurs, FileAccess.Read) : null,
                stderrOurs >= 0 ? Wrap(stderrOurs, FileAccess.Read) : null,
                master >= 0 ? Wrap(master, FileAccess.ReadWrite) : null,
                master);
            ourFds.Clear();
            return result;
        }
        finally
        {
            foreach (var fd in childFds) FileDescriptor.Close(fd);
            foreach (var fd in ourFds) FileDescriptor.Close(fd);
        }
    }

    private static (int Child, int Ours) Pipe(List<int> childFds, List<int> ourFds, bool childReads)
    {
        var (read, write) = Carton.Linux.IO.Pipe.Create("pipe for process stdio");
        int child = childReads ? read : write, ours = childReads ? write : read;
        childFds.Add(child);
        ourFds.Add(ours);
        return (child, ours);
    }

    private static FileStream Wrap(int fd, FileAccess access) => new(new SafeFileHandle(fd, ownsHandle: true), access, bufferSize: 0);

    /// <inheritdoc/>
    public Task SignalAsync(int signal, CancellationToken cancellationToken = default)
    {
        if (signal is < 1 or > 64) throw new ArgumentOutOfRangeException(nameof(signal), signal, "must be 1..64");
        _reaper.Signal(signal);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task KillAsync(CancellationToken cancellationToken = default) => SignalAsync(9, cancellationToken);

    /// <inheritdoc/>
    /// <exception cref="ComputeException">code "Failed": the ioctl failed</exception>
    public Task ResizeConsoleAsync(ushort rows, ushort columns, CancellationToken cancellationToken = default)
    {
        if (Console is null) throw new InvalidOperationException("the process has no console (EmulateConsole was not set)");
        try { Pty.SetSize(_consoleFd, rows, columns); }
        catch (SyscallException e) { throw new ComputeException("Failed", e.Message, e); }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<int> WaitForExitAsync(CancellationToken cancellationToken = default) => _reaper.Exited.WaitAsync(cancellationToken);

    /// <summary>Closes this side's streams; the process keeps running (HCS: closing a process handle does not kill it).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var s in new[] { StandardInput, StandardOutput, StandardError, Console })
            if (s is not null) await s.DisposeAsync().ConfigureAwait(false);
    }
}
