using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Carton.Linux.Interop;
using Carton.Linux.Processes;
using Carton.Linux.IO;
using Carton.Linux.Spawn;
using Carton.Oci;
using Carton.Runtime;

namespace Carton.Compute.Linux;

/// <summary>What a monitor is asked to create.</summary>
internal sealed class MonitorRequest
{
    [JsonPropertyName("stateRoot")] public string StateRoot { get; set; } = "";
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("bundle")] public string Bundle { get; set; } = "";
    [JsonPropertyName("spec")] public Spec Spec { get; set; } = new();
    [JsonPropertyName("idle")] public bool Idle { get; set; }
    /// <summary>The service validated <see cref="Spec"/> already (<see cref="CreateOptions.SpecValidated"/>).</summary>
    [JsonPropertyName("specValidated")] public bool SpecValidated { get; set; }
    [JsonPropertyName("exitFile")] public string ExitFile { get; set; } = "";
    /// <summary>The carton binary the monitor execs as the container's init (<see cref="InitBinary.Path"/> there).</summary>
    [JsonPropertyName("initBinary")] public string InitBinary { get; set; } = "";
    /// <summary>The monitor relays the init's stdio (<see cref="InitRelay"/>); null: the stdio it was given is the init's.</summary>
    [JsonPropertyName("io")] public InitIoRequest? Io { get; set; }
}

/// <summary>What the monitor's <see cref="InitRelay"/> does: the document's <see cref="InitIo"/> with its paths resolved.</summary>
internal sealed class InitIoRequest
{
    /// <summary>The log; "": none is kept (<see cref="InitIo.NoLog"/>).</summary>
    [JsonPropertyName("logPath")] public string LogPath { get; set; } = "";
    /// <summary><see cref="InitIo.LogMaxSize"/>; 0: no rotation.</summary>
    [JsonPropertyName("logMaxSize")] public long LogMaxSize { get; set; }
    /// <summary><see cref="InitIo.LogMaxFiles"/> (1 when not given).</summary>
    [JsonPropertyName("logMaxFiles")] public int LogMaxFiles { get; set; } = 1;
    [JsonPropertyName("attachSocket")] public string AttachSocket { get; set; } = "";
    [JsonPropertyName("stdin")] public bool Stdin { get; set; }
    [JsonPropertyName("stdinOnce")] public bool StdinOnce { get; set; }
    [JsonPropertyName("terminal")] public bool Terminal { get; set; }
    [JsonPropertyName("consoleSize")] public ushort[]? ConsoleSize { get; set; }
}

/// <summary>The monitor's answer once the container is created (or why it is not).</summary>
internal sealed class MonitorReply
{
    [JsonPropertyName("pid")] public int Pid { get; set; }
    [JsonPropertyName("pidStartTime")] public ulong PidStartTime { get; set; }
    [JsonPropertyName("monitorPid")] public int MonitorPid { get; set; }
    [JsonPropertyName("warnings")] public List<string> Warnings { get; set; } = [];
    /// <summary>null on success; otherwise the failure's kind, with <see cref="Error"/> (its message), <see cref="Errno"/>
    /// and <see cref="JsonPath"/>: the same typed error is raised again on the service's side.</summary>
    [JsonPropertyName("errorKind")] public ErrorKind? ErrorKind { get; set; }
    [JsonPropertyName("error")] public string? Error { get; set; }
    [JsonPropertyName("errno")] public int? Errno { get; set; }
    [JsonPropertyName("jsonPath")] public string? JsonPath { get; set; }
    [JsonPropertyName("reason")] public string? Reason { get; set; }
}

/// <summary>What the monitor writes when the container's init exits (the exit file).</summary>
internal sealed class MonitorExit
{
    [JsonPropertyName("exitCode")] public int ExitCode { get; set; }
    [JsonPropertyName("time")] public DateTime Time { get; set; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(MonitorRequest))]
[JsonSerializable(typeof(MonitorReply))]
[JsonSerializable(typeof(MonitorExit))]
[JsonSerializable(typeof(InitIoRequest))]
internal sealed partial class MonitorJsonContext : JsonSerializerContext;

/// <summary>
/// A per-container monitor, as containerd's shims are: `carton-monitor` creates the container itself, so the
/// container's init is *its* child; it outlives whoever launched it (it runs in a session of its own), reaps the
/// init, and writes the exit status to a file. A compute service daemon that dies and restarts thus loses no exit
/// code, and no zombie is left to a host init that does not reap.
/// </summary>
internal static unsafe class ContainerMonitor
{
    public const string ChannelEnv = "_CARTON_MONITOR_FD";

