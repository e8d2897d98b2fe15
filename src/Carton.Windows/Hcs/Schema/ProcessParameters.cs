// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "ProcessParameters": the document HcsCreateProcess takes.</summary>
public sealed class ProcessParameters
{
    /// <summary>The executable, if not taken from CommandLine.</summary>
    public string? ApplicationName { get; set; }

    /// <summary>The command line (Windows quoting).</summary>
    public string? CommandLine { get; set; }

    /// <summary>The arguments as a list (Linux guests only).</summary>
    public List<string>? CommandArgs { get; set; }

    /// <summary>The user to run as.</summary>
    public string? User { get; set; }

    /// <summary>The working directory.</summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>The environment, by name.</summary>
    public Dictionary<string, string>? Environment { get; set; }

    /// <summary>Whether to run with a restricted token.</summary>
    public bool? RestrictedToken { get; set; }

    /// <summary>Whether to give the process a pseudo console (then stderr goes to stdout).</summary>
    public bool? EmulateConsole { get; set; }

    /// <summary>Whether to create a stdin pipe.</summary>
    public bool? CreateStdInPipe { get; set; }

    /// <summary>Whether to create a stdout pipe.</summary>
    public bool? CreateStdOutPipe { get; set; }

    /// <summary>Whether to create a stderr pipe.</summary>
    public bool? CreateStdErrPipe { get; set; }

    /// <summary>The console size: height then width.</summary>
    public List<ushort>? ConsoleSize { get; set; }

    /// <summary>Whether to create the process in an existing session of the user.</summary>
    public bool? UseExistingLogin { get; set; }

    /// <summary>Whether to use the legacy console instead of conhost.</summary>
    public bool? UseLegacyConsole { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
