namespace Carton.Images.Tests.Infrastructure;

/// <summary>
/// docker-credential-carton-test: a credential helper written for the tests, speaking docker-credential-helpers'
/// protocol (store, get, erase, list) over one JSON file, {"SERVER": {"Username", "Secret"}}, with jq. It lives in
/// its own bin directory, which a test puts first on a child's PATH. Every action is appended to <see cref="LogPath"/>.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class TestCredentialHelper
{
    public const string Name = "carton-test";

    public TestCredentialHelper(string directory)
    {
        BinDirectory = Path.Combine(directory, "bin");
        Directory.CreateDirectory(BinDirectory);
        StorePath = Path.Combine(directory, "helper-store.json");
        LogPath = Path.Combine(directory, "helper.log");
        var script = Path.Combine(BinDirectory, "docker-credential-" + Name);
        File.WriteAllText(script, $$"""
            #!/bin/sh
            store='{{StorePath}}'
            [ -f "$store" ] || echo '{}' > "$store"
            echo "$1" >> '{{LogPath}}'
            case "$1" in
            store)
                in=$(cat)
                url=$(printf %s "$in" | jq -r .ServerURL)
                jq --argjson e "$in" --arg u "$url" '.[$u] = {Username: $e.Username, Secret: $e.Secret}' "$store" > "$store.new" && mv "$store.new" "$store" ;;
            get)
                url=$(cat)
                if jq -e --arg u "$url" 'has($u)' "$store" > /dev/null; then jq -c --arg u "$url" '.[$u] + {ServerURL: $u}' "$store"
                else echo "credentials not found in native keychain"; exit 1; fi ;;
            erase)
                url=$(cat)
                if jq -e --arg u "$url" 'has($u)' "$store" > /dev/null; then jq --arg u "$url" 'del(.[$u])' "$store" > "$store.new" && mv "$store.new" "$store"
                else echo "credentials not found in native keychain"; exit 1; fi ;;
            list)
                jq -c 'map_values(.Username)' "$store" ;;
            *)
                echo "unknown action $1"; exit 1 ;;
            esac

            """);
        File.SetUnixFileMode(script, (UnixFileMode)0b111_101_101);
    }

    /// <summary>The directory holding docker-credential-carton-test: put it first on PATH.</summary>
    public string BinDirectory { get; }

    /// <summary>The helper's store: {"SERVER": {"Username", "Secret"}}.</summary>
    public string StorePath { get; }

    public string LogPath { get; }

    /// <summary>PATH with the helper's directory first.</summary>
    public string SearchPath => $"{BinDirectory}:{Environment.GetEnvironmentVariable("PATH")}";

    public string Log => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";

    public string Store => File.Exists(StorePath) ? File.ReadAllText(StorePath) : "{}";
}
