using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Carton.Images.Registry;

/// <summary>
/// A docker credential helper, <c>docker-credential-NAME</c> on the PATH, as config.json's <c>credsStore</c> or
/// <c>credHelpers</c> names it. The protocol is docker-credential-helpers' (client/client.go): the action is the one
/// argument; <c>store</c> reads <c>{"ServerURL","Username","Secret"}</c> on stdin, <c>get</c> and <c>erase</c> read the
/// server URL, <c>get</c> answers the same JSON, <c>list</c> answers <c>{"URL":"user",...}</c>. A helper that fails
/// exits non-zero with its message on stdout; "credentials not found in native keychain" means there are none.
/// </summary>
public sealed class CredentialHelper
{
    /// <summary>docker-credential-helpers' credentials.errCredentialsNotFoundMessage.</summary>
    public const string NotFoundMessage = "credentials not found in native keychain";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <param name="name">the helper's name ("pass", "secretservice"): the program is docker-credential-NAME.</param>
    /// <param name="origin">where it was named, for errors ("credsStore in /root/.docker/config.json").</param>
    public CredentialHelper(string name, string origin)
    {
        // The name becomes a program name looked up on the PATH: a path separator would run something else.
        if (string.IsNullOrEmpty(name) || name.Contains('/', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
            throw new CartonException(ErrorKind.InvalidDocument, $"{origin}: \"{name}\" is not a credential helper name", jsonPath: origin);
        Name = name;
        Origin = origin;
    }

    public string Name { get; }
    public string Origin { get; }

    /// <summary>The program run: docker-credential-NAME.</summary>
    public string Program => "docker-credential-" + Name;

    /// <summary>The credentials stored for <paramref name="serverUrl"/>, or null when the helper has none.</summary>
    public async Task<RegistryCredentials?> GetAsync(string serverUrl, CancellationToken cancellationToken = default)
    {
        var (exit, stdout) = await RunAsync("get", serverUrl, cancellationToken).ConfigureAwait(false);
        if (exit != 0)
        {
            if (stdout.Trim() == NotFoundMessage) return null;
            throw Failed("get", serverUrl, exit, stdout);
        }
        try
        {
            using var doc = JsonDocument.Parse(stdout);
            var root = doc.RootElement;
            string? user = root.TryGetProperty("Username", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
            string? secret = root.TryGetProperty("Secret", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            if (string.IsNullOrEmpty(user) && string.IsNullOrEmpty(secret)) return null;
            if (user == "<token>")
                // docker's marker for an identity token (an OAuth refresh token), which Carton cannot use yet.
                throw new CartonException(ErrorKind.Unsupported, $"{Program} get {serverUrl}: the helper holds an identity token, which Carton does not support; log in with a user name and password");
            return new RegistryCredentials(user ?? "", secret ?? "");
        }
        catch (JsonException e)
        {
            throw new CartonException(ErrorKind.InvalidDocument, $"{Program} get {serverUrl} ({Origin}): the answer is not JSON: {e.Message}", e, jsonPath: e.Path ?? "$");
        }
    }

    /// <summary>Stores <paramref name="credentials"/> for <paramref name="serverUrl"/>.</summary>
    public async Task StoreAsync(string serverUrl, RegistryCredentials credentials, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("ServerURL", serverUrl);
            writer.WriteString("Username", credentials.Username);
            writer.WriteString("Secret", credentials.Password);
            writer.WriteEndObject();
        }
        var (exit, stdout) = await RunAsync("store", Encoding.UTF8.GetString(buffer.ToArray()), cancellationToken).ConfigureAwait(false);
        if (exit != 0) throw Failed("store", serverUrl, exit, stdout);
    }

    /// <summary>Erases what the helper holds for <paramref name="serverUrl"/>; false when it held nothing.</summary>
    public async Task<bool> EraseAsync(string serverUrl, CancellationToken cancellationToken = default)
    {
        var (exit, stdout) = await RunAsync("erase", serverUrl, cancellationToken).ConfigureAwait(false);
        if (exit == 0) return true;
        if (stdout.Trim() == NotFoundMessage) return false;
        throw Failed("erase", serverUrl, exit, stdout);
    }

    /// <summary>Every server URL the helper holds credentials for, with its user name.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ListAsync(CancellationToken cancellationToken = default)
    {
        var (exit, stdout) = await RunAsync("list", "", cancellationToken).ConfigureAwait(false);
        if (exit != 0) throw Failed("list", null, exit, stdout);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(stdout);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new CartonException(ErrorKind.InvalidDocument, $"{Program} list ({Origin}): the answer is not a JSON object", jsonPath: "$");
            foreach (var p in doc.RootElement.EnumerateObject())
                result[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() ?? "" : "";
        }
        catch (JsonException e)
        {
            throw new CartonException(ErrorKind.InvalidDocument, $"{Program} list ({Origin}): the answer is not JSON: {e.Message}", e, jsonPath: e.Path ?? "$");
        }
        return result;
    }

    private CartonException Failed(string action, string? serverUrl, int exit, string stdout) =>
        new(ErrorKind.Internal, $"{Program} {action}{(serverUrl is null ? "" : " " + serverUrl)} ({Origin}) failed with exit {exit}: {stdout.Trim()}");

    private async Task<(int Exit, string Stdout)> RunAsync(string action, string input, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(Program, [action])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new Win32Exception();
        }
        catch (Win32Exception e)
        {
            throw new CartonException(ErrorKind.NotFound, $"{Origin}: the credential helper {Program} could not be run: {e.Message} (is it on the PATH?)", e);
        }
        using (process)
        using (new ClosedPipes(process))
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            try
            {
                var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
                var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
                try
                {
                    await process.StandardInput.WriteAsync(input.AsMemory(), timeout.Token).ConfigureAwait(false);
                    process.StandardInput.Close();
                }
                catch (IOException)
                {
                    // The helper exited without reading its input (list reads none): its exit status says the rest.
                }
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                var output = await stdout.ConfigureAwait(false);
                var errors = await stderr.ConfigureAwait(false);
                return (process.ExitCode, output.Length > 0 || process.ExitCode == 0 ? output : errors);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                throw new CartonException(ErrorKind.Timeout, $"{Origin}: the credential helper {Program} {action} did not finish in {Timeout.TotalSeconds:0} s");
            }
        }
    }

    /// <summary>
    /// Process.Dispose leaves the redirected streams once handed out (read here) to the finalizer: they are closed
    /// here, or a daemon that pulls would hold three pipes per helper run until a GC (the CNI plugins' leak,
    /// docs/reliability.md). Stdin may hold bytes a helper that exited never read: its flush fails again, and the fd
    /// is closed either way.
    /// </summary>
    private readonly struct ClosedPipes(Process process) : IDisposable
    {
        public void Dispose()
        {
            try { process.StandardInput.Dispose(); }
            catch (IOException) { }
            process.StandardOutput.Dispose();
            process.StandardError.Dispose();
        }
    }
}
