using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Carton.Docker;

/// <summary>Docker's container names: the rule a given name must follow, and a generated "adjective_name" when none is given.</summary>
internal static partial class ContainerNames
{
    [GeneratedRegex("^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$")]
    private static partial Regex Valid();

    private static readonly string[] Adjectives =
    [
        "agile", "bold", "brave", "bright", "calm", "clever", "eager", "gentle", "happy", "keen", "kind", "lucid",
        "merry", "nimble", "quiet", "quick", "sharp", "steady", "sunny", "tidy", "vivid", "wise", "witty", "zen",
    ];

    private static readonly string[] Names =
    [
        "babbage", "curie", "darwin", "dijkstra", "euler", "fermat", "gauss", "hopper", "hypatia", "kepler", "knuth",
        "lamport", "liskov", "lovelace", "noether", "pascal", "ritchie", "shannon", "thompson", "turing", "wirth",
    ];

    /// <summary>"/name" for a given name, or 400 with dockerd's message.</summary>
    public static string Normalize(string name)
    {
        if (!Valid().IsMatch(name))
            throw DockerErrors.BadRequest($"Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", "name");
        return name.StartsWith('/') ? name : "/" + name;
    }

    /// <summary>A fresh "/adjective_name" (with a digit suffix after a few taken ones, as dockerd), taken by
    /// <paramref name="tryTake"/> as it is tried: checked first and taken after, two concurrent creates drew the
    /// same name and one failed with a name conflict (20 concurrent `docker run`s, bench/docker-concurrent.sh).</summary>
    public static string Generate(Func<string, bool> tryTake)
    {
        for (int attempt = 0; ; attempt++)
        {
            var name = $"/{Adjectives[RandomNumberGenerator.GetInt32(Adjectives.Length)]}_{Names[RandomNumberGenerator.GetInt32(Names.Length)]}";
            if (attempt > 5) name += RandomNumberGenerator.GetInt32(1000).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (tryTake(name)) return name;
        }
    }

    /// <summary>A new 64-hex-digit container (or exec) id.</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}
