using System.Text.RegularExpressions;

namespace Carton.Architecture.Tests;

/// <summary>
/// docs/architecture.md, "One layout on disk": every directory that holds ids holds only ids and names starting with
/// '.', and no socket, pin or cache shares a directory with ids. The defaults of each layer are checked here against
/// that layout, so moving one of them without the others fails.
/// </summary>
public sealed partial class HostLayoutTests
{
    [GeneratedRegex("^[A-Za-z0-9_+-][A-Za-z0-9_+.-]*$")]
    private static partial Regex IdGrammar();

    private static readonly string RuntimeRoot = Carton.Runtime.Rootless.RootStateRoot;
    private static readonly string ComputeRoot = Carton.Compute.Linux.ComputeServiceOptions.DefaultStateRoot;
    private static readonly string DaemonSocket = Carton.Client.ComputeClient.DefaultSocketPath;

    [Fact]
    public void Defaults_AreWhereTheLayoutSays()
    {
        Assert.Equal("/run/carton/runtime", RuntimeRoot);
        Assert.Equal("/run/carton/compute", ComputeRoot);
        Assert.Equal("/run/carton/carton.sock", DaemonSocket);
        Assert.Equal("/var/lib/carton", Carton.Images.Content.ImageStore.DefaultRoot);
        Assert.Equal(Carton.Images.Content.ImageStore.DefaultRoot, new Carton.Compute.Linux.ComputeServiceOptions().ImageRoot);
        // networks (issue 12): definitions persist beside the images, attachments and pins are runtime data
        Assert.Equal("/var/lib/carton/networks", Carton.Network.NetworkDefaults.StateRoot);
        Assert.Equal("/run/carton/network", Carton.Network.NetworkDefaults.RunRoot);
        Assert.Equal("/run/carton/netns", Carton.Network.NetworkDefaults.NetnsDirectory);
        var options = new Carton.Network.Linux.NetworkServiceOptions();
        Assert.Equal(Carton.Network.NetworkDefaults.StateRoot, options.StateRoot);
        Assert.Equal(Carton.Network.NetworkDefaults.RunRoot, options.RunRoot);
        Assert.Equal(Carton.Network.NetworkDefaults.NetnsDirectory, options.NetnsDirectory);
    }

    [Fact]
    public void NoIdDirectory_HoldsASocket_OrAnotherIdDirectory()
    {
        // the namespace pins are named by namespace id (a compute system's id) too
        string[] idRoots = [RuntimeRoot, ComputeRoot, Carton.Network.NetworkDefaults.NetnsDirectory];
        foreach (var root in idRoots)
        {
            Assert.False(DaemonSocket.StartsWith(root + "/", StringComparison.Ordinal), $"{DaemonSocket} is inside the id directory {root}");
            foreach (var other in idRoots.Where(o => o != root))
                Assert.False(other.StartsWith(root + "/", StringComparison.Ordinal), $"{other} is inside the id directory {root}");
        }
    }

    [Theory]
    [InlineData(".scratch")]
    [InlineData(".cache")]
    public void ReservedNamesInIdDirectories_CannotBeIds(string name)
    {
        Assert.DoesNotMatch(IdGrammar(), name);
        Assert.Throws<Carton.Runtime.RuntimeError>(() => Carton.Runtime.ContainerId.Validate(name));
    }

    [Fact]
    public void TheComputeScratchRoot_IsReserved()
    {
        Assert.StartsWith(".", Carton.Compute.Linux.ComputeServiceOptions.ScratchDirectoryName, StringComparison.Ordinal);
    }
}
