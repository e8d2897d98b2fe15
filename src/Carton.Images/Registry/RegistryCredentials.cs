using System.Text;

namespace Carton.Images.Registry;

/// <summary>A user name and password (or token) for a registry's basic auth or its token service.</summary>
public sealed record RegistryCredentials(string Username, string Password)
{
    /// <summary>Parses "USER:PASS" (the password may contain ':'; the user may not), as docker's and skopeo's --creds.</summary>
    public static RegistryCredentials Parse(string userColonPassword)
    {
        ArgumentNullException.ThrowIfNull(userColonPassword);
        int colon = userColonPassword.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
            throw new CartonException(ErrorKind.InvalidDocument,
                "credentials must be USER:PASS with a non-empty user name", jsonPath: "creds", reason: "must be USER:PASS");
        return new(userColonPassword[..colon], userColonPassword[(colon + 1)..]);
    }

    /// <summary>The value of an "Authorization: Basic" header (RFC 7617).</summary>
    public string BasicToken() => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}"));

    // Never print the password.
    public override string ToString() => $"{Username}:***";
}
