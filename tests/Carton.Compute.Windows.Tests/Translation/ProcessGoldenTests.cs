using System.Text.Json;
using Carton.Compute.Windows.Translation;
using Carton.Oci;
using static Carton.Compute.Windows.Tests.Translation.TranslationFixtures;

namespace Carton.Compute.Windows.Tests.Translation;

/// <summary>Golden tests of OciToHcs.ToProcessParameters: OCI process JSON in, hand-written ProcessParameters out.</summary>
public class ProcessGoldenTests
{
    private static Process Read(string json) => JsonSerializer.Deserialize(json, OciJsonContext.Default.Process)!;

    [Fact]
    public void Command_line_is_taken_as_given()
    {
        var p = Read("""
        {
          "commandLine": "cmd.exe /S /C \"echo a  b\"",
          "args": [ "ignored.exe" ],
          "cwd": "C:\\app",
          "user": { "username": "ContainerUser" },
          "env": [ "PATH=C:\\Windows\\System32;C:\\Windows", "FOO=bar=baz" ]
        }
        """);
        AssertSameJson("""
        {
          "CommandLine": "cmd.exe /S /C \"echo a  b\"",
          "User": "ContainerUser",
          "WorkingDirectory": "C:\\app",
          "Environment": { "PATH": "C:\\Windows\\System32;C:\\Windows", "FOO": "bar=baz" },
          "CreateStdInPipe": true,
          "CreateStdOutPipe": true,
          "CreateStdErrPipe": true
        }
        """, Write(OciToHcs.ToProcessParameters(p, ProcessStdio.All)));
    }

    [Fact]
    public void Args_are_quoted_and_joined()
    {
        var p = Read("""
        {
          "args": [ "C:\\Program Files\\app.exe", "a b", "", "x\"y", "trail\\", "tr ail\\", "back\\\"q", "plain", "t\tab" ],
          "cwd": "C:\\"
        }
        """);
        // by the Windows parsing rules, written out by hand: "C:\Program Files\app.exe" "a b" "" x\"y trail\ "tr ail\\" back\\\"q plain "t<TAB>ab"
        AssertSameJson("""
        { "CommandLine": "\"C:\\Program Files\\app.exe\" \"a b\" \"\" x\\\"y trail\\ \"tr ail\\\\\" back\\\\\\\"q plain \"t\tab\"",
          "WorkingDirectory": "C:\\" }
        """, Write(OciToHcs.ToProcessParameters(p, default)));
    }

    [Fact]
    public void Terminal_emulates_a_console_of_the_given_size_and_asks_no_stderr_pipe()
    {
        var p = Read("""{ "terminal": true, "consoleSize": { "height": 40, "width": 120 }, "args": [ "powershell.exe" ], "cwd": "C:\\" }""");
        AssertSameJson("""
        {
          "CommandLine": "powershell.exe",
          "WorkingDirectory": "C:\\",
          "EmulateConsole": true,
          "CreateStdInPipe": true,
          "CreateStdOutPipe": true,
          "ConsoleSize": [ 40, 120 ]
        }
        """, Write(OciToHcs.ToProcessParameters(p, ProcessStdio.All)));
    }

    [Fact]
    public void Console_size_without_a_terminal_is_ignored()
    {
        var p = Read("""{ "consoleSize": { "height": 40, "width": 120 }, "args": [ "a.exe" ], "cwd": "C:\\" }""");
        AssertSameJson("""{ "CommandLine": "a.exe", "WorkingDirectory": "C:\\", "CreateStdOutPipe": true }""",
            Write(OciToHcs.ToProcessParameters(p, new ProcessStdio(Stdin: false, Stdout: true, Stderr: false))));
    }

    [Fact]
    public void Environment_drops_empty_values_and_the_last_spelling_of_a_name_wins()
    {
        var p = Read("""{ "args": [ "a.exe" ], "cwd": "C:\\", "env": [ "Path=C:\\one", "EMPTY=", "PATH=C:\\two", "X=1", "X=" ] }""");
        AssertSameJson("""{ "CommandLine": "a.exe", "WorkingDirectory": "C:\\", "Environment": { "PATH": "C:\\two" } }""",
            Write(OciToHcs.ToProcessParameters(p, default)));
    }
}
