namespace Carton.IntegrationTests.Infrastructure;

/// <summary>
/// An OCI runtime binary bound to one state directory: every invocation is
/// <c>&lt;runtime&gt; --root &lt;root&gt; &lt;args&gt;</c> with a 30s timeout.
/// </summary>
public sealed class Runtime(string binary, string root)
{
    public string Binary { get; } = binary;

    public string Root { get; } = root;

    public string Name => Path.GetFileName(Binary);

    public ProcessResult Run(params string[] args) => Exec(args);

    public ProcessResult Exec(IEnumerable<string> args, string? workingDirectory = null, TimeSpan? timeout = null, string? extraRedirections = null) =>
        ProcessRunner.Run(Binary, ["--root", Root, .. args], workingDirectory, timeout, extraRedirections);

    /// <summary>Runs a command and asserts exit code 0.</summary>
    public ProcessResult MustRun(params string[] args)
    {
        var r = Exec(args);
        Assert.True(r.Succeeded, $"{Name} command failed:\n{r}");
        return r;
    }

    public ProcessResult Spec(string bundleDir) => Exec(["spec"], workingDirectory: bundleDir);

    public ProcessResult State(string id) => Exec(["state", id]);

    /// <summary>Returns the "status" field of `state`, or null when `state` fails.</summary>
    public string? Status(string id)
    {
        var r = State(id);
        if (!r.Succeeded)
        {
            return null;
        }
        return System.Text.Json.Nodes.JsonNode.Parse(r.Stdout)?["status"]?.GetValue<string>();
    }

    /// <summary>Polls `state` until the status equals <paramref name="status"/> or the timeout expires.</summary>
    public bool WaitForStatus(string id, string status, TimeSpan? timeout = null) =>
        Poll.Until(() => Status(id) == status, timeout ?? TimeSpan.FromSeconds(5));

    /// <summary>`list -q` as a list of ids.</summary>
    public IReadOnlyList<string> ListIds()
    {
        var r = Exec(["list", "-q"]);
        Assert.True(r.Succeeded, $"list -q failed:\n{r}");
        return r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
