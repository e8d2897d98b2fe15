using Carton.Linux.Spawn;

namespace Carton.Runtime.Plan;

/// <summary>
/// carton-dmz, the executor of setup plans, found beside carton (or where CARTON_DMZ says) and sealed once per
/// process into a memfd (design.md §3 item 1, CVE-2019-5736): every container init this process starts is exec'd
/// from that one sealed copy, so /proc/PID/exe of an init is a file no write can change, and never carton.
/// </summary>
public static class SetupExecutor
{
    private static readonly Lazy<int> Sealed = new(() => Path is { } p ? SealedExecutable.Create(p, "carton-dmz") : -1);

    /// <summary>The executor's path, or null when it is not installed beside carton (the managed init is used then).</summary>
    public static string? Path
    {
        get
        {
            if (Environment.GetEnvironmentVariable("CARTON_DMZ") is { Length: > 0 } env) return env;
            var init = InitBinary.Path;
            var candidates = new List<string>();
            if (init != "/proc/self/exe" && System.IO.Path.GetDirectoryName(init) is { Length: > 0 } dir) candidates.Add(System.IO.Path.Combine(dir, "carton-dmz"));
            if (Environment.ProcessPath is { } exe && System.IO.Path.GetDirectoryName(exe) is { Length: > 0 } exeDir) candidates.Add(System.IO.Path.Combine(exeDir, "carton-dmz"));
            candidates.Add(System.IO.Path.Combine(AppContext.BaseDirectory, "carton-dmz"));
            return candidates.FirstOrDefault(File.Exists);
        }
    }

    /// <summary>The sealed memfd of the executor (close-on-exec, kept for the life of this process), or -1.</summary>
    public static int SealedFd => Sealed.Value;

    /// <summary>Whether `create` runs the plan (not switched off, the executor installed).</summary>
    public static bool Enabled => !Carton.Linux.Security.Defences.IsDisabled("native-init") && Environment.GetEnvironmentVariable("CARTON_MANAGED_INIT") != "1" && SealedFd >= 0;
}
