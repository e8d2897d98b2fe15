using Carton.Compute;
using Carton.Compute.Windows;
using Carton.Windows.Hcs;

namespace Carton.Compute.Windows.Tests.Core;

/// <summary>HRESULTs to the compute contract's typed errors, the common HCS_E_* codes by name.</summary>
public sealed class HcsErrorMappingTests
{
    private static ComputeException Map(int hr, string? document = null, string? state = null) =>
        HcsErrorMapping.ToComputeException(new HcsException(hr, "HcsStartComputeSystem", document, "web1"), "web1", "start", state);

    [Theory]
    [InlineData(0x8037010E)]
    [InlineData(0xC037010E)]
    public void System_not_found_is_ComputeSystemNotFoundException(uint hr)
    {
        var e = Assert.IsType<ComputeSystemNotFoundException>(Map(unchecked((int)hr)));
        Assert.Equal("web1", e.Id);
        Assert.Equal(ErrorKind.NotFound, e.Kind);
    }

    [Fact]
    public void Already_exists_is_ComputeSystemAlreadyExistsException() =>
        Assert.Equal("web1", Assert.IsType<ComputeSystemAlreadyExistsException>(Map(HcsErrors.HCS_E_SYSTEM_ALREADY_EXISTS)).Id);

    [Theory]
    [InlineData(0x80370110)]
    [InlineData(0xC0370110)]
    public void Already_stopped_is_ComputeSystemAlreadyStoppedException(uint hr)
    {
        var e = Assert.IsType<ComputeSystemAlreadyStoppedException>(Map(unchecked((int)hr)));
        Assert.Equal("AlreadyStopped", e.Code);
    }

    [Fact]
    public void Invalid_state_is_InvalidComputeSystemStateException_with_the_state_when_known()
    {
        var known = Assert.IsType<InvalidComputeSystemStateException>(Map(HcsErrors.HCS_E_INVALID_STATE, state: "paused"));
        Assert.Equal("cannot start compute system \"web1\": it is paused", known.Message);
        var unknown = Assert.IsType<InvalidComputeSystemStateException>(
            Map(HcsErrors.HCS_E_INVALID_STATE, """{"ErrorMessage":"The system is already running."}"""));
        Assert.Equal("start", unknown.Operation);
        Assert.Contains("HCS_E_INVALID_STATE: The system is already running.", unknown.Message);
    }

    [Theory]
    [InlineData(0x8037010D)]
    [InlineData(0xC037010D)]
    [InlineData(0x80070057)]
    [InlineData(0x8007000D)]
    public void A_rejected_document_is_InvalidComputeDocumentException_naming_the_code_and_HCS_s_message(uint hr)
    {
        var e = Assert.IsType<InvalidComputeDocumentException>(Map(unchecked((int)hr), """{"ErrorMessage":"Unknown field 'Contaner'"}"""));
        Assert.Equal("$", e.JsonPath);
        Assert.Contains(HcsErrors.NameOf(HcsErrors.Normalize(unchecked((int)hr))), e.Message);
        Assert.EndsWith(": Unknown field 'Contaner'", e.Message);
    }

    [Fact]
    public void A_process_already_stopped_is_InvalidState_AlreadyStopped()
    {
        var e = Map(HcsErrors.HCS_E_PROCESS_ALREADY_STOPPED);
        Assert.Equal(ErrorKind.InvalidState, e.Kind);
        Assert.Equal("AlreadyStopped", e.Code);
        Assert.Contains("HCS_E_PROCESS_ALREADY_STOPPED", e.Message);
    }

    [Theory]
    [InlineData(0x8037011B, ErrorKind.PermissionDenied, "PermissionDenied")]
    [InlineData(0x80070005, ErrorKind.PermissionDenied, "PermissionDenied")]
    [InlineData(0x80370118, ErrorKind.Timeout, "Timeout")]
    [InlineData(0x80370109, ErrorKind.Timeout, "Timeout")]
    [InlineData(0x8037011E, ErrorKind.Unavailable, "Unavailable")]
    [InlineData(0x8037010C, ErrorKind.Unsupported, "Unsupported")]
    [InlineData(0x80004001, ErrorKind.Unsupported, "Unsupported")]
    [InlineData(0x80370107, ErrorKind.Internal, "Failed")]
    [InlineData(0x80370100, ErrorKind.Internal, "Failed")]
    [InlineData(0x80370199, ErrorKind.Internal, "Failed")]
    public void Other_codes_keep_their_kind_and_name_the_code_and_HCS_s_message(uint hr, ErrorKind kind, string code)
    {
        var e = Map(unchecked((int)hr), """{"ErrorMessage":"detail from HCS"}""");
        Assert.Equal(typeof(ComputeException), e.GetType());
        Assert.Equal(kind, e.Kind);
        Assert.Equal(code, e.Code);
        Assert.StartsWith("cannot start compute system \"web1\": HcsStartComputeSystem \"web1\" failed with ", e.Message);
        Assert.Contains(HcsErrors.NameOf(unchecked((int)hr)), e.Message);
        Assert.EndsWith(": detail from HCS", e.Message);
        Assert.IsType<HcsException>(e.InnerException);
    }

    [Fact]
    public async Task MapAsync_turns_an_HcsException_into_the_compute_error_and_lets_others_through()
    {
        await Assert.ThrowsAsync<ComputeSystemNotFoundException>(() => HcsErrorMapping.MapAsync(
            () => Task.FromException(new HcsException(HcsErrors.HCS_E_SYSTEM_NOT_FOUND, "HcsOpenComputeSystem")), "x", "open"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => HcsErrorMapping.MapAsync(
            () => Task.FromException(new InvalidOperationException()), "x", "open"));
        Assert.Equal(5, await HcsErrorMapping.MapAsync(() => Task.FromResult(5), "x", "open"));
    }
}
