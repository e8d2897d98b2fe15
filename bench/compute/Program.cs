// Compute service benchmark (issue 5): latency of create / start / wait / delete of a compute system made from an
// OCI document, and the throughput of C concurrent full lifecycles, through the in-process library (ComputeService)
// and through the daemon (carton-serve + ComputeClient). Built and run by bench/compute.sh; needs root.
//
//   ComputeBench --carton PATH --serve PATH --bundle DIR --out FILE.json
//                [--iterations 30] [--warmup 3] [--concurrency 50] [--rounds 3] [--modes library,daemon]
//
// Every timed system is created from the same OciSystemDocument { Spec = <bundle>/config.json, Bundle = <bundle> }
// whose init is /bin/true. After each measurement the program checks that nothing is left: no state or scratch
// directory under the state root, no cgroup directory named after any id in /sys/fs/cgroup, no child process of
// the benchmark or of the daemon. A leftover fails the run (exit 3).
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text.Json;
using System.Text.Json.Nodes;
using Carton.Client;
using Carton.Compute;
using Carton.Compute.Linux;
using Carton.Oci;
using Process = System.Diagnostics.Process;

[assembly: SupportedOSPlatform("linux")]

namespace ComputeBench;

internal static class Program
{
    private static readonly string[] Phases = ["create", "start", "wait", "delete", "total"];

