using System.Text;

namespace Carton.Images.Registry;

/// <summary>
/// One <c>WWW-Authenticate</c> challenge (RFC 9110 §11.6.1): a scheme and its auth-params. A registry answers 401 with
/// <c>Bearer realm="…",service="…",scope="…"</c> (Docker's token authentication spec) or <c>Basic realm="…"</c>.
/// </summary>
public sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public string? Realm => Parameters.GetValueOrDefault("realm");
    public string? Service => Parameters.GetValueOrDefault("service");
    public string? Scope => Parameters.GetValueOrDefault("scope");
    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);
    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses a scheme and its raw parameter string (name=value or name="quoted \"value\"", comma separated).</summary>
    public static AuthChallenge Parse(string scheme, string? parameters)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var s = parameters ?? "";
        int i = 0;
        while (i < s.Length)
        {
            while (i < s.Length && (s[i] == ',' || char.IsWhiteSpace(s[i]))) i++;
            int nameStart = i;
            while (i < s.Length && s[i] != '=' && s[i] != ',') i++;
            var name = s[nameStart..i].Trim();
            if (i >= s.Length || s[i] != '=')
            {
                // A token68 or a bare word: not an auth-param; nothing Carton needs.
                continue;
            }
            i++; // '='
            while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
            var value = new StringBuilder();
            if (i < s.Length && s[i] == '"')
            {
                i++;
                while (i < s.Length && s[i] != '"')
                {
                    if (s[i] == '\\' && i + 1 < s.Length) i++;
                    value.Append(s[i++]);
                }
                i++; // closing quote
            }
            else
            {
                while (i < s.Length && s[i] != ',') value.Append(s[i++]);
            }
            if (name.Length > 0) result[name] = value.ToString().Trim();
        }
        return new AuthChallenge(scheme, result);
    }
}
