namespace Carton.Docker.Models;

/// <summary>POST /auth's answer (swagger AuthResponse): "Login Succeeded" and an identity token (none from Carton:
/// it never trades the password for a refresh token).</summary>
public sealed class AuthResponse
{
    public string Status { get; set; } = "";

    public string IdentityToken { get; set; } = "";
}
