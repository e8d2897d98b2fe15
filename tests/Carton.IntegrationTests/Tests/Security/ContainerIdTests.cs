using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests.Security;

/// <summary>
/// Container ids with path components (design.md §3.6: ids match ^[A-Za-z0-9_+-][A-Za-z0-9_+.-]*$) must be
/// rejected before anything is created, inside or outside --root.
/// </summary>
public sealed class ContainerIdTests(RuntimeFixture fixture) : FeatureTestBase(fixture)
{
    [Theory]
    [InlineData("../escape")]
    [InlineData("a/../../b")]
    [InlineData("/abs-carton-it")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("a/b")]
    [InlineData("../../../../../../tmp/carton-escape")]
    public void CreateWithPathLikeId_FailsAndCreatesNothing(string id)
    {
        Bundle.SetArgs("sleep", "100");
        Directory.CreateDirectory(Rt.Root);
        var sandboxBefore = Snapshot(Env.Dir);
        // Where a runtime joining --root and the id as strings would land (other test sessions may create
        // unrelated /tmp entries concurrently, so only these candidate paths are checked outside the sandbox).
        var candidates = new[] { Rt.Root, Path.Combine(Rt.Root, "x"), "/run/carton", "/run/carton/runtime", "/" }
            .Select(b => Path.GetFullPath(b + "/" + id))
            .Append(id.StartsWith('/') ? id : Path.GetFullPath(id, "/"))
            .Where(p => !Directory.Exists(p) && !File.Exists(p) && p != "/")
            .Distinct()
            .ToList();

        var r = CreateContainer(id);
        try
        {
            AssertFailed(r, $"create with id '{id}'");
            foreach (var other in new[] { "run", "delete", "state", "kill" })
            {
                var o = other == "run" ? RunContainer(id, "-d") : Rt.Exec(other == "kill" ? [other, id, "KILL"] : [other, id]);
                AssertFailed(o, $"{other} with id '{id}'");
            }
            var newInSandbox = Snapshot(Env.Dir).Except(sandboxBefore).ToList();
            Assert.True(newInSandbox.Count == 0, $"create '{id}' left entries in the sandbox: {string.Join(", ", newInSandbox)}\n{r}");
            var created = candidates.Where(p => Directory.Exists(p) || File.Exists(p)).ToList();
            Assert.True(created.Count == 0, $"create '{id}' created entries outside --root: {string.Join(", ", created)}\n{r}");
            Env.AssertNoLeaks();
        }
        finally
        {
            if (Directory.Exists("/abs-carton-it"))
            {
                Directory.Delete("/abs-carton-it", recursive: true);
            }
        }
    }

    /// <summary>
    /// An id with a trailing newline (a pattern anchored with <c>$</c> instead of <c>\z</c> accepts "abc\n" in .NET)
    /// is refused by every command, creates nothing under --root, and never resolves to the container without it.
    /// </summary>
    [Theory]
    [InlineData("\n")]
    [InlineData(".y\n")]
    public void IdWithTrailingNewline_IsRefusedByEveryCommand(string suffix)
    {
        Bundle.SetArgs("sleep", "100");
        // A real container whose id is the newline id without its newline: no command may reach it through "id\n".
        var id = Env.NewId();
        Assert.True(CreateContainer(id).Succeeded, "create of the plain id failed");
        var bad = id + suffix;
        // A cgroup path of its own: otherwise a runtime that took the id would still fail, later, to make a cgroup
        // named after it (cgroupfs refuses "\n" in a name), and the test would not show the id check missing.
        Bundle.SetLinux("cgroupsPath", "/carton-it-nl-" + Guid.NewGuid().ToString("N")[..8]);
        var before = Directory.EnumerateFileSystemEntries(Rt.Root).ToHashSet();
        try
        {
            foreach (var command in new[] { "create", "run", "state", "kill", "delete", "start", "pause", "exec" })
            {
                var r = command switch
                {
                    "create" => CreateContainer(bad),
                    "run" => RunContainer(bad, "-d"),
                    "kill" => Rt.Exec(["kill", bad, "KILL"]),
                    "exec" => Rt.Exec(["exec", bad, "true"]),
                    "delete" => Rt.Exec(["delete", "--force", bad]),
                    _ => Rt.Exec([command, bad]),
                };
                if (command == "delete" && r.Succeeded)
                {
                    // runc (and carton before the \z fix) treat a forced delete of a missing container as done; what
                    // matters is that it touched nothing: the plain container is checked below.
                }
                else
                {
                    AssertFailed(r, $"{command} with id {bad.ReplaceLineEndings("\\n")}");
                    Assert.True(r.Stderr.Contains("invalid", StringComparison.OrdinalIgnoreCase) || r.Stderr.Contains("does not exist", StringComparison.Ordinal),
                        $"{command}: expected an invalid-id (or does-not-exist) error:\n{r}");
                }
                Assert.Equal("created", Rt.Status(id));
            }
            var after = Directory.EnumerateFileSystemEntries(Rt.Root).ToHashSet();
            Assert.True(after.SetEquals(before), $"--root changed: {string.Join(", ", after.Except(before).Select(e => e.ReplaceLineEndings("\\n")))}");
            Assert.Equal([id], Rt.ListIds());
        }
        finally
        {
            // If a command wrongly accepted the id, its container must not outlive the test.
            Rt.Exec(["delete", "--force", bad]);
        }
        Rt.MustRun("delete", "--force", id);
        Env.AssertNoLeaks();
    }

    private HashSet<string> Snapshot(string dir) =>
        Directory.EnumerateFileSystemEntries(dir, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Where(e => !e.StartsWith(Bundle.Rootfs + "/", StringComparison.Ordinal))
            .ToHashSet();
}
