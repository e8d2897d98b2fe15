using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Carton.Network.Cni;

/// <summary>
/// The CNI execution protocol: finds a plugin's binary, runs it with the CNI_ environment and its configuration on
/// stdin, and turns its failure (a JSON error on stdout, a bare non-zero exit, a hang) into a
/// <see cref="CniPluginException"/>.
/// </summary>
internal sealed class CniPluginExec(CniRuntimeOptions options)
{
    // Plugins call iptables, ip, modprobe...; the daemon's own PATH is not theirs to inherit.
    private const string MinimalPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    // How long to wait for a killed plugin to be reaped and for its pipes to close.
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(5);

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>CNI_PATH: the plugin directories joined with ':'.</summary>
    public string CniPath => string.Join(':', options.PluginDirectories);

    /// <summary>The path of the plugin's binary: the first of the plugin directories that has it.</summary>
    /// <exception cref="CniPluginException"><see cref="ErrorKind.NotFound"/>, naming the directories searched;
    /// <see cref="ErrorKind.InvalidDocument"/> for a type that is a path.</exception>
    public string Find(string type, string? network, string command)
    {
        var where = CniPluginException.Where(network, type, command);
        if (type.Length == 0 || type.Contains('/') || type.Contains('\\') || type.Contains("..", StringComparison.Ordinal) || type.Contains('\0'))
            throw new CniPluginException(ErrorKind.InvalidDocument, $"{where}: \"{type}\" is not a plugin name (no '/', '\\' or \"..\")",
                network, type, command, 0, "invalid plugin name", null);
        foreach (var dir in options.PluginDirectories)
        {
            if (string.IsNullOrEmpty(dir)) continue;
            var candidate = Path.Combine(dir, type);
            if (File.Exists(candidate)) return candidate;
        }
        var searched = options.PluginDirectories.Count == 0 ? "(no plugin directories)" : string.Join(", ", options.PluginDirectories);
        throw new CniPluginException(ErrorKind.NotFound, $"{where}: plugin binary \"{type}\" not found in {searched}",
            network, type, command, 0, "plugin not found", null);
    }

    /// <summary>Runs a plugin and returns its stdout when it exits 0.</summary>
    /// <param name="path">The binary (from <see cref="Find"/>).</param>
    /// <param name="type">The plugin's type, for messages.</param>
    /// <param name="network">The network, for messages; null outside one.</param>
    /// <param name="command">CNI_COMMAND.</param>
    /// <param name="env">The other CNI_ variables (CNI_PATH is added).</param>
    /// <param name="stdin">The configuration.</param>
    /// <param name="ct">Cancels the call: the plugin is killed and <see cref="OperationCanceledException"/> thrown.</param>
    public async Task<string> RunAsync(string path, string type, string? network, string command,
        IReadOnlyDictionary<string, string> env, string stdin, CancellationToken ct)
    {
        var where = CniPluginException.Where(network, type, command);
        var psi = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = Utf8,
            StandardOutputEncoding = Utf8,
            StandardErrorEncoding = Utf8,
        };
        var prefix = options.CommandPrefix;
        if (prefix is { Count: > 0 })
        {
            psi.FileName = prefix[0];
            for (var i = 1; i < prefix.Count; i++) psi.ArgumentList.Add(prefix[i]);
            psi.ArgumentList.Add(path);
        }
        else
        {
            psi.FileName = path;
        }
        // Only what the protocol defines, a PATH, and the caller's extras: the daemon's environment (its proxies,
        // its DOTNET_ variables) is not the plugins' business.
        psi.Environment.Clear();
        psi.Environment["PATH"] = MinimalPath;
        if (options.ExtraEnvironment is not null)
            foreach (var (k, v) in options.ExtraEnvironment)
                if (!k.StartsWith("CNI_", StringComparison.Ordinal)) psi.Environment[k] = v;
        foreach (var (k, v) in env) psi.Environment[k] = v;
        psi.Environment["CNI_COMMAND"] = command;
        psi.Environment["CNI_PATH"] = CniPath;

