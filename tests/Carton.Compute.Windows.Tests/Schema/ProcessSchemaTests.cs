using Carton.Windows.Hcs.Schema;

namespace Carton.Compute.Windows.Tests.Schema;

/// <summary>ProcessParameters, ProcessStatus and ProcessModifyRequest, written by hand from the HCS schema reference.</summary>
public class ProcessSchemaTests
{
    [Fact]
    public void Process_parameters_round_trip()
    {
        const string json = """
        {
          "ApplicationName": "C:\\Windows\\System32\\cmd.exe",
          "CommandLine": "cmd.exe /c \"echo hi\"",
          "CommandArgs": [ "cmd.exe" ],
          "User": "ContainerUser",
          "WorkingDirectory": "C:\\",
          "Environment": { "PATH": "C:\\Windows\\System32", "FOO": "bar" },
          "RestrictedToken": false,
          "EmulateConsole": true,
          "CreateStdInPipe": true,
          "CreateStdOutPipe": true,
          "CreateStdErrPipe": false,
          "ConsoleSize": [ 25, 80 ],
          "UseExistingLogin": false,
          "UseLegacyConsole": false,
          "x-new-field": { "a": 1 }
        }
        """;
        var p = SchemaJson.AssertRoundTrips(json, HcsSchemaJsonContext.Default.ProcessParameters);
        Assert.Equal("cmd.exe /c \"echo hi\"", p.CommandLine);
        Assert.Equal("bar", p.Environment!["FOO"]);
        Assert.Equal([(ushort)25, (ushort)80], p.ConsoleSize);
        Assert.True(p.EmulateConsole);
        Assert.False(p.CreateStdErrPipe);
        Assert.True(p.Extra!.ContainsKey("x-new-field"));
    }

    [Fact]
    public void Process_status_round_trips_with_an_ntstatus_exit_code()
    {
        // 0xC000013A (STATUS_CONTROL_C_EXIT): an unsigned 32-bit exit code, as the schema documents it
        const string json = """{ "ProcessId": 4242, "Exited": true, "ExitCode": 3221225786, "LastWaitResult": 0 }""";
        var s = SchemaJson.AssertRoundTrips(json, HcsSchemaJsonContext.Default.ProcessStatus);
        Assert.Equal(4242u, s.ProcessId);
        Assert.Equal(0xC000013Au, s.ExitCode);
        Assert.True(s.Exited);
    }

    [Fact]
    public void Process_modify_requests_round_trip()
    {
        const string resize = """{ "Operation": "ConsoleSize", "ConsoleSize": { "Height": 50, "Width": 132 } }""";
        var r = SchemaJson.AssertRoundTrips(resize, HcsSchemaJsonContext.Default.ProcessModifyRequest);
        Assert.Equal(ProcessModifyOperation.ConsoleSize, r.Operation);
        Assert.Equal((ushort)132, r.ConsoleSize!.Width);

        const string close = """{ "Operation": "CloseHandle", "CloseHandle": { "Handle": "StdIn" } }""";
        var c = SchemaJson.AssertRoundTrips(close, HcsSchemaJsonContext.Default.ProcessModifyRequest);
        Assert.Equal("StdIn", c.CloseHandle!.Handle);
    }
}
