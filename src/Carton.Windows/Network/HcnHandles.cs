using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Carton.Windows.Network;

/// <summary>An open HCN network (<c>HCN_NETWORK</c>), closed with HcnCloseNetwork. The public parameterless constructor
/// is the one the generated marshaller uses for the out parameter of HcnCreateNetwork/HcnOpenNetwork.</summary>
[SupportedOSPlatform("windows")]
internal sealed class HcnNetworkHandle() : SafeHandle(IntPtr.Zero, ownsHandle: true)
{
    /// <inheritdoc/>
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <inheritdoc/>
    protected override bool ReleaseHandle() => ComputeNetworkNative.HcnCloseNetwork(handle) >= 0;
}

/// <summary>An open HCN endpoint (<c>HCN_ENDPOINT</c>), closed with HcnCloseEndpoint.</summary>
[SupportedOSPlatform("windows")]
internal sealed class HcnEndpointHandle() : SafeHandle(IntPtr.Zero, ownsHandle: true)
{
    /// <inheritdoc/>
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <inheritdoc/>
    protected override bool ReleaseHandle() => ComputeNetworkNative.HcnCloseEndpoint(handle) >= 0;
}

/// <summary>An open HCN namespace (<c>HCN_NAMESPACE</c>), closed with HcnCloseNamespace.</summary>
[SupportedOSPlatform("windows")]
internal sealed class HcnNamespaceHandle() : SafeHandle(IntPtr.Zero, ownsHandle: true)
{
    /// <inheritdoc/>
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <inheritdoc/>
    protected override bool ReleaseHandle() => ComputeNetworkNative.HcnCloseNamespace(handle) >= 0;
}
