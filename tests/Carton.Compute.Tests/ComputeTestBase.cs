using System.Text;
using Carton.Oci;

using Carton.Compute.Linux;

namespace Carton.Compute.Tests;

/// <summary>Skips unless running as root with the built carton binary (these tests run real containers).</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Environment.UserName != "root" && Carton.Linux.Processes.CurrentProcess.EffectiveUserId != 0) Skip = "needs root (runs containers)";
        else if (!File.Exists(Layers.InitBinary)) Skip = $"{Layers.InitBinary} not built: run ./scripts/build.sh";
        else if (!File.Exists(Layers.Busybox)) Skip = $"{Layers.Busybox} not found: install busybox-static";
    }
}

/// <summary>Layer directories shared by every test (read-only to the containers: overlayfs lower layers).</summary>
public static class Layers
{
    public const string Busybox = "/bin/busybox";
    public static readonly string RepoRoot = FindRepoRoot();
    public static string InitBinary => Path.Combine(RepoRoot, "artifacts", "bin", "carton");
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "carton-compute-tests-" + Environment.ProcessId);
    private static readonly Lazy<string> BaseLayer = new(CreateBase);

    /// <summary>A busybox root: /bin with every applet, /etc/passwd, /etc/marker = "base".</summary>
    public static string Base => BaseLayer.Value;

    public static string NewLayer(Action<string> fill)
    {
        var dir = Path.Combine(Root, "layer-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        fill(dir);
        return dir;
    }

    private static string CreateBase()
    {
        var rootfs = Path.Combine(Root, "base");
        var bin = Path.Combine(rootfs, "bin");
        Directory.CreateDirectory(bin);
        foreach (var d in new[] { "proc", "sys", "dev", "tmp", "etc", "root" }) Directory.CreateDirectory(Path.Combine(rootfs, d));
        File.Copy(Busybox, Path.Combine(bin, "busybox"));
        File.SetUnixFileMode(Path.Combine(bin, "busybox"), (UnixFileMode)0b111_101_101);
        var psi = new System.Diagnostics.ProcessStartInfo(Busybox, "--list") { RedirectStandardOutput = true };
        using (var p = System.Diagnostics.Process.Start(psi)!)
        {
            foreach (var applet in p.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                // `busybox --list` names busybox itself: that one is the real file.
                if (applet == "busybox") continue;
                var link = Path.Combine(bin, applet);
                if (!File.Exists(link)) File.CreateSymbolicLink(link, "busybox");
            }
            p.WaitForExit();
        }
        File.SetUnixFileMode(Path.Combine(rootfs, "tmp"), (UnixFileMode)0b1_111_111_111);
        File.WriteAllText(Path.Combine(rootfs, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        File.WriteAllText(Path.Combine(rootfs, "etc/group"), "root:x:0:\n");
        File.WriteAllText(Path.Combine(rootfs, "etc/marker"), "base\n");
        return rootfs;
    }

    private static string FindRepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Carton.slnx"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("Carton.slnx not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>
/// One service per test, on its own state root; after the test, asserts that nothing is left: no mount under the
/// state root, no state or scratch directory, no cgroup directory named after an id, no process in such a cgroup.
/// </summary>
public abstract class ComputeTestBase : IAsyncLifetime
{
    private readonly List<string> _ids = [];
    protected readonly string StateRoot = Path.Combine("/run/carton-compute-tests", Guid.NewGuid().ToString("N")[..12]);
    protected ComputeService Service { get; }

    protected ComputeTestBase()
    {
        Service = new ComputeService(new ComputeServiceOptions { StateRoot = StateRoot, InitBinaryPath = Layers.InitBinary });
    }

    protected string NewId()
    {
        var id = "ct-" + Guid.NewGuid().ToString("N")[..10];
        _ids.Add(id);
        return id;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // Whatever a failed test left is deleted first, so that one failure does not cascade; then the checks.
        foreach (var id in _ids)
        {
            try { await (await Service.OpenComputeSystemAsync(id)).DeleteAsync(); }
            catch (ComputeException) { }
        }
        string? report = null;
        for (int i = 0; i < 30 && (report = Leaks()) is not null; i++) await Task.Delay(100);
        if (report is null)
            try { Directory.Delete(StateRoot, recursive: true); } catch (IOException) { }
        Assert.True(report is null, "left behind:\n" + report);
    }

    private string? Leaks()
    {
        var sb = new StringBuilder();
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
            if (line.Contains(StateRoot, StringComparison.Ordinal)) sb.AppendLine("mount: " + line);
        foreach (var id in _ids)
        {
            if (Directory.Exists(Path.Combine(StateRoot, id))) sb.AppendLine("state dir: " + id);
            if (Directory.Exists(Path.Combine(Service.ScratchRoot, id))) sb.AppendLine("scratch dir: " + id);
        }
        foreach (var dir in CgroupDirs()) sb.AppendLine("cgroup: " + dir);
        foreach (var pid in Directory.EnumerateDirectories("/proc").Select(Path.GetFileName))
        {
            if (!int.TryParse(pid, out _)) continue;
            string cg;
            try { cg = File.ReadAllText($"/proc/{pid}/cgroup"); } catch (IOException) { continue; }
            if (_ids.Any(id => cg.Contains(id, StringComparison.Ordinal)))
            {
                string stat;
                try { stat = File.ReadAllText($"/proc/{pid}/stat"); } catch (IOException) { continue; }
                sb.AppendLine($"process {stat}");
            }
        }
        return sb.Length == 0 ? null : sb.ToString();
    }

    private IEnumerable<string> CgroupDirs()
    {
        var found = new List<string>();
        void Walk(string dir, int depth)
        {
            IEnumerable<string> subs;
            try { subs = Directory.EnumerateDirectories(dir).ToList(); } catch (IOException) { return; } catch (UnauthorizedAccessException) { return; }
            foreach (var s in subs)
            {
                if (_ids.Contains(Path.GetFileName(s))) found.Add(s);
                else if (depth < 3) Walk(s, depth + 1);
            }
        }
        Walk("/sys/fs/cgroup", 0);
        return found;
    }

    protected static Spec OciSpec(string rootfs, params string[] args)
    {
        var spec = DefaultSpec.Create(rootless: false);
        spec.Process!.Terminal = false;
        spec.Process.Args = [.. args];
        spec.Root = new Root { Path = rootfs, Readonly = true };
        return spec;
    }

    protected static ComputeSystemDocument Hcs(ProcessParameters? init = null, Action<HcsContainer>? edit = null, params string[] layers)
    {
        var c = new HcsContainer
        {
            Storage = new HcsStorage { Layers = (layers.Length == 0 ? [Layers.Base] : layers).Select((p, i) => new HcsLayer { Id = "l" + i, Path = p }).ToList() },
            InitProcess = init,
        };
        edit?.Invoke(c);
        return new ComputeSystemDocument { Hcs = new HcsSystemDocument { Owner = "tests", Container = c } };
    }

    protected static ProcessParameters Sh(string script, bool stdout = false, bool stdin = false, bool stderr = false) => new()
    {
        CommandArgs = ["sh", "-c", script], CreateStdOutPipe = stdout, CreateStdInPipe = stdin, CreateStdErrPipe = stderr,
    };

    /// <summary>Creates and starts an idle system (HCS document without an init process).</summary>
    protected async Task<IComputeSystem> StartIdleAsync(string id, Action<HcsContainer>? edit = null)
    {
        var system = await Service.CreateComputeSystemAsync(id, Hcs(null, edit));
        await system.StartAsync();
        return system;
    }

    protected static async Task<string> ReadAllAsync(Stream s, int seconds = 20)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        using var reader = new StreamReader(s);
        return await reader.ReadToEndAsync(cts.Token);
    }

    protected static async Task<T> Within<T>(Task<T> task, int seconds = 20) => await task.WaitAsync(TimeSpan.FromSeconds(seconds));
}
