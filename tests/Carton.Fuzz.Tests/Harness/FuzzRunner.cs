using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using CsCheck;
using Xunit.Abstractions;

namespace Carton.Fuzz.Tests.Harness;

/// <summary>
/// Runs a <see cref="FuzzTarget"/>: <see cref="FuzzSettings.Inputs"/> inputs through CsCheck's Sample, half from the
/// structure-aware generator and half mutated from the corpus, each under the <see cref="Watchdog"/>. An exception
/// the oracle does not accept, or a hang, is a finding: counted by kind (type and throwing frame), its smallest input
/// written to <see cref="FuzzSettings.FindingsDir"/>. The run goes on to the end so the figures count every finding;
/// the test then fails listing them.
/// </summary>
public static class FuzzRunner
{
    public sealed record Result(string Target, long Inputs, TimeSpan Elapsed, IReadOnlyList<Finding> Findings)
    {
        public double PerSecond => Inputs / Math.Max(Elapsed.TotalSeconds, 1e-9);

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"fuzz {Target}: {Inputs} inputs in {Elapsed.TotalSeconds:F1} s ({PerSecond:F0}/s), {Findings.Count} findings");
    }

    public static Result Run(FuzzTarget target, ITestOutputHelper? output = null)
    {
        var seeds = target.Seeds;
        var mutated = ByteMutator.Mutants(seeds);
        var inputs = Gen.Frequency((1, target.Structured), (1, mutated));
        var findings = new ConcurrentDictionary<string, Finding>();

        void Record(string key, Exception? e, byte[] input) =>
            findings.AddOrUpdate(key, _ => new Finding(key, e, input), (_, f) => { lock (f) f.Add(e, input); return f; });

        long count = 0;
        var clock = Stopwatch.StartNew();
        using (var watchdog = new Watchdog(FuzzSettings.TimeoutMs, (input, ran) =>
                   Record("hang", new TimeoutException($"still running after {ran.TotalSeconds:F1} s"), input)))
        {
            inputs.Sample(input =>
            {
                Interlocked.Increment(ref count);
                watchdog.Enter(input);
                try { target.Exercise(input); }
                catch (Exception e) when (!target.IsTypedError(e)) { Record(KeyOf(e), e, input); }
                catch (Exception) { /* the typed error for this input: what the oracle wants */ }
                finally { watchdog.Exit(); }
            }, seed: FuzzSettings.Seed, iter: FuzzSettings.Inputs, threads: FuzzSettings.Threads);
        }
        // On a loaded machine (2 cores shared with other builds here) a thread can be descheduled for seconds: a
        // "hang" counts only if its input, run again alone, overruns the timeout again.
        if (findings.TryGetValue("hang", out var hang) && Reruns(target, hang.Input))
        {
            findings.TryRemove("hang", out _);
            output?.WriteLine($"fuzz {target.Name}: {hang.Count} inputs overran the watchdog under load, but the smallest ran in time alone: not a hang");
        }
        var result = new Result(target.Name, count, clock.Elapsed, [.. findings.Values.OrderBy(f => f.Key, StringComparer.Ordinal)]);
        Report(result, output);
        return result;
    }

    /// <summary>Runs and fails the test when anything was found, listing each finding and where its input was written.</summary>
    public static void Check(FuzzTarget target, ITestOutputHelper? output = null)
    {
        var result = Run(target, output);
        Assert.True(result.Findings.Count == 0,
            $"{result}\n" + string.Join("\n\n", result.Findings.Select(f => $"{f}\ninput: {Save(target.Name, f)}")));
    }

    /// <summary>Runs every corpus seed once, as is: each must pass the oracle (the corpus holds earlier findings too).</summary>
    public static void ReplayCorpus(FuzzTarget target)
    {
        var bad = new List<string>();
        foreach (var (name, bytes) in Corpus.Files(target.Name))
        {
            try { target.Exercise(bytes); }
            catch (Exception e) when (!target.IsTypedError(e)) { bad.Add($"{name}: {e}"); }
            catch (Exception) { }
        }
        Assert.True(bad.Count == 0, string.Join("\n\n", bad));
    }

    /// <summary>Runs <paramref name="input"/> alone on a fresh thread: true when it finishes within the timeout.</summary>
    private static bool Reruns(FuzzTarget target, byte[] input)
    {
        var run = new Thread(() => { try { target.Exercise(input); } catch (Exception) { } }) { IsBackground = true };
        run.Start();
        return run.Join(FuzzSettings.TimeoutMs);
    }

    private static string KeyOf(Exception e)
    {
        var frame = new StackTrace(e, false).GetFrames().Select(f => f.GetMethod())
            .FirstOrDefault(m => m?.DeclaringType?.Namespace?.StartsWith("Carton", StringComparison.Ordinal) == true);
        return $"{e.GetType().FullName} at {frame?.DeclaringType?.FullName}.{frame?.Name}";
    }

    private static string Save(string target, Finding f)
    {
        Directory.CreateDirectory(FuzzSettings.FindingsDir);
        var name = $"{target}-{Convert.ToHexStringLower(SHA256.HashData(f.Input))[..12]}";
        var path = Path.Combine(FuzzSettings.FindingsDir, name + ".bin");
        File.WriteAllBytes(path, f.Input);
        File.WriteAllText(Path.Combine(FuzzSettings.FindingsDir, name + ".txt"), f.ToString());
        return path;
    }

    private static void Report(Result result, ITestOutputHelper? output)
    {
        output?.WriteLine(result.ToString());
        foreach (var f in result.Findings) output?.WriteLine($"  finding: {f.Key} ({f.Count} inputs) -> {Save(result.Target, f)}");
        if (FuzzSettings.ReportFile is { } file)
        {
            var lines = new List<string> { result.ToString() };
            lines.AddRange(result.Findings.Select(f => $"  finding: {f.Key} ({f.Count} inputs) -> {Save(result.Target, f)}"));
            lock (typeof(FuzzRunner)) File.AppendAllLines(file, lines);
        }
    }
}