    private static async Task<int> Main(string[] args)
    {
        string? carton = null, serve = null, bundle = null, output = null;
        int iterations = 30, warmup = 3, concurrency = 50, rounds = 3;
        var modes = new List<string> { "library", "daemon" };
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--carton": carton = Path.GetFullPath(Next()); break;
                case "--serve": serve = Path.GetFullPath(Next()); break;
                case "--bundle": bundle = Path.GetFullPath(Next()); break;
                case "--out": output = Path.GetFullPath(Next()); break;
                case "--iterations": iterations = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--warmup": warmup = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--concurrency": concurrency = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--rounds": rounds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--modes": modes = [.. Next().Split(',', StringSplitOptions.RemoveEmptyEntries)]; break;
                default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
            }
        }
        if (carton is null || bundle is null || (modes.Contains("daemon") && serve is null))
        {
            Console.Error.WriteLine("usage: ComputeBench --carton PATH --serve PATH --bundle DIR [--out FILE] [--iterations N] [--warmup N] [--concurrency C] [--rounds R] [--modes library,daemon]");
            return 2;
        }

        var spec = SpecLoader.Load(Path.Combine(bundle, "config.json"));
        var document = new ComputeSystemDocument { Oci = new OciSystemDocument { Spec = spec, Bundle = bundle } };
        var report = new JsonObject
        {
            ["iterations"] = iterations,
            ["warmup"] = warmup,
            ["concurrency"] = concurrency,
            ["rounds"] = rounds,
            ["processorCount"] = Environment.ProcessorCount,
            ["threadPoolMinThreads"] = MinWorkerThreads(),
            ["bundle"] = bundle,
            ["modes"] = new JsonObject(),
        };
        bool clean = true;
        foreach (var mode in modes)
        {
            var tmp = Directory.CreateTempSubdirectory("carton-compute-bench-").FullName;
            var root = Path.Combine(tmp, "root");
            Daemon? daemon = null;
            IComputeService service;
            string prefix = $"cb{Environment.ProcessId}{mode[0]}";
            try
            {
                if (mode == "library")
                    service = new ComputeService(new ComputeServiceOptions { StateRoot = root, InitBinaryPath = carton });
                else if (mode == "daemon")
                {
                    daemon = await Daemon.StartAsync(serve!, Path.Combine(tmp, "carton.sock"), root, carton, Path.Combine(tmp, "serve.log"));
                    service = new ComputeClient(daemon.Socket);
                }
                else { Console.Error.WriteLine($"unknown mode {mode}"); return 2; }

                Console.WriteLine($"== {mode}: warmup {warmup}, latency {iterations} sequential lifecycles");
                for (int i = 0; i < warmup; i++) await Lifecycle(service, document, $"{prefix}-w{i:D3}");
                var lat = new List<Timing>();
                for (int i = 0; i < iterations; i++) lat.Add(await Lifecycle(service, document, $"{prefix}-l{i:D3}"));
                var latJson = Summarize(lat);
                PrintTable(lat);
                clean &= Leftovers(root, prefix, daemon?.Pid, $"{mode} latency", out var latCheck);

                var roundsJson = new JsonArray();
                var allConc = new List<Timing>();
                var walls = new List<double>();
                for (int r = 0; r < rounds; r++)
                {
                    Console.WriteLine($"== {mode}: throughput round {r + 1}/{rounds}, {concurrency} concurrent lifecycles");
                    var ids = Enumerable.Range(0, concurrency).Select(k => $"{prefix}-c{r}-{k:D3}").ToArray();
                    var sw = Stopwatch.StartNew();
                    // Task.Run: each lifecycle starts on the thread pool, so no caller-side synchronous prefix serializes them.
                    var results = await Task.WhenAll(ids.Select(id => Task.Run(() => Lifecycle(service, document, id))));
                    double wall = sw.Elapsed.TotalSeconds;
                    walls.Add(wall);
                    allConc.AddRange(results);
                    Console.WriteLine($"   wall {wall * 1e3:F0} ms: {concurrency / wall:F1} lifecycles/s, {4 * concurrency / wall:F1} ops/s");
                    clean &= Leftovers(root, prefix, daemon?.Pid, $"{mode} throughput round {r + 1}", out var rcheck);
                    roundsJson.Add(new JsonObject
                    {
                        ["wallSeconds"] = wall,
                        ["lifecyclesPerSecond"] = concurrency / wall,
                        ["opsPerSecond"] = 4 * concurrency / wall,
                        ["perPhaseMs"] = Summarize(results.ToList()),
                        ["leftoverCheck"] = rcheck,
                    });
                }
                PrintTable(allConc, "per-lifecycle latency under concurrency (all rounds)");
                var sortedWalls = walls.OrderBy(w => w).ToList();
                double medianWall = Percentile(sortedWalls, 50);
                (service as IDisposable)?.Dispose();
                if (daemon is not null)
                {
                    await daemon.StopAsync();
                    if (File.Exists(daemon.Socket)) Console.WriteLine($"note: {daemon.Socket} still exists after the daemon stopped");
                }
                clean &= Leftovers(root, prefix, null, $"{mode} final (daemon stopped)", out var finalCheck);
                if (daemon is not null && ProcessAlive(daemon.Pid)) { Console.WriteLine($"LEFTOVER: carton-serve {daemon.Pid} still running"); clean = false; }
                ((JsonObject)report["modes"]!)[mode] = new JsonObject
                {
                    ["latencyMs"] = latJson,
                    ["latencyLeftoverCheck"] = latCheck,
                    ["throughput"] = new JsonObject
                    {
                        ["concurrency"] = concurrency,
                        ["rounds"] = roundsJson,
                        ["medianWallSeconds"] = medianWall,
                        ["lifecyclesPerSecond"] = concurrency / medianWall,
                        ["opsPerSecond"] = 4 * concurrency / medianWall,
                        ["perPhaseMsAllRounds"] = Summarize(allConc),
                    },
                    ["finalLeftoverCheck"] = finalCheck,
                };
            }
            finally
            {
                if (daemon is not null) await daemon.StopAsync();
                try { Directory.Delete(tmp, recursive: true); }
                catch (Exception e) { Console.WriteLine($"note: could not remove {tmp}: {e.Message}"); clean = false; }
            }
        }
        report["clean"] = clean;
        var text = report.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        if (output is not null) File.WriteAllText(output, text + "\n");
        Console.WriteLine(clean ? "no leftovers in any check" : "LEFTOVERS found (see above)");
        return clean ? 0 : 3;
    }

    private static int MinWorkerThreads() { ThreadPool.GetMinThreads(out int w, out _); return w; }

    private sealed record Timing(double Create, double Start, double Wait, double Delete)
    {
        public double Total => Create + Start + Wait + Delete;
        public double Get(string phase) => phase switch
        {
            "create" => Create, "start" => Start, "wait" => Wait, "delete" => Delete, _ => Total,
        };
    }

    /// <summary>One full lifecycle; each phase timed on its own (ms). The exit code of /bin/true must be 0.</summary>
    private static async Task<Timing> Lifecycle(IComputeService service, ComputeSystemDocument document, string id)
    {
        var sw = Stopwatch.StartNew();
        var system = await service.CreateComputeSystemAsync(id, document);
        double create = sw.Elapsed.TotalMilliseconds;
        try
        {
            sw.Restart();
            await system.StartAsync();
            double start = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            int code = await system.WaitForExitAsync();
            double wait = sw.Elapsed.TotalMilliseconds;
            if (code != 0) throw new InvalidOperationException($"{id}: /bin/true exited with {code}");
            sw.Restart();
            await system.DeleteAsync();
            double delete = sw.Elapsed.TotalMilliseconds;
            return new Timing(create, start, wait, delete);
        }
        catch
        {
            try { await system.DeleteAsync(); } catch (ComputeException) { }
            throw;
        }
        finally
        {
            await system.DisposeAsync();
        }
    }

    private static double Percentile(List<double> sorted, double p)
    {
        if (sorted.Count == 0) return double.NaN;
        double rank = p / 100 * (sorted.Count - 1);
        int lo = (int)Math.Floor(rank), hi = (int)Math.Ceiling(rank);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
    }

    private static JsonObject Summarize(List<Timing> timings)
    {
        var o = new JsonObject { ["n"] = timings.Count };
        foreach (var phase in Phases)
        {
            var v = timings.Select(t => t.Get(phase)).OrderBy(x => x).ToList();
            double mean = v.Average();
            double sd = Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / Math.Max(1, v.Count - 1));
            o[phase] = new JsonObject
            {
                ["mean"] = Math.Round(mean, 3), ["stddev"] = Math.Round(sd, 3), ["median"] = Math.Round(Percentile(v, 50), 3),
                ["p95"] = Math.Round(Percentile(v, 95), 3), ["min"] = Math.Round(v[0], 3), ["max"] = Math.Round(v[^1], 3),
            };
        }
        return o;
    }

    private static void PrintTable(List<Timing> timings, string title = "latency (ms)")
    {
        Console.WriteLine($"   {title}, n={timings.Count}");
        Console.WriteLine($"   {"phase",-8} {"mean",8} {"median",8} {"p95",8} {"min",8} {"max",8}");
        foreach (var phase in Phases)
        {
            var v = timings.Select(t => t.Get(phase)).OrderBy(x => x).ToList();
            Console.WriteLine($"   {phase,-8} {v.Average(),8:F2} {Percentile(v, 50),8:F2} {Percentile(v, 95),8:F2} {v[0],8:F2} {v[^1],8:F2}");
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Leftover check
    // ---------------------------------------------------------------------------------------------------------------

    /// <summary>Nothing may be left: no entry in the state root other than an empty scratch directory, no cgroup
    /// directory whose name starts with the run's id prefix (any hierarchy, 5 levels deep), no child process of this
    /// program or of the daemon (other than the daemon itself).</summary>
    private static bool Leftovers(string root, string prefix, int? daemonPid, string what, out JsonObject check)
    {
        var problems = new List<string>();
        int stateEntries = 0, cgroupDirs = 0, processes = 0;
        if (Directory.Exists(root))
        {
            foreach (var e in Directory.EnumerateFileSystemEntries(root))
            {
                // the service's scratch root is ".scratch" beside the ids (docs/architecture.md, "One layout on disk"):
                // it stays; what is in it must not
                if (Path.GetFileName(e) is "scratch" or ".scratch" && Directory.Exists(e))
                {
                    foreach (var s in Directory.EnumerateFileSystemEntries(e)) { stateEntries++; problems.Add($"scratch entry {s}"); }
                    continue;
                }
                stateEntries++;
                problems.Add($"state entry {e}");
            }
        }
        int scanned = 0;
        void Walk(string dir, int depth)
        {
            IEnumerable<string> subs;
            try { subs = Directory.EnumerateDirectories(dir).ToList(); }
            catch (Exception) { return; }
            foreach (var d in subs)
            {
                scanned++;
                if (Path.GetFileName(d).StartsWith(prefix, StringComparison.Ordinal)) { cgroupDirs++; problems.Add($"cgroup directory {d}"); }
                if (depth < 5 && (File.GetAttributes(d) & FileAttributes.ReparsePoint) == 0) Walk(d, depth + 1);
            }
        }
        Walk("/sys/fs/cgroup", 1);
        int self = Environment.ProcessId;
        foreach (var p in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(p), out int pid)) continue;
            string stat;
            try { stat = File.ReadAllText(Path.Combine(p, "stat")); }
            catch (Exception) { continue; }
            // pid (comm) state ppid ...: comm may contain spaces and parentheses, so split after the last ')'.
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            int ppid = int.Parse(rest[1], CultureInfo.InvariantCulture);
            string comm = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
            if ((ppid == self && pid != daemonPid) || (daemonPid is { } d && ppid == d))
            {
                processes++;
                problems.Add($"process {pid} ({comm}) child of {(ppid == self ? "the benchmark" : "carton-serve")}");
            }
        }
        foreach (var pr in problems) Console.WriteLine($"LEFTOVER ({what}): {pr}");
        Console.WriteLine($"   check after {what}: {stateEntries} state/scratch entries, {cgroupDirs} cgroup directories named {prefix}* "
                          + $"({scanned} cgroup directories scanned), {processes} leftover processes{(problems.Count == 0 ? ": clean" : "")}");
        check = new JsonObject
        {
            ["stateEntries"] = stateEntries, ["cgroupDirectories"] = cgroupDirs, ["cgroupDirectoriesScanned"] = scanned,
            ["processes"] = processes, ["clean"] = problems.Count == 0,
        };
        return problems.Count == 0;
    }

    private static bool ProcessAlive(int pid) => Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ");

    // ---------------------------------------------------------------------------------------------------------------
    // The daemon
    // ---------------------------------------------------------------------------------------------------------------

    private sealed class Daemon
    {
        private readonly Process _process;
        private Daemon(Process p, string socket) { _process = p; Socket = socket; }
        public string Socket { get; }
        public int Pid => _process.Id;

        [DllImport("libc", SetLastError = true)]
        private static extern int kill(int pid, int sig);

        public static async Task<Daemon> StartAsync(string serve, string socket, string root, string carton, string log)
        {
            var psi = new ProcessStartInfo(serve)
            {
                ArgumentList = { "--socket", socket, "--root", root, "--init-binary", carton },
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            var p = Process.Start(psi)!;
            var logWriter = new StreamWriter(log) { AutoFlush = true };
            p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (logWriter) logWriter.WriteLine(e.Data); };
            p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (logWriter) logWriter.WriteLine(e.Data); };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            var d = new Daemon(p, socket);
            var sw = Stopwatch.StartNew();
            using var probe = new ComputeClient(socket);
            while (true)
            {
                if (p.HasExited) throw new InvalidOperationException($"carton-serve exited with {p.ExitCode} (see {log})");
                try
                {
                    if (File.Exists(socket))
                    {
                        await foreach (var _ in probe.EnumerateComputeSystemsAsync()) { }
                        Console.WriteLine($"   carton-serve {p.Id} ready on {socket} after {sw.ElapsedMilliseconds} ms");
                        return d;
                    }
                }
                catch (Exception) when (sw.Elapsed < TimeSpan.FromSeconds(15)) { }
                if (sw.Elapsed > TimeSpan.FromSeconds(15)) throw new TimeoutException($"carton-serve not ready after 15 s (see {log})");
                await Task.Delay(20);
            }
        }

        private bool _stopped;
        public async Task StopAsync()
        {
            if (_stopped) return;
            _stopped = true;
            if (!_process.HasExited)
            {
                kill(_process.Id, 15);   // SIGTERM: carton serve's graceful shutdown
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                try { await _process.WaitForExitAsync(cts.Token); }
                catch (OperationCanceledException) { Console.WriteLine("carton-serve did not stop within 15 s of SIGTERM: SIGKILL"); _process.Kill(); await _process.WaitForExitAsync(); }
            }
            Console.WriteLine($"   carton-serve exited with {_process.ExitCode}");
        }
    }
}
