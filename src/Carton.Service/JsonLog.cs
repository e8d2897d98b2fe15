using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Carton.Service;

/// <summary>Structured logs: one JSON object per line on stderr (requests, daemon events, framework warnings).</summary>
public static class JsonLog
{
    private static readonly Lock Gate = new();
    private static readonly Stream Stderr = Console.OpenStandardError();

    /// <summary>Quotes and non-ASCII stay readable in logs and error bodies (still valid JSON).</summary>
    public static readonly JsonWriterOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(string level, string message, Action<Utf8JsonWriter>? fields = null)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, Relaxed))
        {
            w.WriteStartObject();
            w.WriteString("time", DateTime.UtcNow);
            w.WriteString("level", level);
            w.WriteString("msg", message);
            fields?.Invoke(w);
            w.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        lock (Gate)
        {
            try
            {
                Stderr.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
                Stderr.Flush();
            }
            catch (IOException)
            {
                // stderr closed: logging must never take the daemon down
            }
        }
    }

    public static void Info(string message, Action<Utf8JsonWriter>? fields = null) => Write("info", message, fields);
    public static void Warn(string message, Action<Utf8JsonWriter>? fields = null) => Write("warning", message, fields);
    public static void Error(string message, Action<Utf8JsonWriter>? fields = null) => Write("error", message, fields);
}

/// <summary>Framework logs (Kestrel, hosting) at Warning and above, in the same JSON line format.</summary>
public sealed class JsonLineLoggerProvider : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new JsonLineLogger(categoryName);
    public void Dispose() { }

    private sealed class JsonLineLogger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var text = new StringBuilder(formatter(state, exception));
            JsonLog.Write(logLevel >= LogLevel.Error ? "error" : "warning", text.ToString(), w =>
            {
                w.WriteString("category", category);
                if (exception is not null) w.WriteString("exception", exception.ToString());
            });
        }
    }
}
