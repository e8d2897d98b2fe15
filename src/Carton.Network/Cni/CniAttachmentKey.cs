namespace Carton.Network.Cni;

/// <summary>An attachment of a network, as GC names the attachments still in use.</summary>
/// <param name="ContainerId">The container's id.</param>
/// <param name="IfName">The interface's name in the container.</param>
public readonly record struct CniAttachmentKey(string ContainerId, string IfName);
