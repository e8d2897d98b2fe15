using System.IO.Pipes;
using System.Runtime.Versioning;
using System.Security.AccessControl;
using System.Security.Principal;

namespace Carton.Service;

/// <summary>
/// The access list of carton-serve's named pipe on Windows (issue 18 §7), the counterpart of the Unix socket's
/// 0600 root:root: full control for the local Administrators group and for SYSTEM (the account a Windows service
/// runs as), nobody else. Docker's engine pipe grants the same two, plus an optional group (its -G flag), as here.
/// </summary>
[SupportedOSPlatform("windows")]
internal static class PipeAcl
{
    /// <summary>Administrators and SYSTEM; with <paramref name="group"/> (a group name or SID string), that group too
    /// (read and write: it may use the API, not change the pipe's ACL).</summary>
    public static PipeSecurity AdministratorsOnly(string? group = null)
    {
        var security = new PipeSecurity();
        security.AddAccessRule(new PipeAccessRule(new SecurityIdentifier(WellKnownSidType.BuiltinAdministratorsSid, null),
            PipeAccessRights.FullControl, AccessControlType.Allow));
        security.AddAccessRule(new PipeAccessRule(new SecurityIdentifier(WellKnownSidType.LocalSystemSid, null),
            PipeAccessRights.FullControl, AccessControlType.Allow));
        if (group is { Length: > 0 })
        {
            IdentityReference who = group.StartsWith("S-1-", StringComparison.OrdinalIgnoreCase)
                ? new SecurityIdentifier(group)
                : new NTAccount(group).Translate(typeof(SecurityIdentifier));
            security.AddAccessRule(new PipeAccessRule(who, PipeAccessRights.ReadWrite, AccessControlType.Allow));
        }
        // no inheritance from the pipe file system's default (which lets Everyone read)
        security.SetAccessRuleProtection(isProtected: true, preserveInheritance: false);
        return security;
    }
}
