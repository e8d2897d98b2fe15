using System.Buffers.Binary;
using System.Text.Json;
using Carton.Linux.Interop;
using Carton.Linux.IO;
using Carton.Linux.Processes;
using Carton.Linux.Seccomp;
using Carton.Oci;

namespace Carton.Runtime;

/// <summary>
/// linux.seccomp from the runtime's side: validated and compiled in the parent (errors name their JSON path before
/// anything is spawned; compiled programs are cached under the state root by profile hash), shipped to the init as
/// bytes, loaded by the init on the thread that execs. With a listenerPath, the parent connects to the listener
/// (the init cannot reach host paths after pivot_root) and the init sends the notify fd over that connection with
/// the container's state, as runtime.md "Seccomp" describes.
/// </summary>
public static class SeccompPlan
{
    public static (string Program, bool NeedsListener) Compile(LinuxSeccomp profile, string stateRoot)
    {
        var errors = SeccompCompiler.Validate(profile);
        if (errors.Count > 0) throw new RuntimeError(string.Join("; ", errors), new SeccompException(errors));
        SockFilter[] program;
        try { program = SeccompCompiler.CompileCached(profile, stateRoot, ".cache/seccomp"); }
        catch (SeccompException e) { throw new RuntimeError(e.Message, e); }
        var bytes = new byte[program.Length * 8];
        for (int i = 0; i < program.Length; i++)
        {
            var span = bytes.AsSpan(i * 8);
            BinaryPrimitives.WriteUInt16LittleEndian(span, program[i].Code);
            span[2] = program[i].Jt;
            span[3] = program[i].Jf;
            BinaryPrimitives.WriteUInt32LittleEndian(span[4..], program[i].K);
        }
        bool listener = SeccompCompiler.NeedsNotifyFd(profile);
        if (listener && string.IsNullOrEmpty(profile.ListenerPath))
            throw new RuntimeError("linux.seccomp.listenerPath: required when an action is SCMP_ACT_NOTIFY");
        return (Convert.ToBase64String(bytes), listener);
    }

    public static SockFilter[] Decode(string base64)
    {
        var bytes = Convert.FromBase64String(base64);
        var program = new SockFilter[bytes.Length / 8];
        for (int i = 0; i < program.Length; i++)
        {
            var span = bytes.AsSpan(i * 8);
            program[i] = new SockFilter(BinaryPrimitives.ReadUInt16LittleEndian(span), span[2], span[3], BinaryPrimitives.ReadUInt32LittleEndian(span[4..]));
        }
        return program;
    }

    /// <summary>Loads the filter on the calling thread; with a listener, sends its fd to the connected listener socket.</summary>
    public static void Load(InitConfig config, ContainerState state)
    {
        if (config.SeccompProgram is null) return;
        var profile = config.Spec.Linux!.Seccomp!;
        int notifyFd = SeccompFilter.Load(Decode(config.SeccompProgram), profile.Flags ?? [], config.SeccompListenerFd >= 0);
        if (notifyFd < 0 || config.SeccompListenerFd < 0) return;
        var payload = new SeccompListenerState
        {
            OciVersion = state.OciVersion ?? Lifecycle.OciVersion, Fds = ["seccompFd"], Pid = CurrentProcess.Id,
            Metadata = profile.ListenerMetadata ?? "", State = state,
        };
        FdPassing.Send(config.SeccompListenerFd, notifyFd, JsonSerializer.Serialize(payload, RuntimeJsonContext.Default.SeccompListenerState));
        FileDescriptor.Close(notifyFd);
        FileDescriptor.Close(config.SeccompListenerFd);
    }
}

/// <summary>runtime.md "Seccomp": what the listener receives with the notify fd (containerProcessState).</summary>
public sealed class SeccompListenerState
{
    [System.Text.Json.Serialization.JsonPropertyName("ociVersion")] public string OciVersion { get; set; } = "";
    [System.Text.Json.Serialization.JsonPropertyName("fds")] public List<string> Fds { get; set; } = [];
    [System.Text.Json.Serialization.JsonPropertyName("pid")] public int Pid { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("metadata")] public string Metadata { get; set; } = "";
    [System.Text.Json.Serialization.JsonPropertyName("state")] public ContainerState State { get; set; } = new();
}
