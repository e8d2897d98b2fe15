namespace Carton.Docker.Tests;

/// <summary>Generated container names are reserved as they are drawn: two creates drawing at once never get the same
/// one. Before, the name was checked free, then reserved; 20 concurrent `docker run`s (bench/docker-concurrent.sh)
/// drew one name twice and one run failed with a name conflict.</summary>
public sealed class ContainerNamesTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "carton-names-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_name_reserved_by_one_id_is_not_reserved_again()
    {
        var store = new ContainerStore(_root);
        Assert.True(store.TryReserve("/a_b", "1"));
        Assert.False(store.TryReserve("/a_b", "2"));
        store.Release("/a_b", "1");
        Assert.True(store.TryReserve("/a_b", "2"));
    }

    [Fact]
    public void Concurrent_generations_never_share_a_name()
    {
        var store = new ContainerStore(_root);
        // far more names than draws of two adjective_name pairs would keep apart by chance (birthday: ~25,000 pairs)
        var names = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 2000, i =>
        {
            var id = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            names.Add(ContainerNames.Generate(n => store.TryReserve(n, id)));
        });
        Assert.Equal(2000, names.Distinct().Count());
    }
}
