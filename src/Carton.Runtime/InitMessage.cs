using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;
using Carton.Linux.Interop;
using Carton.Linux.IO;
using Carton.Oci;

namespace Carton.Runtime;

/// <summary>
/// One message between `carton create` and the container's init, over a socketpair: a 4-byte little-endian
/// length, then JSON. The parent sends "config"; the init answers "hooks" (run prestart/createRuntime now) and
/// then "ready", or "error" with the message to print.
/// </summary>
public sealed class InitMessage
{
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("message")] public string? Message { get; set; }
    [JsonPropertyName("config")] public InitConfig? Config { get; set; }
}

/// <summary>What the init needs to build the container.</summary>
public sealed class InitConfig
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("bundle")] public string Bundle { get; set; } = "";
    [JsonPropertyName("rootfs")] public string Rootfs { get; set; } = "";
    [JsonPropertyName("spec")] public Spec Spec { get; set; } = new();
    [JsonPropertyName("noPivot")] public bool NoPivot { get; set; }
    /// <summary>Set for `exec`: the init joins a running container and runs <see cref="Process"/> instead of building one.</summary>
    [JsonPropertyName("exec")] public bool Exec { get; set; }
    [JsonPropertyName("process")] public Oci.Process? Process { get; set; }
    [JsonPropertyName("noNewKeyring")] public bool NoNewKeyring { get; set; }
    [JsonPropertyName("fifoFd")] public int FifoFd { get; set; } = -1;
    [JsonPropertyName("consoleFd")] public int ConsoleFd { get; set; } = -1;
    [JsonPropertyName("preserveFds")] public int PreserveFds { get; set; }
    [JsonPropertyName("newCgroupNs")] public bool NewCgroupNamespace { get; set; }
    [JsonPropertyName("newTimeNs")] public bool NewTimeNamespace { get; set; }
    /// <summary>setgroups(2) is denied in the container's user namespace (rootless with a single mapping).</summary>
    [JsonPropertyName("setgroupsDenied")] public bool SetgroupsDenied { get; set; }
    /// <summary>The compiled linux.seccomp filter (sock_filter records, base64), or null.</summary>
    [JsonPropertyName("seccompProgram")] public string? SeccompProgram { get; set; }
    /// <summary>A socket connected to linux.seccomp.listenerPath by the parent, or -1.</summary>
    [JsonPropertyName("seccompListenerFd")] public int SeccompListenerFd { get; set; } = -1;
    /// <summary>No user process: the init stays as pid 1 and reaps children (see <see cref="CreateOptions.Idle"/>).</summary>
    [JsonPropertyName("idle")] public bool Idle { get; set; }
    [JsonPropertyName("cgroupMounts")] public List<CgroupMountSource> CgroupMounts { get; set; } = [];
    /// <summary>AppArmor/SELinux attr writes before execve (<see cref="LsmPlan"/>).</summary>
    [JsonPropertyName("lsmWrites")] public List<LsmWrite> LsmWrites { get; set; } = [];
    /// <summary>linux.mountLabel when SELinux applies it, else null.</summary>
    [JsonPropertyName("mountLabel")] public string? MountLabel { get; set; }
}

public sealed class CgroupMountSource
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("hostPath")] public string HostPath { get; set; } = "";
    [JsonPropertyName("unified")] public bool Unified { get; set; }
    [JsonPropertyName("controllers")] public string Controllers { get; set; } = "";
}

/// <summary>Framing over a raw fd (blocking I/O on the calling thread: the init must stay on its main thread).</summary>
public static unsafe class InitChannel
{
    public static void Send(int fd, InitMessage message) =>
        SendFrame(fd, JsonSerializer.SerializeToUtf8Bytes(message, RuntimeJsonContext.Default.InitMessage));

    /// <summary>The next message, or null at EOF.</summary>
    public static InitMessage? Receive(int fd) =>
        ReceiveFrame(fd) is { } body ? JsonSerializer.Deserialize(body, RuntimeJsonContext.Default.InitMessage) : null;

    public static void SendFrame(int fd, byte[] body)
    {
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, body.Length);
        body.CopyTo(frame, 4);
        FileDescriptor.WriteAll(fd, frame, "write to init channel");
    }

    /// <summary>The next frame's body, or null at EOF.</summary>
    public static byte[]? ReceiveFrame(int fd)
    {
        var header = new byte[4];
        if (!ReadExactly(fd, header)) return null;
        int len = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (len < 0 || len > 64 << 20) throw new RuntimeError($"init channel: bad frame length {len}");
        var body = new byte[len];
        return ReadExactly(fd, body) ? body : null;
    }

    /// <summary>Fills the buffer; false at end of file (a reset by a peer that died is the same to the reader).
    /// The setup plan's channel (Plan.PlanChannel) reads its reports with it too.</summary>
    internal static bool ReadExactly(int fd, byte[] buffer)
    {
        int off = 0;
        while (off < buffer.Length)
        {
            int n = FileDescriptor.Read(fd, buffer.AsSpan(off));
            if (n < 0)
            {
                int errno = -n;
                if (errno == Errno.EINTR) continue;
                // A peer that died with our unread message in its queue (an init killed while it starts, by the
                // OOM killer for one) resets the connection instead of closing it: for the reader both are EOF,
                // and the caller then asks how the init died.
                if (errno == Errno.ECONNRESET) return false;
                throw new SyscallException("read from init channel", errno);
            }
            if (n == 0) return false;
            off += n;
        }
        return true;
    }
}
