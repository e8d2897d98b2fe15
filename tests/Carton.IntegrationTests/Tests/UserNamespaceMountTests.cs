using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests;

/// <summary>
/// Mounts a user namespace forbids: sysfs without a network namespace of the container's own is refused by the
/// kernel, and carton binds the host's /sys instead. runc does that only for rootless runs; run as root it fails
/// ("error mounting sysfs ... operation not permitted"), so the test is carton's own.
/// </summary>
[Collection(ContainerCollection.Name)]
public sealed class UserNamespaceMountTests(RuntimeFixture fixture) : FeatureTestBase(fixture)
{
    [SkipOnRuncFact("runc 1.1.5 binds the host's /sys only when rootless; as root it fails to mount sysfs here")]
    public void SysfsInAUserNamespaceWithoutANetworkNamespaceIsTheHostsBound()
    {
        Bundle.Mutate(c =>
        {
            var ns = (JsonArray)c["linux"]!["namespaces"]!;
            foreach (var n in ns.Where(n => (string?)n!["type"] == "network").ToList()) ns.Remove(n);
            ns.Add(new JsonObject { ["type"] = "user" });
            c["linux"]!["uidMappings"] = new JsonArray(new JsonObject { ["containerID"] = 0, ["hostID"] = 100000, ["size"] = 65536 });
            c["linux"]!["gidMappings"] = new JsonArray(new JsonObject { ["containerID"] = 0, ["hostID"] = 100000, ["size"] = 65536 });
        });
        Bundle.SetShell("ls /sys; id -u").Save();
        var r = RunOk("userns without netns");
        AssertStdoutContains(r, "class");
        AssertStdoutContains(r, "devices");
        Assert.Equal("0", r.Stdout.Trim().Split('\n')[^1]);
    }
}
