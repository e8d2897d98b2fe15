using System.Diagnostics;

namespace Carton.Docker.Tests;

/// <summary>
/// docker-py (Debian's python3-docker, for /usr/bin/python3) as a real client (issue 17, "Real clients as tests"):
/// scripts/docker-py-check.py against the fixture's Docker socket and busybox in the fixture's registry. The script
/// runs each step of issue 17's calls (volumes, run -v, restart policies, healthchecks, events, stats, top, df, pause,
/// rename, update, logs, exec, networks, prunes, and the images' save, load, login and push) and prints "ok: GROUP/STEP"
/// after checking what the daemon answered; it removes what it made. The test wants exit 0 and every step's ok line,
/// in order: a step skipped or lost fails it as surely as a step that fails.
/// </summary>
[Collection("docker")]
public sealed class DockerPyTests(DockerFixture fixture) : DockerCliTestBase(fixture)
{
    private const string Python = "/usr/bin/python3";
    private static readonly string Script = Path.Combine(DockerFixture.RepoRoot, "scripts", "docker-py-check.py");

    /// <summary>Every step of the script, in its order (its STEPS table).</summary>
    private static readonly string[] Steps =
    [
        "volumes/create-list-inspect", "volumes/in-use-refused-then-removed",
        "run/named-volume",
        "restart/on-failure", "restart/always",
        "health/healthy", "health/unhealthy",
        "events/since-until-filters",
        "observe/stats", "observe/top", "observe/df",
        "lifecycle/pause-unpause", "lifecycle/rename", "lifecycle/update",
        "exec-logs/logs", "exec-logs/exec-run",
        "networks/create-connect-disconnect",
        "prune/containers", "prune/networks", "prune/volumes", "prune/images",
        "images-transfer/save", "images-transfer/load", "images-transfer/login", "images-transfer/push",
    ];

    [DockerPyFact]
    public void DockerPy_Calls_Of_Issue17()
    {
        var image = Image();
        var psi = new ProcessStartInfo("nsenter") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // --keep-going: every step runs, so that a failure shows every step that fails, not just the first.
        // In the fixture's namespace, as the CLIs run: the registry is on its loopback (the daemon pushes and pulls,
        // but a step that reached the registry from the client would find it there too)
        foreach (var a in new[] { $"--net=/run/netns/{fx.Netns}", "--", Python, Script, "--keep-going", "--registry", fx.Registry.Host, "--image", image })
            psi.ArgumentList.Add(a);
        psi.Environment["DOCKER_HOST"] = "unix://" + fx.DockerSocket;
        psi.Environment["DOCKER_CONFIG"] = fx.DockerConfig;
        psi.Environment.Remove("DOCKER_API_VERSION");
        psi.Environment.Remove("DOCKER_TLS_VERIFY");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(true);
            Assert.Fail($"docker-py-check.py did not finish in 5 minutes:\n{stdout.Result}{stderr.Result}");
        }
        p.WaitForExit();
        var output = stdout.Result + stderr.Result;
        var why = $"docker-py-check.py exited {p.ExitCode}:\n{output}\n--- daemon log (tail) ---\n{Tail(fx.Log)}";
        var ok = stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("ok: ", StringComparison.Ordinal)).Select(l => l[4..]).ToArray();
        Assert.True(p.ExitCode == 0, why);
        Assert.Equal(ExpectedSteps(), ok);
    }

    /// <summary>The steps the script runs: all of them, less the groups PYCHECK_SKIP names (the script reads it too;
    /// for a branch that lacks a group's endpoints, never set in CI).</summary>
    private static string[] ExpectedSteps()
    {
        var skip = (Environment.GetEnvironmentVariable("PYCHECK_SKIP") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return [.. Steps.Where(s => !skip.Contains(s.Split('/')[0]))];
    }

    /// <summary>As <see cref="DockerFactAttribute"/>, and skipped with the reason when /usr/bin/python3 cannot import
    /// docker (scripts/install-deps.sh installs python3-docker).</summary>
    private sealed class DockerPyFactAttribute : FactAttribute
    {
        public DockerPyFactAttribute()
        {
            if (DockerFixture.StaticProblem() is { } problem) Skip = problem;
            else if (!File.Exists(Python) || DockerFixture.Run(Python, "-c", "import docker").Exit != 0)
                Skip = $"{Python} cannot import docker: install python3-docker (scripts/install-deps.sh)";
        }
    }
}
