namespace Carton.Windows.Hcs;

/// <summary>
/// HCS's compute systems in managed terms, over an <see cref="IComputeCore"/>: create, open and enumerate. A created
/// or opened system comes back as an <see cref="HcsComputeSystem"/> with its event callback already registered, so no
/// exit is missed between the two.
/// </summary>
/// <param name="core">The binding (the real <see cref="ComputeCore"/> on Windows, a fake in tests).</param>
/// <param name="timeouts">How long to wait for each kind of operation.</param>
public sealed class HcsComputeService(IComputeCore core, HcsTimeouts? timeouts = null)
{
    private readonly HcsOperations _operations = new(core);
    private readonly HcsTimeouts _timeouts = timeouts ?? HcsTimeouts.Default;

    /// <summary>Creates a compute system from an HCS v2 document (HcsCreateComputeSystem). It is created, not started.
    /// On any failure the system handle HCS may have returned is closed.</summary>
    /// <exception cref="HcsException">HCS refused or failed the create (HCS_E_SYSTEM_ALREADY_EXISTS, HCS_E_INVALID_JSON, ...)</exception>
    public async Task<HcsComputeSystem> CreateComputeSystemAsync(string id, string configuration, CancellationToken cancellationToken = default)
    {
        HcsSystemHandle? handle = null;
        try
        {
            await _operations.RunAsync("HcsCreateComputeSystem", id, operation =>
            {
                var hr = core.CreateComputeSystem(id, configuration, operation, out var created);
                handle = created;
                return hr;
            }, _timeouts.Create, cancellationToken).ConfigureAwait(false);
            if (handle is null || handle.IsInvalid)
                throw new HcsException(HcsErrors.E_HANDLE, "HcsCreateComputeSystem", subject: id);
            return HcsComputeSystem.Attach(_operations, _timeouts, id, handle);
        }
        catch
        {
            handle?.Dispose();
            throw;
        }
    }

    /// <summary>Opens an existing compute system (HcsOpenComputeSystem).</summary>
    /// <exception cref="HcsException">no such system (HCS_E_SYSTEM_NOT_FOUND), or access denied</exception>
    public HcsComputeSystem OpenComputeSystem(string id)
    {
        var hr = core.OpenComputeSystem(id, out var handle);
        try
        {
            if (HcsErrors.Failed(hr)) throw new HcsException(hr, "HcsOpenComputeSystem", subject: id);
            if (handle is null || handle.IsInvalid) throw new HcsException(HcsErrors.E_HANDLE, "HcsOpenComputeSystem", subject: id);
            return HcsComputeSystem.Attach(_operations, _timeouts, id, handle);
        }
        catch
        {
            handle?.Dispose();
            throw;
        }
    }

    /// <summary>The compute systems matching <paramref name="query"/> (a SystemQuery document; all when null), as
    /// HCS's JSON array of ComputeSystemProperties ("[]" when HCS returns no document).</summary>
    /// <exception cref="HcsException">the enumeration failed</exception>
    public async Task<string> EnumerateComputeSystemsAsync(string? query = null, CancellationToken cancellationToken = default) =>
        await _operations.RunAsync("HcsEnumerateComputeSystems", null, operation => core.EnumerateComputeSystems(query, operation),
            _timeouts.Other, cancellationToken).ConfigureAwait(false) ?? "[]";
}
