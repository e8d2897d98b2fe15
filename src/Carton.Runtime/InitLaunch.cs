using System.Globalization;
using Carton.Linux.Interop;
using Carton.Linux.IO;
using Carton.Linux.Spawn;

namespace Carton.Runtime;

/// <summary>
/// What every start of `carton init` needs, for `create` and for `exec` alike: a socketpair for the init channel,
/// the sealed memfd copy of carton to exec, and the spawn table that execs it with the channel's fd named in its
/// environment, the caller's stdio and the fds to keep. The caller adds namespaces, then calls <see cref="Start"/>.
/// Disposing closes whatever is still open, the parent's end of the channel included.
/// </summary>
internal sealed class InitLaunch : IDisposable
{
    private int _childSocket, _exe, _null = -1;

    /// <summary>The parent's end of the init channel.</summary>
    public int Channel { get; private set; }

    /// <summary>The spawn table, ready but for namespaces (and whatever else the caller adds).</summary>
    public SpawnOptions Spawn { get; }

    /// <param name="stdio">fds that become the init's 0/1/2; -1 inherits the caller's, or /dev/null with a terminal.</param>
    /// <param name="terminal">process.terminal: the pty slave becomes the process's 0/1/2 before execve.</param>
    /// <param name="keep">fds the init keeps (negative ones are skipped).</param>
    /// <param name="preserveFds">--preserve-fds: 3 .. 3+N-1 are kept as well.</param>
    /// <param name="extraEnv">more environment for the init.</param>
    /// <param name="native">the init is carton-dmz, run from its sealed copy (<see cref="Plan.SetupExecutor"/>), which
    /// reads a setup plan from the channel; otherwise `carton init`, from a sealed copy of carton made here.</param>
    public InitLaunch((int In, int Out, int Err) stdio, bool terminal, IEnumerable<int> keep, int preserveFds, string[] extraEnv, bool native = false)
    {
        (Channel, _childSocket) = SocketPair.Create("socketpair for the init channel");
        try
        {
            _exe = native ? -1 : SealedExecutable.Create(InitBinary.Path);
            // With a terminal, what the init would inherit as 0/1/2 is /dev/null instead, as runc's setupIO does. The
            // caller's stdout and stderr are often a pipe whose reader waits for end of file: containerd's runc shim
            // (go-runc) collects `create`'s output that way and waits for EOF before it goes on, so an init that kept
            // them open until the pty replaced them, after `start`, hung `ctr run -t` and `docker run -t` (issue 9).
            // The init reports its errors over the init channel, never on stdio.
            if (terminal && (stdio.In < 0 || stdio.Out < 0 || stdio.Err < 0))
            {
                _null = FileDescriptor.Open("/dev/null", OpenFlags.ReadWrite, "open /dev/null for the init's stdio");
                stdio = (stdio.In < 0 ? _null : stdio.In, stdio.Out < 0 ? _null : stdio.Out, stdio.Err < 0 ? _null : stdio.Err);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
        string channel = _childSocket.ToString(CultureInfo.InvariantCulture);
        Spawn = native ? new SpawnOptions
        {
            ExecFd = Plan.SetupExecutor.SealedFd,
            Path = "/proc/self/exe",
            // The executor starts non-dumpable (design.md §3 item 2) unless a mutation build switched that defence off.
            Args = ["carton-dmz", channel, .. (Carton.Linux.Security.Defences.IsDisabled("init-non-dumpable") ? ["dumpable"] : Array.Empty<string>())],
            Env = [],
        } : new SpawnOptions
        {
            ExecFd = _exe,
            Path = "/proc/self/exe",
            Args = ["carton", "init"],
            Env = [$"{ContainerInit.ChannelEnv}={channel}", .. extraEnv,
                .. (Carton.Linux.Security.Defences.PassOn() is { } mutation ? [mutation] : Array.Empty<string>())],
        };
        // Caller-chosen fds become the child's 0/1/2 (dup2 in the spawn helper, after the namespaces).
        if (stdio.In >= 0) Spawn.Dups.Add((stdio.In, 0));
        if (stdio.Out >= 0) Spawn.Dups.Add((stdio.Out, 1));
        if (stdio.Err >= 0) Spawn.Dups.Add((stdio.Err, 2));
        Spawn.KeepFds.Add(_childSocket);
        foreach (var fd in keep)
            if (fd >= 0) Spawn.KeepFds.Add(fd);
        for (int i = 0; i < preserveFds; i++) Spawn.KeepFds.Add(3 + i);
    }

    /// <summary>Spawns the init and returns its pid; the child's end of the channel and the memfd are closed here.</summary>
    public int Start(string what)
    {
        try { return Spawner.Spawn(Spawn, what); }
        finally { CloseChildSide(); }
    }

    private void CloseChildSide()
    {
        if (_childSocket >= 0) FileDescriptor.Close(_childSocket);
        if (_exe > 0) FileDescriptor.Close(_exe);
        FileDescriptor.Close(_null);
        _childSocket = -1;
        _exe = -1;
        _null = -1;
    }

    public void Dispose()
    {
        CloseChildSide();
        if (Channel >= 0) FileDescriptor.Close(Channel);
        Channel = -1;
    }
}
