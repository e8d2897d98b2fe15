using System.Diagnostics;
using System.Text;

namespace Carton.Docker.Testcontainers.Tests;

/// <summary>
/// Runs a test of this assembly inside a network namespace of its own.
/// <para>
/// The daemon publishes container ports with firewall rules and a bridge, and the test must send traffic only to
/// loopback and to its own containers, so the daemon, the registry and the process that connects to published
/// ports all live in a namespace the test makes. Testcontainers connects to the mapped port itself (its HTTP wait
/// strategy, and the test's own HttpClient), from the test process, so the test process must be in that namespace
/// too. A namespace is per thread on Linux, and setns on one thread of the test host would not hold for the async
/// continuations (they resume on any pool thread) nor for Testcontainers' own tasks; so the whole test process is
/// started inside instead: a test run in the host's namespace (<see cref="Name"/> is null) makes a namespace with
/// `ip netns add`, and runs `nsenter --net=/run/netns/NAME -- dotnet test THIS.dll --filter THE_TEST` with
/// CARTON_TC_NETNS=NAME in its environment, and passes or fails with that child. The child's test sees the variable,
/// checks that it really is in that namespace (`ip netns identify`) and runs the scenario: registry, carton-serve,
/// skopeo and Testcontainers are all its children or itself, so all in the namespace. nsenter --net only: the
/// mount namespace stays the host's (as in tests/Carton.Service.Tests/DaemonFixture.cs), where the daemon's pins
/// and mounts are visible and cleaned up.
/// </para>
/// </summary>
public static class TestNamespace
{
    public const string Variable = "CARTON_TC_NETNS";

    /// <summary>The namespace this process was started inside for its test (checked), or null in the host's.</summary>
    public static string? Name { get; } = Inside();

    private static string? Inside()
    {
        var name = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(name)) return null;
        var here = Run("ip", TimeSpan.FromSeconds(10), "netns", "identify", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!here.Out.Split('\n', StringSplitOptions.TrimEntries).Contains(name))
            throw new InvalidOperationException($"{Variable}={name}, but this process is in network namespace '{here.Out.Trim()}' ({here.Err.Trim()})");
        return name;
    }

    /// <summary>
    /// Makes a namespace (loopback up), runs the test <paramref name="fullyQualifiedName"/> of this assembly inside
    /// it as a child `dotnet test` with <paramref name="environment"/> added, deletes the namespace, and returns the
    /// child's exit code and output (stdout and stderr together).
    /// </summary>
    public static (int Exit, string Output) RunTestInside(string fullyQualifiedName, IReadOnlyDictionary<string, string> environment, string resultsDirectory, TimeSpan timeout)
    {
        var name = "carton-tc-" + Guid.NewGuid().ToString("N")[..8];
        Check(Run("ip", TimeSpan.FromSeconds(10), "netns", "add", name), "ip netns add");
        try
        {
            Check(Run("ip", TimeSpan.FromSeconds(10), "-n", name, "link", "set", "lo", "up"), "ip link set lo up");
            var dotnet = Environment.ProcessPath is { } p && Path.GetFileName(p) == "dotnet" ? p : "dotnet";
            var psi = new ProcessStartInfo("nsenter") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { $"--net=/run/netns/{name}", "--", dotnet, "test", Path.Combine(AppContext.BaseDirectory, typeof(TestNamespace).Assembly.GetName().Name + ".dll"),
                         "--filter", $"FullyQualifiedName={fullyQualifiedName}", "--results-directory", resultsDirectory,
                         "--logger", "console;verbosity=normal" })
                psi.ArgumentList.Add(a);
            // the outer run's test platform variables would make the child talk to the outer run's runner
            foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("VSTEST_", StringComparison.Ordinal) || k.StartsWith("TESTINGPLATFORM_", StringComparison.Ordinal)).ToList())
                psi.Environment.Remove(key);
            foreach (var (k, v) in environment) psi.Environment[k] = v;
            psi.Environment[Variable] = name;
            var output = new StringBuilder();
            using var child = Process.Start(psi)!;
            child.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            child.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            child.BeginOutputReadLine();
            child.BeginErrorReadLine();
            if (!child.WaitForExit(timeout))
            {
                child.Kill(true);
                child.WaitForExit();
                lock (output) output.AppendLine($"(killed after {timeout.TotalSeconds} s)");
                return (-1, output.ToString());
            }
            child.WaitForExit();
            lock (output) return (child.ExitCode, output.ToString());
        }
        finally
        {
            Run("ip", TimeSpan.FromSeconds(10), "netns", "delete", name);
        }
    }

    public static (int Exit, string Out, string Err) Run(string file, TimeSpan timeout, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout)) p.Kill(true);
        p.WaitForExit();
        return (p.ExitCode, o.Result, e.Result);
    }

    public static void Check((int Exit, string Out, string Err) r, string what)
    {
        if (r.Exit != 0) throw new InvalidOperationException($"{what} exited {r.Exit}: {r.Err}{r.Out}");
    }
}
