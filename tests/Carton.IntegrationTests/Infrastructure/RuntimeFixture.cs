namespace Carton.IntegrationTests.Infrastructure;

/*
 * Carton black-box integration tests
 * ==================================
 * The suite drives an OCI runtime binary purely through its runc-compatible CLI, in the spirit of
 * crun's python test-suite (OCI_RUNTIME=...). It is runtime-agnostic:
 *
 *   OCI_RUNTIME   runtime under test. Default: <repo>/artifacts/bin/carton, where <repo> is found by
 *                 walking up from AppContext.BaseDirectory to the directory containing Carton.slnx.
 *   DIFF_RUNTIME  reference runtime for the differential tests. Default: /usr/sbin/runc.
 *
 * Examples:
 *   dotnet test tests/Carton.IntegrationTests                                  # test carton
 *   OCI_RUNTIME=/usr/sbin/runc dotnet test tests/Carton.IntegrationTests       # validate the suite on runc
 *
 * Requirements: run as root (containers need namespaces, mounts, cgroups) and a static busybox at
 * /bin/busybox (copied into every test bundle's rootfs). When a requirement is missing every test
 * fails with a message saying so: the suite never passes silently without exercising a runtime.
 *
 * Every test gets a fresh --root directory and bundle under /tmp (see ContainerTestEnv), a unique
 * container id ("it-" + 8 hex chars) and a LeakCheck (mounts, cgroup dirs, processes, fds, state dir).
 * All container tests live in one xunit collection (ContainerCollection) and run serially because
 * the leak checks look at global state (cgroup trees, host mount table).
 */

/// <summary>Shared, immutable suite configuration plus prerequisite checks.</summary>
public sealed class RuntimeFixture
{
    public const string BusyboxPath = "/bin/busybox";
    public const string DefaultDiffRuntime = "/usr/sbin/runc";

    public RuntimeFixture()
    {
        RepoRoot = FindRepoRoot();
        RuntimePath = Environment.GetEnvironmentVariable("OCI_RUNTIME") is { Length: > 0 } r
            ? r
            : Path.Combine(RepoRoot ?? "/nonexistent-repo-root", "artifacts", "bin", "carton");
        DiffRuntimePath = Environment.GetEnvironmentVariable("DIFF_RUNTIME") is { Length: > 0 } d ? d : DefaultDiffRuntime;

        var problems = new List<string>();
        if (Environment.UserName != "root" && !IsUidZero())
        {
            problems.Add("the integration tests must run as root (uid 0): containers need namespaces, mounts and cgroups");
        }
        if (!File.Exists(BusyboxPath))
        {
            problems.Add($"{BusyboxPath} not found: install busybox-static (the test rootfs is a static busybox)");
        }
        if (!File.Exists(RuntimePath))
        {
            problems.Add($"OCI runtime not found at '{RuntimePath}': build carton into artifacts/bin or set OCI_RUNTIME");
        }
        if (!File.Exists(DiffRuntimePath))
        {
            problems.Add($"reference runtime not found at '{DiffRuntimePath}': install runc or set DIFF_RUNTIME");
        }
        // Warm up System.Diagnostics.Process (it lazily opens fds for SIGCHLD handling) so that
        // LeakCheck's fd snapshot in the first test is not disturbed.
        ProcessRunner.Run("/bin/true", []);
        PrerequisiteError = problems.Count == 0 ? null : "Integration test prerequisites not met:\n  - " + string.Join("\n  - ", problems);
    }

    public string? RepoRoot { get; }

    /// <summary>Runtime under test (OCI_RUNTIME).</summary>
    public string RuntimePath { get; }

    /// <summary>Reference runtime (DIFF_RUNTIME).</summary>
    public string DiffRuntimePath { get; }

    public string? PrerequisiteError { get; }

    /// <summary>True when the runtime under test is runc (used to skip documented carton-only behaviours).</summary>
    public bool RuntimeIsRunc => Path.GetFileName(RuntimePath) == "runc";

    /// <summary>Fails the calling test with a clear message when the environment cannot run containers.</summary>
    public void RequirePrerequisites()
    {
        if (PrerequisiteError is not null)
        {
            Assert.Fail(PrerequisiteError);
        }
    }

    private static bool IsUidZero()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                return line.Split('\t', StringSplitOptions.RemoveEmptyEntries).Skip(1).FirstOrDefault() == "0";
            }
        }
        return false;
    }

    private static string? FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Carton.slnx")))
            {
                return dir.FullName;
            }
        }
        return null;
    }
}