        using var process = new Process { StartInfo = psi };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            var kind = e.NativeErrorCode switch { 2 => ErrorKind.NotFound, 13 => ErrorKind.PermissionDenied, _ => ErrorKind.Internal };
            throw new CniPluginException(kind, $"{where}: cannot run {psi.FileName}: {e.Message}", network, type, command, 0, e.Message, null, e);
        }

        // Process.Dispose closes a redirected stream only if it was never handed out: once read through
        // StandardOutput/StandardError/StandardInput, the pipe is the caller's to close, and left to the finalizer it
        // stayed open in the daemon until a GC (8 to 10 fds per `docker run`, scripts/leak-docker.sh).
        using var pipes = new RedirectedPipes(process);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.PluginTimeout);
        // Read both pipes while writing stdin and waiting: a plugin that fills one pipe would otherwise block forever.
        var stdoutTask = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderrTask = process.StandardError.ReadToEndAsync(timeout.Token);
        var stdinTask = WriteStdinAsync(process, stdin, timeout.Token);
        string stdout, stderr;
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            // The pipes close when the plugin and every child that inherited them are gone.
            stdout = await stdoutTask.ConfigureAwait(false);
            stderr = await stderrTask.ConfigureAwait(false);
            await stdinTask.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            await KillAsync(process).ConfigureAwait(false);
            ObserveQuietly(stdoutTask, stderrTask, stdinTask);
            ct.ThrowIfCancellationRequested();
            var seconds = options.PluginTimeout.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
            throw new CniPluginException(ErrorKind.Timeout,
                $"{where}: did not finish within {seconds}s and was killed (with its children)",
                network, type, command, 0, "timed out", null);
        }

        if (process.ExitCode == 0) return stdout;
        throw Failure(where, network, type, command, process.ExitCode, stdout, stderr);
    }

    private static async Task WriteStdinAsync(Process process, string stdin, CancellationToken ct)
    {
        try
        {
            await process.StandardInput.WriteAsync(stdin.AsMemory(), ct).ConfigureAwait(false);
            await process.StandardInput.FlushAsync(ct).ConfigureAwait(false);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The plugin exited without reading its configuration (EPIPE): its exit status says what happened.
        }
    }

    // Kills the plugin and every process it started (no process group without P/Invoke: the tree is walked), then
    // reaps it so no zombie is left.
    private static async Task KillAsync(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Already gone.
        }
        try
        {
            using var grace = new CancellationTokenSource(KillGrace);
            await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Not reaped in time; the runtime reaps it when it goes.
        }
    }

    private static void ObserveQuietly(params Task[] tasks)
    {
        foreach (var t in tasks) _ = t.ContinueWith(static x => _ = x.Exception, TaskScheduler.Default);
    }

    /// <summary>The error of a non-zero exit: the CNI error on stdout if there is one, else stderr's text.</summary>
    internal static CniPluginException Failure(string where, string? network, string type, string command, int exitCode, string stdout, string stderr)
    {
        if (TryParseError(stdout, out var code, out var msg, out var details))
        {
            var text = details is null ? msg : $"{msg}: {details}";
            return new CniPluginException(CniPluginException.KindOf(code, details is null ? msg : $"{msg}: {details}"), $"{where}: {text} (code {code})",
                network, type, command, code, msg, details);
        }
        var said = Trim(stderr.Trim().Length > 0 ? stderr : stdout);
        var message = said.Length > 0 ? $"{where}: exited with status {exitCode}: {said}" : $"{where}: exited with status {exitCode} and no error message";
        return new CniPluginException(ErrorKind.Internal, message, network, type, command, 0, said, null);
    }

    /// <summary>Reads a CNI error document: <c>{"cniVersion", "code", "msg", "details"}</c>.</summary>
    internal static bool TryParseError(string stdout, out uint code, out string msg, out string? details)
    {
        code = 0;
        msg = "";
        details = null;
        if (string.IsNullOrWhiteSpace(stdout)) return false;
        JsonObject? o;
        try
        {
            // duplicate keys: refused here, not as ArgumentException at the first lookup (found by fuzzing)
            o = JsonNode.Parse(stdout, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: the duplicate check decodes each key, and a lone surrogate escape ("\ud800")
            // cannot be decoded (found by fuzzing, issue 15 §2)
            return false;
        }
        if (o is null || o["code"] is not JsonValue c || c.GetValueKind() != JsonValueKind.Number || !c.TryGetValue(out code)) return false;
        msg = o["msg"] is JsonValue m && m.GetValueKind() == JsonValueKind.String ? m.GetValue<string>() : "";
        details = o["details"] is JsonValue d && d.GetValueKind() == JsonValueKind.String && d.GetValue<string>().Length > 0 ? d.GetValue<string>() : null;
        if (msg.Length == 0) msg = "no message";
        return true;
    }

    // stderr may be a Go panic's whole stack: the message keeps its start, which says what went wrong.
    private static string Trim(string s)
    {
        s = s.Trim().ReplaceLineEndings(" | ");
        return s.Length <= 2000 ? s : s[..2000] + "...";
    }
}
