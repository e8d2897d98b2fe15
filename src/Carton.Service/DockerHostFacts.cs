using System.Globalization;
using System.Runtime.InteropServices;
using Carton.Docker;
using Carton.Linux.Cgroups;

namespace Carton.Service;

/// <summary>What the Docker API's /info and /version say about this host, read once at start from /proc, /etc and
/// the cgroup layout (Carton.Docker is platform-free and reads none of it itself).</summary>
internal static class DockerHostFacts
{
    public static DockerHostInfo Probe(string runtimePath, string rootDirectory)
    {
        var osRelease = ReadOsRelease();
        var warnings = new List<string>();
        string cgroupVersion = "2";
        try
        {
            var mode = CgroupHost.Probe().Mode;
            cgroupVersion = mode == CgroupMode.V2 ? "2" : "1";
            if (mode == CgroupMode.Hybrid) warnings.Add("WARNING: a hybrid cgroup host: containers are driven through the cgroup v1 hierarchies");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CartonException)
        {
            warnings.Add($"WARNING: the cgroup layout could not be read: {e.Message}");
        }
        return new DockerHostInfo
        {
            Version = "0.1.0",
            Id = ReadFirstLine("/etc/machine-id"),
            Name = Environment.MachineName,
            KernelVersion = ReadFirstLine("/proc/sys/kernel/osrelease"),
            OperatingSystem = osRelease.GetValueOrDefault("PRETTY_NAME", "Linux"),
            OsVersion = osRelease.GetValueOrDefault("VERSION_ID", ""),
            Machine = RuntimeInformation.OSArchitecture switch
            {
                Architecture.X64 => "x86_64",
                Architecture.Arm64 => "aarch64",
                var a => a.ToString().ToLowerInvariant(),
            },
            Cpus = Environment.ProcessorCount,
            MemoryBytes = ReadMemTotal(),
            CgroupVersion = cgroupVersion,
            CgroupDriver = "cgroupfs",
            RuntimePath = runtimePath,
            RootDirectory = rootDirectory,
            Warnings = warnings,
        };
    }

    private static string ReadFirstLine(string path)
    {
        try { return File.Exists(path) ? File.ReadLines(path).FirstOrDefault()?.Trim() ?? "" : ""; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; }
    }

    private static Dictionary<string, string> ReadOsRelease()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in new[] { "/etc/os-release", "/usr/lib/os-release" })
        {
            try
            {
                if (!File.Exists(path)) continue;
                foreach (var line in File.ReadLines(path))
                {
                    int eq = line.IndexOf('=', StringComparison.Ordinal);
                    if (eq > 0) values[line[..eq]] = line[(eq + 1)..].Trim().Trim('"');
                }
                break;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return values;
    }

    private static long ReadMemTotal()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                if (!line.StartsWith("MemTotal:", StringComparison.Ordinal)) continue;
                var kb = line["MemTotal:".Length..].Trim().Split(' ')[0];
                return long.TryParse(kb, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v * 1024 : 0;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return 0;
    }
}
