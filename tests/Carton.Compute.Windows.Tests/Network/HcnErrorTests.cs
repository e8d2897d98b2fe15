using Carton.Windows.Network;

namespace Carton.Compute.Windows.Tests.Network;

/// <summary>HCN's HRESULTs and error records become typed errors: the kind, the name, the record's words.</summary>
public sealed class HcnErrorTests
{
    [Theory]
    [InlineData(0x803B0001u, "HCN_E_NETWORK_NOT_FOUND", ErrorKind.NotFound)]
    [InlineData(0x803B0002u, "HCN_E_ENDPOINT_NOT_FOUND", ErrorKind.NotFound)]
    [InlineData(0x803B0010u, "HCN_E_NETWORK_ALREADY_EXISTS", ErrorKind.AlreadyExists)]
    [InlineData(0x803B0013u, "HCN_E_PORT_ALREADY_EXISTS", ErrorKind.AlreadyExists)]
    [InlineData(0x803B0014u, "HCN_E_ENDPOINT_ALREADY_ATTACHED", ErrorKind.InvalidState)]
    [InlineData(0x803B002Cu, "HCN_E_ENTITY_HAS_REFERENCES", ErrorKind.InvalidState)]
    [InlineData(0x803B000Au, "HCN_E_INVALID_NETWORK", ErrorKind.InvalidDocument)]
    [InlineData(0x803B001Bu, "HCN_E_INVALID_JSON", ErrorKind.InvalidDocument)]
    [InlineData(0x803B0016u, "HCN_E_MAPPING_NOT_SUPPORTED", ErrorKind.Unsupported)]
    [InlineData(0x803B0020u, "HCN_E_MANAGER_STOPPED", ErrorKind.Unavailable)]
    [InlineData(0x80070490u, "ERROR_NOT_FOUND", ErrorKind.NotFound)]
    [InlineData(0x80070005u, "E_ACCESSDENIED", ErrorKind.PermissionDenied)]
    public void HResults_have_their_names_and_kinds(uint hr, string name, ErrorKind kind)
    {
        Assert.Equal(name, HcnErrorCodes.NameOf(unchecked((int)hr)));
        Assert.Equal(kind, HcnErrorCodes.KindOf(unchecked((int)hr)));
    }

    [Fact]
    public void An_unknown_HResult_is_named_in_hex_and_is_internal()
    {
        Assert.Equal("0x80004005", HcnErrorCodes.NameOf(unchecked((int)0x80004005)));
        Assert.Equal(ErrorKind.Internal, HcnErrorCodes.KindOf(unchecked((int)0x80004005)));
    }

    [Fact]
    public void A_failed_HResult_throws_with_operation_subject_name_and_record()
    {
        var e = Assert.Throws<HostComputeNetworkException>(() => HcnResult.ThrowIfFailed("HcnCreateNetwork", "network \"web\"", HcnErrorCodes.NetworkAlreadyExists,
            """{"Success":false,"Error":"A network with name web already exists","ErrorCode":2151350288}"""));
        Assert.Equal(ErrorKind.AlreadyExists, e.Kind);
        Assert.Equal(HcnErrorCodes.NetworkAlreadyExists, e.HResult);
        Assert.Equal("HCN_E_NETWORK_ALREADY_EXISTS", e.ErrorName);
        Assert.Equal("HcnCreateNetwork", e.Operation);
        Assert.Equal("A network with name web already exists", e.Record!.Error);
        Assert.Contains("HcnCreateNetwork network \"web\": HCN_E_NETWORK_ALREADY_EXISTS", e.Message);
        Assert.Contains("[0x803B0010]", e.Message);
        Assert.Contains("A network with name web already exists", e.Message);
    }

    [Fact]
    public void A_success_HResult_with_a_failing_record_throws_the_records_code()
    {
        var e = Assert.Throws<HostComputeNetworkException>(() => HcnResult.ThrowIfFailed("HcnModifyNamespace", "namespace x", 0,
            """{"Success":false,"Error":"Element not found.","ErrorCode":2147943568}"""));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Equal("ERROR_NOT_FOUND", e.ErrorName);
    }

    [Fact]
    public void A_success_with_no_record_or_a_successful_one_does_not_throw()
    {
        HcnResult.ThrowIfFailed("HcnDeleteNetwork", "network x", 0, null);
        HcnResult.ThrowIfFailed("HcnDeleteNetwork", "network x", 0, "");
        HcnResult.ThrowIfFailed("HcnDeleteNetwork", "network x", 0, """{"Success":true}""");
    }

    [Fact]
    public void A_record_that_is_not_JSON_is_kept_as_text()
    {
        var e = Assert.Throws<HostComputeNetworkException>(() => HcnResult.ThrowIfFailed("HcnCreateEndpoint", "endpoint e", unchecked((int)0x80004005), "the service crashed"));
        Assert.Null(e.Record);
        Assert.Equal("the service crashed", e.ErrorRecord);
        Assert.EndsWith(": the service crashed", e.Message);
    }

    [Fact]
    public void About_retells_the_same_failure_about_a_named_object()
    {
        var e = new HostComputeNetworkException("HcnDeleteNetwork", "network 1234", HcnErrorCodes.EntityHasReferences, null).About("network \"web\" (1234)");
        Assert.Equal(ErrorKind.InvalidState, e.Kind);
        Assert.Contains("network \"web\" (1234)", e.Message);
        Assert.Equal(HcnErrorCodes.EntityHasReferences, e.HResult);
    }

    [Fact]
    public void Enumerations_parse_to_GUIDs_and_refuse_anything_else()
    {
        var ids = HcnResult.ParseGuidList("HcnEnumerateNetworks", """["5C9E2D2A-6F3B-4C1E-9A57-0D2F1F8E4B11","0b1f4a1e-1111-4c1e-9a57-0d2f1f8e4b11"]""");
        Assert.Equal([Guid.Parse("5c9e2d2a-6f3b-4c1e-9a57-0d2f1f8e4b11"), Guid.Parse("0b1f4a1e-1111-4c1e-9a57-0d2f1f8e4b11")], ids);
        Assert.Empty(HcnResult.ParseGuidList("HcnEnumerateNetworks", null));
        Assert.Equal(ErrorKind.Internal, Assert.Throws<CartonException>(() => HcnResult.ParseGuidList("HcnEnumerateNetworks", """["nat"]""")).Kind);
        Assert.Equal(ErrorKind.Internal, Assert.Throws<CartonException>(() => HcnResult.ParseGuidList("HcnEnumerateNetworks", "{")).Kind);
    }
}
