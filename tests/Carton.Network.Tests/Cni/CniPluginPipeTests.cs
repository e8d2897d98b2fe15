using Carton.Network.Cni;

namespace Carton.Network.Tests.Cni;

/// <summary>
/// A plugin's stdin, stdout and stderr pipes are closed in the caller when the call returns, not when a GC finalizes
/// them: Process.Dispose leaves the streams that were read through Process.StandardOutput and the like open, and the
/// daemon kept 8 to 10 pipe fds per `docker run` until its next GC (scripts/leak-docker.sh, docs/reliability.md).
/// The plugins record the pipes they were given (pipe:[INODE]); none may be left among this process's fds. Other
/// tests running at the same time have pipes of their own, so only these pipes are looked for.
/// </summary>
public sealed class CniPluginPipeTests : IDisposable
{
    private readonly TestPlugins _p = new();

    public void Dispose() => _p.Dispose();

    [Fact]
    public async Task NoPipeOfAPluginStaysOpenAfterItsCall()
    {
        _p.Add("a", octet: 2);
        _p.Add("b", octet: 3);
        var rt = new CniRuntime(_p.Options());
        var list = TestPlugins.List("web", "a", "b");
        for (var i = 0; i < 5; i++)
        {
            await rt.AddAsync(list, TestPlugins.Rt("c" + i));
            await rt.DeleteAsync(list, TestPlugins.Rt("c" + i));
        }
        // and a failing call: its pipes are closed on the error path too
        _p.SetMode("a", "ADD", "stderr");
        await Assert.ThrowsAsync<CniPluginException>(() => rt.AddAsync(list, TestPlugins.Rt("bad")));

        var pipes = _p.Pipes();
        Assert.True(pipes.Count >= 3 * 21, $"the plugins recorded {pipes.Count} pipes"); // 21 calls or more (VERSION, DEL after a failed ADD)
        var open = Directory.GetFiles("/proc/self/fd").Select(f =>
        {
            try { return new FileInfo(f).LinkTarget; }
            catch (IOException) { return null; } // closed since the listing
        }).Where(t => t is not null && pipes.Contains(t)).ToList();
        Assert.True(open.Count == 0, $"{open.Count} of the plugins' pipes are still open here: {string.Join(' ', open)}");
    }
}
