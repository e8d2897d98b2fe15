using System.Text;
using System.Text.Json;
using Carton.Compute;
using Carton.Compute.Windows.Translation;

namespace Carton.Compute.Windows;

/// <summary>The contract's <see cref="ProcessParameters"/> as HCS's ProcessParameters document
/// (https://learn.microsoft.com/virtualization/api/hcs/schemareference#ProcessParameters), written with a
/// Utf8JsonWriter (no reflection). Invalid parameters are refused with the field's path.</summary>
public static class HcsProcessParametersWriter
{
    /// <summary>The document for <paramref name="parameters"/>.</summary>
    /// <exception cref="InvalidComputeDocumentException">empty CommandArgs, a relative WorkingDirectory, a bad
    /// Environment name, or a ConsoleSize that is not [rows, columns]</exception>
    public static string Write(ProcessParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.CommandArgs is not { Count: > 0 })
            throw new InvalidComputeDocumentException("CommandArgs", "must name the program to run");
        if (parameters.WorkingDirectory is { } cwd && !IsAbsoluteWindowsPath(cwd))
            throw new InvalidComputeDocumentException("WorkingDirectory", $"\"{cwd}\" is not an absolute path (C:\\dir)");
        foreach (var name in parameters.Environment?.Keys ?? Enumerable.Empty<string>())
            if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
                throw new InvalidComputeDocumentException($"Environment[\"{name}\"]", "a variable name must not be empty nor contain '=' or NUL");
        if (parameters.ConsoleSize is { } size && size.Length != 2)
            throw new InvalidComputeDocumentException("ConsoleSize", "must be [rows, columns]");

        using var buffer = new MemoryStream();
        // Relaxed escaping: the document goes to HCS, never into HTML, and reads as written ("\"" rather than "\u0022").
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("CommandLine", WindowsCommandLine.Join(parameters.CommandArgs));
            if (parameters.User is { Length: > 0 } user) w.WriteString("User", user);
            if (parameters.WorkingDirectory is { } dir) w.WriteString("WorkingDirectory", dir);
            if (parameters.Environment is { Count: > 0 } env)
            {
                w.WriteStartObject("Environment");
                foreach (var (k, v) in env.OrderBy(p => p.Key, StringComparer.Ordinal)) w.WriteString(k, v);
                w.WriteEndObject();
            }
            if (parameters.EmulateConsole)
            {
                w.WriteBoolean("EmulateConsole", true);
                // A console process talks through stdin and stdout (HCS merges stderr into the console).
                w.WriteBoolean("CreateStdInPipe", true);
                w.WriteBoolean("CreateStdOutPipe", true);
                if (parameters.ConsoleSize is { } cs)
                {
                    w.WriteStartArray("ConsoleSize");
                    w.WriteNumberValue(cs[0]);
                    w.WriteNumberValue(cs[1]);
                    w.WriteEndArray();
                }
            }
            else
            {
                if (parameters.CreateStdInPipe) w.WriteBoolean("CreateStdInPipe", true);
                if (parameters.CreateStdOutPipe) w.WriteBoolean("CreateStdOutPipe", true);
                if (parameters.CreateStdErrPipe) w.WriteBoolean("CreateStdErrPipe", true);
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The ProcessModifyRequest that sets a console's size (schema "ProcessModifyRequest", Operation "ConsoleSize").</summary>
    public static string ConsoleSize(ushort rows, ushort columns) =>
        $$$"""{"Operation":"ConsoleSize","ConsoleSize":{"Height":{{{rows}}},"Width":{{{columns}}}}}""";

    /// <summary>"C:\dir", "C:/dir" or a UNC path: what Windows takes as absolute (drive-relative "C:dir" and rooted "\dir" are not).</summary>
    private static bool IsAbsoluteWindowsPath(string path) =>
        (path.Length >= 3 && char.IsAsciiLetter(path[0]) && path[1] == ':' && path[2] is '\\' or '/')
        || path.StartsWith(@"\\", StringComparison.Ordinal);
}
