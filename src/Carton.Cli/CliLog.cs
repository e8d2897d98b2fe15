using System.Text;
using System.Text.Json;

namespace Carton.Cli;

/// <summary>
/// runc's --log/--log-format/--debug contract: errors (and with --debug, debug lines) are appended to the log
/// file as logrus text (time="..." level=error msg="...") or JSON lines ({"level","msg","time"}); containerd's
/// shim reads the last line of that file as the error. Errors also go to stderr.
/// </summary>
public sealed class CliLog
{
    public static CliLog Current { get; set; } = new(null, "text", false);

    private readonly string? _path;
    private readonly bool _json;
    public bool Debug { get; }

    public CliLog(string? path, string format, bool debug)
    {
        _path = string.IsNullOrEmpty(path) ? null : path;
        _json = format == "json";
        Debug = debug;
    }

    public void Error(string message)
    {
        Write("error", message);
        Console.Error.WriteLine(_path is null || !_json ? message : message);
    }

    public void Warn(string message)
    {
        Write("warning", message);
        Console.Error.WriteLine("warning: " + message);
    }

    public void DebugLine(string message)
    {
        if (Debug) Write("debug", message);
    }

    private void Write(string level, string message)
    {
        if (_path is null) return;
        var time = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        string line;
        if (_json)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms))
            {
                w.WriteStartObject();
                w.WriteString("level", level);
                w.WriteString("msg", message);
                w.WriteString("time", time);
                w.WriteEndObject();
            }
            line = Encoding.UTF8.GetString(ms.ToArray());
        }
        else
        {
            line = $"time=\"{time}\" level={level} msg=\"{message.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"";
        }
        try { File.AppendAllText(_path, line + "\n"); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
