using System.IO.Pipes;
using System.Runtime.Versioning;
using System.Security.AccessControl;
using System.Security.Principal;

namespace Carton.Service;

/// <summary>
/// The access list of carton-serve's named pipe on Windows (issue 18 §7), the counterpart of the Unix socket's
/// 0600 root:root: full control for the local Administrators group and for SYSTEM (the account a Windows service
/// runs as), nobody else. Docker's engine pipe grants the same two by default.
/// </summary>
[SupportedOSPlatform("windows")]
internal static class PipeAcl
{
    /// <summary>Administrators and SYSTEM, protected from the pipe file system's inherited default (which lets
    /// Everyone read).</summary>
    public static PipeSecurity AdministratorsOnly()
    {
        var security = new PipeSecurity();
        security.AddAccessRule(new PipeAccessRule(new SecurityIdentifier(WellKnownSidType.BuiltinAdministratorsSid, null),
            PipeAccessRights.FullControl, AccessControlType.Allow));
        security.AddAccessRule(new PipeAccessRule(new SecurityIdentifier(WellKnownSidType.LocalSystemSid, null),
            PipeAccessRights.FullControl, AccessControlType.Allow));
        security.SetAccessRuleProtection(isProtected: true, preserveInheritance: false);
        return security;
    }
}
