using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Carton.Compute;
using Carton.Oci;

namespace Carton.Client;

/// <summary>A compute system driven through the daemon. Disposing it releases nothing on the daemon (handles are its own).</summary>
public sealed class RemoteComputeSystem : IComputeSystem
{
    private readonly ComputeClient _client;
    private readonly string _path;

    internal RemoteComputeSystem(ComputeClient client, string id)
    {
        _client = client;
        Id = id;
        _path = ComputeClient.SystemPath(id);
    }

    public string Id { get; }

    public Task StartAsync(CancellationToken cancellationToken = default) => PostAsync("start", cancellationToken);
    public Task PauseAsync(CancellationToken cancellationToken = default) => PostAsync("pause", cancellationToken);
    public Task ResumeAsync(CancellationToken cancellationToken = default) => PostAsync("resume", cancellationToken);
    public Task TerminateAsync(CancellationToken cancellationToken = default) => PostAsync("terminate", cancellationToken);
    public Task SignalAsync(int signal, CancellationToken cancellationToken = default) =>
        PostAsync("signal?signal=" + signal.ToString(CultureInfo.InvariantCulture), cancellationToken);

    public Task ShutdownAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        PostAsync("shutdown?timeoutSeconds=" + Math.Max(0, timeout.TotalSeconds).ToString("R", CultureInfo.InvariantCulture), cancellationToken);

    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _client.SendAsync(HttpMethod.Get, _path + "/wait", null, cancellationToken).ConfigureAwait(false);
        return await ComputeClient.ReadIntMember(response, "exitCode", cancellationToken).ConfigureAwait(false);
    }

    public Task<ComputeSystemProperties> GetPropertiesAsync(CancellationToken cancellationToken = default) =>
        _client.GetJsonAsync(_path, ComputeJsonContext.Default.ComputeSystemProperties, cancellationToken);

    public async Task UpdateResourcesAsync(ComputeResources resources, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var body = JsonSerializer.SerializeToUtf8Bytes(resources, ComputeJsonContext.Default.ComputeResources);
        using var response = await _client.SendAsync(HttpMethod.Post, _path + "/resources", ComputeClient.Json(body), cancellationToken).ConfigureAwait(false);
    }

    public async Task<IComputeProcess> CreateProcessAsync(ProcessParameters parameters, CancellationToken cancellationToken = default)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(parameters, ComputeJsonContext.Default.ProcessParameters);
        int pid;
        using (var response = await _client.SendAsync(HttpMethod.Post, _path + "/processes", ComputeClient.Json(body), cancellationToken).ConfigureAwait(false))
            pid = await ComputeClient.ReadIntMember(response, "pid", cancellationToken).ConfigureAwait(false);
        var process = new RemoteComputeProcess(_client, $"{_path}/processes/{pid.ToString(CultureInfo.InvariantCulture)}", pid);
        try
        {
            await process.OpenStreamsAsync(parameters, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await process.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return process;
    }

    public async IAsyncEnumerable<ComputeSystemEvent> EventsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var response = await _client.SendAsync(HttpMethod.Get, _path + "/events", null, cancellationToken, HttpCompletionOption.ResponseHeadersRead)
            .ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0) continue;
            yield return JsonSerializer.Deserialize(line, ComputeJsonContext.Default.ComputeSystemEvent)
                         ?? throw new ComputeException("Protocol", "null event from carton serve");
        }
    }

    public async Task DeleteAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _client.SendAsync(HttpMethod.Delete, _path, null, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task PostAsync(string action, CancellationToken ct)
    {
        using var response = await _client.SendAsync(HttpMethod.Post, _path + "/" + action, null, ct).ConfigureAwait(false);
    }
}
