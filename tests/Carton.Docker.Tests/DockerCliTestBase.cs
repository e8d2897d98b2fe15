namespace Carton.Docker.Tests;

/// <summary>
/// What every docker CLI test class shares: the fixture, the leak check after each test (no veth, bridge or mount
/// more than before it), busybox pulled from the test registry, unique names, a successful command's output with the
/// daemon log's tail on failure, forced removal, polling, and a container's names and state as the CLI shows them.
/// </summary>
public abstract class DockerCliTestBase : IDisposable
{
    protected const string Debian = DockerFixture.DebianDocker;
    protected const string New = DockerFixture.NewDocker;

    protected readonly DockerFixture fx;
    private readonly DockerFixture.Snapshot _before;

    protected DockerCliTestBase(DockerFixture fixture)
    {
        fx = fixture;
        _before = fx.Take();
    }

    /// <summary>After the test's own clean-up: no veth, bridge or mount more than before it.</summary>
    public virtual void Dispose()
    {
        GC.SuppressFinalize(this);
        fx.Take().AssertSameAs(_before);
    }

    /// <summary>busybox in the test registry, pulled (the image tests remove it).</summary>
    protected string Image()
    {
        var image = $"{fx.BusyboxRepository}:latest";
        var pull = fx.Docker(Debian, "pull", image);
        Assert.True(pull.Exit == 0, "pull: " + pull.Err + pull.Out);
        return image;
    }

    protected static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>A successful docker command's stdout.</summary>
    protected string Ok(string cli, params string[] args)
    {
        var r = fx.Docker(cli, args);
        Assert.True(r.Exit == 0, $"docker {string.Join(' ', args)} exited {r.Exit}: {r.Err}{r.Out}\n--- daemon log (tail) ---\n{Tail(fx.Log)}");
        return r.Out;
    }

    protected static string Tail(string log) => log.Length > 4000 ? log[^4000..] : log;

    /// <summary>`docker rm -f` of the names, whatever state they are in (finally blocks).</summary>
    protected void Remove(params string[] names)
    {
        foreach (var n in names) fx.Docker(Debian, "rm", "-f", n);
    }

    protected static void Eventually(Func<bool> condition, string what, double seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"{what}: not within {seconds} s");
            Thread.Sleep(100);
        }
    }

    /// <summary>The containers of `docker ps -a` named <paramref name="name"/> (filtered here: an absence proven
    /// by a daemon's filter would prove nothing if the filter were broken).</summary>
    protected string[] AllNames(string cli, string name) =>
        [.. Ok(cli, "ps", "-a", "--format", "{{.Names}}").Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(n => n == name)];

    protected string Status(string cli, string name) => Ok(cli, "inspect", "--format", "{{.State.Status}}", name).Trim();
}
