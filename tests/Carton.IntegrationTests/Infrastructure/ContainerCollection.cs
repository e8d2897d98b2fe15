[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Carton.IntegrationTests.Infrastructure;

/// <summary>
/// All container tests share this collection so they run serially: LeakCheck inspects global state
/// (host mount table, cgroup hierarchies, process table) that a concurrently running test would disturb.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ContainerCollection : ICollectionFixture<RuntimeFixture>
{
    public const string Name = "Containers";
}
