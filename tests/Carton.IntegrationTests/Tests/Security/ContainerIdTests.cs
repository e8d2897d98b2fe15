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

    private HashSet<string> Snapshot(string dir) =>
        Directory.EnumerateFileSystemEntries(dir, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Where(e => !e.StartsWith(Bundle.Rootfs + "/", StringComparison.Ordinal))
            .ToHashSet();
}
