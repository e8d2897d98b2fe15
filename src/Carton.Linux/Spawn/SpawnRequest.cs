using System.Runtime.InteropServices;

namespace Carton.Linux.Spawn;

/// <summary>Mirror of struct carton_spawn_req (native/carton_spawn.h). Field order and types must match.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct SpawnRequest
{
    public byte* Path;
    public byte** Argv;
    public byte** Envp;
    public int ExecFd;
    public int* JoinFds;
    public int* JoinTypes;
    public int JoinCount;
    public int NewNsFlags;
    public int JoinedPidNs;
    public byte* UidMap;
    public byte* GidMap;
    public int SetgroupsDeny;
    public byte* UidmapHelper;
    public byte* GidmapHelper;
    public int* DupSrc;
    public int* DupDst;
    public int DupCount;
    public int* KeepFds;
    public int KeepCount;
    public byte* Cwd;
    public int Setsid;
    public int Pid;
    public int IntermediatePid;
    public int ErrStep;
    public int ErrErrno;
    public int ErrIndex;
}

internal static unsafe partial class SpawnNative
{
    [LibraryImport("libcarton_native", EntryPoint = "carton_spawn")]
    public static partial int CartonSpawn(SpawnRequest* req);
}
