namespace Carton.Linux.Spawn;

/// <summary>Where a spawned child failed; mirrors enum carton_spawn_step in native/carton_spawn.h.</summary>
public enum SpawnStep
{
    None = 0, Clone = 1, Setns = 2, UsernsMap = 3, UsernsSync = 4, SetId = 5, Unshare = 6, Fds = 7, Chdir = 8, Exec = 9, Setsid = 10, Pipe = 11,
}
