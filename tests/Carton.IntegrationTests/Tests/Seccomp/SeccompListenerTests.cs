using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests.Seccomp;

/// <summary>
/// linux.seccomp.listenerPath (runtime.md "Seccomp"): with a SCMP_ACT_NOTIFY rule the runtime sends the filter's
/// notify fd to the listener over SCM_RIGHTS, with the container process state as the message payload.
/// runc 1.1.5 implements this too, so the test runs on both.
/// </summary>
[Collection(ContainerCollection.Name)]
public sealed class SeccompListenerTests(RuntimeFixture fixture) : FeatureTestBase(fixture)
{
    [Fact]
    public async Task TheNotifyFdReachesTheListenerWithTheContainerState()
    {
        var socket = Path.Combine(Bundle.Dir, "seccomp.sock");
        using var listener = new ConsoleSocketListener(socket);
        Bundle.Mutate(c =>
        {
            c["process"]!["noNewPrivileges"] = true;
            c["linux"]!["seccomp"] = new JsonObject
            {
                ["defaultAction"] = "SCMP_ACT_ALLOW",
                ["listenerPath"] = socket,
                ["listenerMetadata"] = "carton-test-metadata",
                ["syscalls"] = new JsonArray(new JsonObject { ["names"] = new JsonArray("mkdir"), ["action"] = "SCMP_ACT_NOTIFY" }),
            };
        });
        Bundle.SetShell("echo started").Save();
        var received = listener.AcceptMasterAsync(TimeSpan.FromSeconds(20));
        var r = RunContainer(Env.NewId());
        Assert.True(r.Succeeded, $"run with a seccomp listener failed:\n{r}");
        int fd = await received;
        try
        {
            Assert.True(fd >= 0, "no fd received");
            Assert.Contains("anon_inode:seccomp notify", new FileInfo($"/proc/self/fd/{fd}").LinkTarget ?? "");
            var payload = JsonNode.Parse(listener.ReceivedName!)!;
            Assert.Equal("seccompFd", (string?)payload["fds"]![0]);
            Assert.Equal("carton-test-metadata", (string?)payload["metadata"]);
            Assert.True((int)payload["pid"]! > 0);
            Assert.False(string.IsNullOrEmpty((string?)payload["state"]!["id"]));
        }
        finally { ConsoleSocketListener.CloseFd(fd); }
        AssertStdoutContains(r, "started");
    }
}
