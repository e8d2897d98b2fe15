using System.Text;

namespace Carton.IntegrationTests.Infrastructure;

/// <summary>
/// Snapshot of host state that a container lifecycle may leak, taken before a test; <see cref="AssertNoLeaks"/>
/// compares against a fresh snapshot after `delete`:
/// <list type="bullet">
/// <item>mount points in /proc/self/mountinfo (multiset of mount point + fstype)</item>
/// <item>every directory under each cgroup v1 hierarchy and /sys/fs/cgroup/unified</item>
/// <item>child processes of the test process; any process whose cmdline mentions the bundle or a
/// container id, or whose root (/proc/pid/root) lies inside the bundle</item>
/// <item>open fds of the test process (/proc/self/fd)</item>
/// <item>entries in the runtime's --root directory (must be empty)</item>
/// </list>
/// </summary>
public sealed class LeakCheck
{
    private const string CgroupRoot = "/sys/fs/cgroup";

    private readonly string _bundleDir;
    private readonly string _stateRoot;
    private readonly Func<IReadOnlyCollection<string>> _containerIds;
    private readonly Dictionary<string, int> _mounts;
    private readonly HashSet<string> _cgroupDirs;
    private readonly HashSet<int> _children;
    private readonly HashSet<string> _fds;

    private readonly string _rootfsMarker;

    /// <param name="rootfsMarker">name of a file in the rootfs' top directory: a process whose
    /// /proc/pid/root contains it runs inside this test's container (works across mount namespaces).</param>
    public LeakCheck(string bundleDir, string stateRoot, string rootfsMarker, Func<IReadOnlyCollection<string>> containerIds)
    {
        _rootfsMarker = rootfsMarker;
        _bundleDir = bundleDir;
        _stateRoot = stateRoot;
        _containerIds = containerIds;
        _mounts = Mounts();
        _cgroupDirs = CgroupDirs();
        _children = ChildPids();
        _fds = Fds();
    }

    /// <summary>Asserts nothing leaked, giving the runtime up to 3s to finish asynchronous teardown.</summary>
    public void AssertNoLeaks()
    {
        string? report = null;
        Poll.Until(() => (report = Describe()) is null, TimeSpan.FromSeconds(3));
        if (report is not null)
        {
            Assert.Fail("LeakCheck found resources left behind after delete:\n" + report);
        }
    }

    /// <summary>Null when clean, otherwise a description of every leak.</summary>
    public string? Describe()
    {
        var sb = new StringBuilder();

        foreach (var (mount, count) in Mounts())
        {
            var before = _mounts.GetValueOrDefault(mount);
            if (count > before)
            {
                sb.AppendLine($"  mount: {mount} (x{count - before} new)");
            }
        }

        foreach (var dir in CgroupDirs().Except(_cgroupDirs).Order())
        {
            sb.AppendLine($"  cgroup dir: {dir}");
        }

        foreach (var pid in ChildPids().Except(_children).Order())
        {
            sb.AppendLine($"  child process: {pid} {Cmdline(pid)}");
        }

        foreach (var pid in RelatedProcesses())
        {
            sb.AppendLine($"  container-related process: {pid} {Cmdline(pid)}");
        }

        foreach (var fd in Fds().Except(_fds).Order())
        {
            sb.AppendLine($"  fd: {fd}");
        }

        if (Directory.Exists(_stateRoot))
        {
            foreach (var e in Directory.EnumerateFileSystemEntries(_stateRoot, "*", SearchOption.AllDirectories).Order())
            {
                sb.AppendLine($"  state root entry: {e}");
            }
        }

        return sb.Length == 0 ? null : sb.ToString();
    }

    private static Dictionary<string, int> Mounts()
    {
        var result = new Dictionary<string, int>();
        foreach (var line in File.ReadAllLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            var sep = Array.IndexOf(fields, "-");
            var key = fields[4] + " type " + (sep >= 0 && sep + 1 < fields.Length ? fields[sep + 1] : "?");
            result[key] = result.GetValueOrDefault(key) + 1;
        }
        return result;
    }

    private static HashSet<string> CgroupDirs()
    {
        var result = new HashSet<string>();
        if (!Directory.Exists(CgroupRoot))
        {
            return result;
        }
        foreach (var hierarchy in Directory.EnumerateDirectories(CgroupRoot))
        {
            // Skip symlinks such as cpu -> cpu,cpuacct: they alias a hierarchy that is listed anyway.
            if (new DirectoryInfo(hierarchy).LinkTarget is not null)
            {
                continue;
            }
            Walk(hierarchy, result);
        }
        return result;

        static void Walk(string dir, HashSet<string> acc)
        {
            acc.Add(dir);
            IEnumerable<string> subdirs;
            try
            {
                subdirs = Directory.EnumerateDirectories(dir).ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return; // removed while walking
            }
            foreach (var sub in subdirs)
            {
                Walk(sub, acc);
            }
        }
    }

    private static IEnumerable<int> AllPids()
    {
        foreach (var d in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(d), out var pid))
            {
                yield return pid;
            }
        }
    }

    private static HashSet<int> ChildPids()
    {
        var self = Environment.ProcessId;
        var result = new HashSet<int>();
        foreach (var pid in AllPids())
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                // pid (comm) state ppid ...; comm may contain spaces/parens, so parse after the last ')'.
                var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(rest[1]) == self)
                {
                    result.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
            }
        }
        return result;
    }

    private IEnumerable<int> RelatedProcesses()
    {
        var self = Environment.ProcessId;
        var ids = _containerIds();
        foreach (var pid in AllPids())
        {
            if (pid == self)
            {
                continue;
            }
            var cmd = Cmdline(pid);
            bool insideRootfs;
            try
            {
                insideRootfs = File.Exists($"/proc/{pid}/root/{_rootfsMarker}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                insideRootfs = false;
            }
            if (cmd.Contains(_bundleDir, StringComparison.Ordinal)
                || ids.Any(id => id.Length > 0 && cmd.Contains(id, StringComparison.Ordinal))
                || insideRootfs)
            {
                yield return pid;
            }
        }
    }

    private static string Cmdline(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static HashSet<string> Fds()
    {
        var result = new HashSet<string>();
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                var target = new FileInfo(fd).LinkTarget;
                // The enumeration itself holds a directory fd on /proc/<pid>/fd; ignore it.
                if (target is not null && target.StartsWith("/proc/", StringComparison.Ordinal) && target.EndsWith("/fd", StringComparison.Ordinal))
                {
                    continue;
                }
                // The .NET runtime maps assemblies/native libraries lazily (first use of e.g. System.Text.Json);
                // those fds are not a container leak.
                if (target is not null && (target.EndsWith(".dll", StringComparison.Ordinal) || target.EndsWith(".so", StringComparison.Ordinal) || target.Contains(".so.", StringComparison.Ordinal)))
                {
                    continue;
                }
                result.Add($"{Path.GetFileName(fd)} -> {target}");
            }
            catch (IOException)
            {
            }
        }
        return result;
    }
}
