using System.Globalization;
using Carton.Compute;

namespace Carton.Client;

/// <summary>
/// A process in a system driven through the daemon. <see cref="StandardOutput"/> and <see cref="StandardError"/> are
/// the response bodies of the stdout/stderr endpoints (opened when the process is created, so nothing is lost);
/// <see cref="StandardInput"/> feeds a streamed POST to the stdin endpoint, started at the first write; disposing
/// it ends the body, which closes the process's stdin.
/// </summary>
public sealed class RemoteComputeProcess : IComputeProcess
{
    private readonly ComputeClient _client;
    private readonly string _path;
    private readonly List<HttpResponseMessage> _responses = [];
    private RequestBodyStream? _stdin;

    internal RemoteComputeProcess(ComputeClient client, string path, int pid)
    {
        _client = client;
        _path = path;
        Pid = pid;
    }

    public int Pid { get; }
    public Stream? StandardInput => _stdin;
    public Stream? StandardOutput { get; private set; }
    public Stream? StandardError { get; private set; }
    public Stream? Console { get; private set; }

    internal async Task OpenStreamsAsync(ProcessParameters parameters, CancellationToken ct)
    {
        if (parameters.EmulateConsole)
        {
            var output = await OpenReadAsync("console", ct).ConfigureAwait(false);
            Console = new DuplexStream(output, new RequestBodyStream(_client, _path + "/console"));
            return;
        }
        if (parameters.CreateStdOutPipe) StandardOutput = await OpenReadAsync("stdout", ct).ConfigureAwait(false);
        if (parameters.CreateStdErrPipe) StandardError = await OpenReadAsync("stderr", ct).ConfigureAwait(false);
        if (parameters.CreateStdInPipe) _stdin = new RequestBodyStream(_client, _path + "/stdin");
    }

    private async Task<Stream> OpenReadAsync(string name, CancellationToken ct)
    {
        var response = await _client.SendAsync(HttpMethod.Get, _path + "/" + name, null, ct, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        _responses.Add(response);
        return await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
    }

    public async Task SignalAsync(int signal, CancellationToken cancellationToken = default)
    {
        using var _ = await _client.SendAsync(HttpMethod.Post, _path + "/signal?signal=" + signal.ToString(CultureInfo.InvariantCulture), null, cancellationToken)
            .ConfigureAwait(false);
    }

    public async Task KillAsync(CancellationToken cancellationToken = default)
    {
        using var _ = await _client.SendAsync(HttpMethod.Post, _path + "/kill", null, cancellationToken).ConfigureAwait(false);
    }

    public async Task ResizeConsoleAsync(ushort rows, ushort columns, CancellationToken cancellationToken = default)
    {
        using var _ = await _client.SendAsync(HttpMethod.Post,
            $"{_path}/resize?rows={rows.ToString(CultureInfo.InvariantCulture)}&cols={columns.ToString(CultureInfo.InvariantCulture)}", null, cancellationToken)
            .ConfigureAwait(false);
    }

    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _client.SendAsync(HttpMethod.Get, _path + "/wait", null, cancellationToken).ConfigureAwait(false);
        return await ComputeClient.ReadIntMember(response, "exitCode", cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_stdin is not null) await _stdin.DisposeAsync().ConfigureAwait(false);
        if (Console is not null) await Console.DisposeAsync().ConfigureAwait(false);
        if (StandardOutput is not null) await StandardOutput.DisposeAsync().ConfigureAwait(false);
        if (StandardError is not null) await StandardError.DisposeAsync().ConfigureAwait(false);
        foreach (var r in _responses) r.Dispose();
        _responses.Clear();
    }
}
