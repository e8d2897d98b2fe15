using System.Runtime.InteropServices;

namespace Carton.Windows.Hcs;

/// <summary>
/// A computecore.dll handle (HCS_OPERATION, HCS_SYSTEM, HCS_PROCESS). Closing it closes the HCS handle and then frees
/// the managed callback context registered on it, in that order: HCS stops calling back once the handle is closed, so
/// the context outlives every callback (a GCHandle freed first would be a use-after-free inside the callback).
/// </summary>
/// <remarks>A fake <see cref="IComputeCore"/> gives out handles whose release is its own (<see cref="AttachFake"/>), so
/// tests on Linux can prove that every handle is closed on every path without calling Windows.</remarks>
public abstract class HcsHandle : SafeHandle
{
    private Action<nint>? _fakeRelease;
    private GCHandle _callbackContext;

    /// <summary>An invalid handle, set by the marshaller (an HCS out parameter) or by a fake.</summary>
    protected HcsHandle() : base(0, ownsHandle: true) { }

    /// <inheritdoc/>
    public override bool IsInvalid => handle == 0;

    /// <summary>Makes this a fake's handle: <paramref name="release"/> runs instead of the HCS close function.</summary>
    internal void AttachFake(nint value, Action<nint> release)
    {
        _fakeRelease = release;
        SetHandle(value);
    }

    /// <summary>Hands this handle the callback context it must free once closed (the real binding's GCHandle).</summary>
    internal void AttachCallbackContext(GCHandle context)
    {
        if (_callbackContext.IsAllocated) _callbackContext.Free();
        _callbackContext = context;
    }

    /// <inheritdoc/>
    protected sealed override bool ReleaseHandle()
    {
        if (_fakeRelease is not null) _fakeRelease(handle);
        else CloseNative(handle);
        if (_callbackContext.IsAllocated) _callbackContext.Free();
        return true;
    }

    /// <summary>Frees the callback context of a handle that never became valid (the HCS call failed), since
    /// <see cref="ReleaseHandle"/> does not run for an invalid handle.</summary>
    internal void FreeCallbackContextIfInvalid()
    {
        if (IsInvalid && _callbackContext.IsAllocated) _callbackContext.Free();
    }

    /// <summary>Closes <paramref name="value"/> with the HCS close function of this handle type.</summary>
    private protected abstract void CloseNative(nint value);
}

/// <summary>An HCS_OPERATION: tracks one asynchronous HCS call; closed with HcsCloseOperation.</summary>
public sealed class HcsOperationHandle : HcsHandle
{
    /// <summary>An invalid handle (for the marshaller).</summary>
    public HcsOperationHandle() { }

    private protected override void CloseNative(nint value)
    {
        if (OperatingSystem.IsWindows()) ComputeCoreNative.HcsCloseOperation(value);
    }
}

/// <summary>An HCS_SYSTEM: a compute system; closed with HcsCloseComputeSystem (which does not stop the system).</summary>
public sealed class HcsSystemHandle : HcsHandle
{
    /// <summary>An invalid handle (for the marshaller).</summary>
    public HcsSystemHandle() { }

    private protected override void CloseNative(nint value)
    {
        if (OperatingSystem.IsWindows()) ComputeCoreNative.HcsCloseComputeSystem(value);
    }
}

/// <summary>An HCS_PROCESS: a process in a compute system; closed with HcsCloseProcess (which does not kill it).</summary>
public sealed class HcsProcessHandle : HcsHandle
{
    /// <summary>An invalid handle (for the marshaller).</summary>
    public HcsProcessHandle() { }

    private protected override void CloseNative(nint value)
    {
        if (OperatingSystem.IsWindows()) ComputeCoreNative.HcsCloseProcess(value);
    }
}
