using Carton.Windows.Hcs;

namespace Carton.Compute.Windows.Tests.Core;

/// <summary>HcsException: the HRESULT, its name, the function, the subject and HCS's own message in one line.</summary>
public sealed class HcsExceptionTests
{
    // A ResultError as HCS documents it (schemareference#ResultError), written by hand.
    private const string ResultError = """
        {"Error": -2143878899, "ErrorMessage": "The JSON document is invalid.",
         "ErrorEvents": [{"Message": "Unknown field 'Contaner'", "EventId": 12, "Provider": "17103E3F-3C6E-4677-BB17-3B267EB5BE57"}]}
        """;

    [Fact]
    public void The_message_names_the_code_the_function_the_subject_and_HCS_s_message()
    {
        var e = new HcsException(HcsErrors.HCS_E_INVALID_JSON, "HcsCreateComputeSystem", ResultError, "web1");
        Assert.Equal(HcsErrors.HCS_E_INVALID_JSON, e.HResult);
        Assert.Equal("HCS_E_INVALID_JSON", e.HResultName);
        Assert.Equal("HcsCreateComputeSystem", e.Operation);
        Assert.Equal("The JSON document is invalid.; Unknown field 'Contaner'", e.HcsMessage);
        Assert.Equal("HcsCreateComputeSystem \"web1\" failed with HCS_E_INVALID_JSON (0x8037010D): The JSON document is invalid.; Unknown field 'Contaner'", e.Message);
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not json {")]
    [InlineData("[1,2]")]
    [InlineData("{\"Error\": \"text\"}")]
    public void A_missing_or_unreadable_result_document_leaves_the_code_alone(string? document)
    {
        var e = new HcsException(HcsErrors.HCS_E_SYSTEM_NOT_FOUND, "HcsOpenComputeSystem", document, "gone");
        Assert.Null(e.HcsMessage);
        Assert.Equal("HcsOpenComputeSystem \"gone\" failed with HCS_E_SYSTEM_NOT_FOUND (0x8037010E)", e.Message);
        Assert.Equal(ErrorKind.NotFound, e.Kind);
    }

    [Fact]
    public void Error_events_without_an_ErrorMessage_still_give_the_detail()
    {
        var e = new HcsException(HcsErrors.E_FAIL, "HcsStartComputeSystem",
            """{"Error":-2147467259,"ErrorEvents":[{"Message":"The system cannot find the file specified."},{"Message":"  "}]}""");
        Assert.Equal("The system cannot find the file specified.", e.HcsMessage);
        Assert.EndsWith("failed with E_FAIL (0x80004005): The system cannot find the file specified.", e.Message);
    }

    [Fact]
    public void A_timeout_says_how_long_Carton_waited()
    {
        var e = HcsException.TimedOut("HcsShutDownComputeSystem", "web1", TimeSpan.FromMilliseconds(1500));
        Assert.Equal(HcsErrors.HCS_E_OPERATION_TIMEOUT, e.HResult);
        Assert.Equal(ErrorKind.Timeout, e.Kind);
        Assert.Null(e.HcsMessage);
        Assert.Contains("HCS_E_OPERATION_TIMEOUT", e.Message);
        Assert.Contains("no completion within 1.5 s", e.Message);
    }

    [Fact]
    public void Exit_and_process_status_documents_are_read()
    {
        var exit = HcsResultDocument.ParseSystemExit("""{"Status":-2143878905,"ExitType":"UnexpectedExit"}""");
        Assert.Equal(HcsErrors.HCS_E_TERMINATED, exit!.Status);
        Assert.Equal("UnexpectedExit", exit.ExitType);
        var status = HcsResultDocument.ParseProcessStatus("""{"ProcessId":42,"Exited":true,"ExitCode":3221225786,"LastWaitResult":0}""");
        Assert.Equal(42u, status!.ProcessId);
        Assert.True(status.Exited);
        Assert.Equal(0xC000013Au, status.ExitCode);
    }
}
