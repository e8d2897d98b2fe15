using System.Reflection;

namespace Carton.Architecture.Tests;

/// <summary>Issue 8's "done when": the compute contract and the client stand on their own, so a Windows backend and
/// a client on any OS can use them; only the Linux layer talks to the kernel.</summary>
public sealed class LayerTests
{
    private static readonly string[] Platform = ["Carton.Linux", "Carton.Runtime", "Carton.Compute.Linux", "Carton.Images.Linux", "Carton.Network.Linux"];
    private static readonly string[] WindowsPlatform = ["Carton.Windows", "Carton.Compute.Windows", "Carton.Images.Windows", "Carton.Network.Windows"];

    /// <summary>Every Carton assembly <paramref name="root"/> reaches through its references.</summary>
    private static HashSet<string> Closure(Assembly root)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<Assembly>([root]);
        while (queue.Count > 0)
            foreach (var name in queue.Dequeue().GetReferencedAssemblies())
                if (name.Name!.StartsWith("Carton", StringComparison.Ordinal) && seen.Add(name.Name))
                    queue.Enqueue(Assembly.Load(name));
        return seen;
    }

    [Theory]
    [InlineData("Carton.Compute")]
    [InlineData("Carton.Client")]
    [InlineData("Carton.Errors")]
    [InlineData("Carton.Oci")]
    [InlineData("Carton.Images")]
    [InlineData("Carton.Network")]
    [InlineData("Carton.Docker")]
    public void PlatformFreeAssemblies_ReachNoPlatformCode(string assembly)
    {
        var reached = Closure(Assembly.Load(assembly));
        Assert.Empty(reached.Intersect(Platform));
        Assert.Empty(reached.Intersect(WindowsPlatform));
    }

    /// <summary>Issue 18: the Windows projects stand on the contracts and Carton.Windows alone, never on Linux code,
    /// and the Linux projects never on Windows code (each backend builds and ships without the other).</summary>
    [Theory]
    [InlineData("Carton.Windows")]
    [InlineData("Carton.Compute.Windows")]
    [InlineData("Carton.Images.Windows")]
    [InlineData("Carton.Network.Windows")]
    public void WindowsAssemblies_ReachNoLinuxCode(string assembly)
    {
        var reached = Closure(Assembly.Load(assembly));
        Assert.Empty(reached.Intersect(Platform));
    }

    [Theory]
    [InlineData("Carton.Linux")]
    [InlineData("Carton.Runtime")]
    [InlineData("Carton.Compute.Linux")]
    [InlineData("Carton.Images.Linux")]
    [InlineData("Carton.Network.Linux")]
    public void LinuxAssemblies_ReachNoWindowsCode(string assembly)
    {
        var reached = Closure(Assembly.Load(assembly));
        Assert.Empty(reached.Intersect(WindowsPlatform));
    }

    [Theory]
    [InlineData("Carton.Compute")]
    [InlineData("Carton.Client")]
    [InlineData("Carton.Errors")]
    [InlineData("Carton.Images")]
    [InlineData("Carton.Network")]
    [InlineData("Carton.Docker")]
    public void PlatformFreeAssemblies_HaveNoPlatformAttribute(string assembly)
    {
        var attrs = Assembly.Load(assembly).GetCustomAttributes<System.Runtime.Versioning.SupportedOSPlatformAttribute>();
        Assert.Empty(attrs);
    }

    [Fact]
    public void TheLinuxBackendImplementsTheContract()
    {
        var reached = Closure(typeof(Carton.Compute.Linux.ComputeService).Assembly);
        Assert.Contains("Carton.Compute", reached);
        Assert.True(typeof(Carton.Compute.IComputeService).IsAssignableFrom(typeof(Carton.Compute.Linux.ComputeService)));
    }
}