    /// <summary>Starts a monitor (<paramref name="monitorBinary"/>) that creates the container with the given stdio;
    /// returns once it is created, or throws the monitor's error as the same typed <see cref="RuntimeError"/>.
    /// <paramref name="spawned"/> learns the monitor's pid before it is sent the request (so that it can be recorded).</summary>
    public static MonitorReply Launch(string monitorBinary, MonitorRequest request, int stdin, int stdout, int stderr, Action<int>? spawned = null)
    {
        var (own, peer) = SocketPair.Create("socketpair for the monitor");
        int pid;
        try
        {
            var spawn = new SpawnOptions
            {
                Path = monitorBinary,
                Args = ["carton-monitor"],
                Env = [$"{ChannelEnv}={peer.ToString(CultureInfo.InvariantCulture)}"],
                NewSession = true,
                WorkingDirectory = "/",
            };
            spawn.Dups.Add((stdin, 0));
            spawn.Dups.Add((stdout, 1));
            spawn.Dups.Add((stderr, 2));
            spawn.KeepFds.Add(peer);
            pid = Spawner.Spawn(spawn, $"start the monitor of container \"{request.Id}\"");
        }
        finally { FileDescriptor.Close(peer); }
        try
        {
            spawned?.Invoke(pid);
            InitChannel.SendFrame(own, JsonSerializer.SerializeToUtf8Bytes(request, MonitorJsonContext.Default.MonitorRequest));
            var body = InitChannel.ReceiveFrame(own);
            var reply = body is null ? null : JsonSerializer.Deserialize(body, MonitorJsonContext.Default.MonitorReply);
            if (reply is null)
            {
                Spawner.Reap(pid);
                throw new RuntimeError($"the monitor of container \"{request.Id}\" exited before it answered");
            }
            reply.MonitorPid = pid;
            if (reply.ErrorKind is { } kind)
            {
                Spawner.Reap(pid);
                throw kind switch
                {
                    Carton.ErrorKind.AlreadyExists => new ContainerExistsError(request.Id),
                    Carton.ErrorKind.NotFound => new ContainerNotFoundError(request.Id),
                    _ => new RuntimeError(kind, reply.Error ?? "create failed", reply.Errno, reply.JsonPath, reply.Reason),
                };
            }
            return reply;
        }
        finally { FileDescriptor.Close(own); }
    }

    /// <summary>The exit status a monitor recorded, or null while the init runs (or when no monitor recorded one).</summary>
    public static int? ReadExit(string exitFile) => ReadExitRecord(exitFile)?.ExitCode;

    /// <summary>When the init exited, as its monitor recorded it; null while it runs.</summary>
    public static DateTime? ReadExitTime(string exitFile) => ReadExitRecord(exitFile)?.Time;

    /// <summary>The exit file whole (code and time, one read); null while the init runs or when it is unreadable.</summary>
    internal static MonitorExit? ReadExitRecord(string exitFile)
    {
        try { return JsonSerializer.Deserialize(File.ReadAllBytes(exitFile), MonitorJsonContext.Default.MonitorExit); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException) { return null; }
    }

    /// <summary>`carton-monitor`: create, answer, then wait for the init and record its exit status.</summary>
    public static int Run()
    {
        if (Environment.GetEnvironmentVariable(ChannelEnv) is not { } text || !int.TryParse(text, CultureInfo.InvariantCulture, out int channel))
        {
            Console.Error.WriteLine("carton-monitor: not started by the compute service (no channel)");
            return 1;
        }
        Environment.SetEnvironmentVariable(ChannelEnv, null);
        var body = InitChannel.ReceiveFrame(channel);
        if (body is null || JsonSerializer.Deserialize(body, MonitorJsonContext.Default.MonitorRequest) is not { } request) return 1;
        var reply = new MonitorReply();
        if (request.InitBinary.Length > 0) InitBinary.Path = request.InitBinary;
        ContainerRecord record;
        var creator = new ContainerCreator(new StateStore(request.StateRoot));
        InitRelay? relay = null;
        try
        {
            if (request.Io is { } io) relay = InitRelay.Create(io);
            record = creator.Create(new CreateOptions
            {
                Id = request.Id, Bundle = request.Bundle, Spec = request.Spec, Idle = request.Idle, SpecValidated = request.SpecValidated,
                StdinFd = relay?.ChildStdin ?? -1, StdoutFd = relay?.ChildStdout ?? -1, StderrFd = relay?.ChildStderr ?? -1,
                ConsoleSocketFd = relay?.ConsoleSocketChild ?? -1,
            });
            relay?.Listen(request.Io!.ConsoleSize);
        }
        catch (Exception e)
        {
            relay?.Dispose();
            if (relay is not null) try { new Lifecycle(new StateStore(request.StateRoot)).Delete(request.Id, force: true); } catch (RuntimeError) { }
            var error = e as CartonException;
            reply.ErrorKind = error?.Kind ?? Carton.ErrorKind.Internal;
            reply.Error = e.Message;
            reply.Errno = error?.Errno;
            reply.JsonPath = error?.JsonPath;
            reply.Reason = error?.Reason;
            InitChannel.SendFrame(channel, JsonSerializer.SerializeToUtf8Bytes(reply, MonitorJsonContext.Default.MonitorReply));
            return 1;
        }
        reply.Pid = record.Pid;
        reply.PidStartTime = record.PidStartTime;
        reply.Warnings = creator.Warnings;
        try { InitChannel.SendFrame(channel, JsonSerializer.SerializeToUtf8Bytes(reply, MonitorJsonContext.Default.MonitorReply)); }
        catch (SyscallException)
        {
            // EPIPE: whoever launched us died while we created (a SIGKILLed daemon). The container exists in the state
            // store all the same, and a restarted service adopts it: watch it and record its exit as always. Dying
            // here instead would orphan the init and lose its exit code for good (scripts/kill-daemon.sh).
        }
        FileDescriptor.Close(channel);
        // The monitor's own stdio is the container's; it keeps nothing else open.
        var status = ChildProcess.TryWait(record.Pid);
        var exitTime = DateTime.UtcNow;
        // the log is complete before the exit status says the init is gone, and attached clients read the end of
        // the stream after it: a `docker run` sees all the output, then the exit code
        relay?.Drain();
        var exit = new MonitorExit { ExitCode = status?.ShellCode ?? -1, Time = exitTime };
        var tmp = request.ExitFile + ".tmp";
        try
        {
            File.WriteAllBytes(tmp, JsonSerializer.SerializeToUtf8Bytes(exit, MonitorJsonContext.Default.MonitorExit));
            File.Move(tmp, request.ExitFile, overwrite: true);
        }
        catch (IOException) { /* the system was deleted meanwhile: nobody is left to read it */ }
        catch (UnauthorizedAccessException) { }
        relay?.Dispose();
        return 0;
    }
}
