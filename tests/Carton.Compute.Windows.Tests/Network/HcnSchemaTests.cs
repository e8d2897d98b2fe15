using System.Text.Json;
using System.Text.Json.Nodes;
using Carton.Windows.Network;

namespace Carton.Compute.Windows.Tests.Network;

/// <summary>The HCN schema types read what HNS writes (documents written by hand from Microsoft's HcnSchema
/// reference, with fields Carton does not model) and write it back whole.</summary>
public sealed class HcnSchemaTests
{
    private static void AssertSameJson(string expected, string actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"expected\n{expected}\nactual\n{actual}");

    [Fact]
    public void Network_round_trips_with_unknown_fields_at_every_level()
    {
        const string json = """
        {"ID":"5c9e2d2a-6f3b-4c1e-9a57-0d2f1f8e4b11","Name":"nat","Type":"NAT","Owner":"carton","Version":42,
         "Ipams":[{"Type":"Static","Future":1,"Subnets":[{"IpAddressPrefix":"172.20.0.0/16","Flags":1,"IpSubnets":[{"ID":"x"}],
           "Routes":[{"NextHop":"172.20.0.1","DestinationPrefix":"0.0.0.0/0","Metric":5,"Extra":"kept"}]}]}],
         "Policies":[{"Type":"NetAdapterName","Settings":{"NetworkAdapterName":"Ethernet"}}],
         "MacPool":{"Ranges":[{"StartMacAddress":"00-15-5D-52-C0-00","EndMacAddress":"00-15-5D-52-CF-FF"}]},
         "Dns":{"Domain":"corp","ServerList":["10.0.0.2"],"Suffix":"old"},
         "Flags":8,"Health":{"Extra":{"SwitchGuid":"abc"}},"SchemaVersion":{"Major":2,"Minor":14}}
        """;
        var doc = JsonSerializer.Deserialize(json, HcnJsonContext.Default.HostComputeNetwork)!;
        Assert.Equal("NAT", doc.Type);
        Assert.Equal("172.20.0.1", doc.Ipams![0].Subnets![0].Routes![0].NextHop);
        Assert.Equal((uint)8, doc.Flags);
        Assert.Equal((uint)14, doc.SchemaVersion!.Minor);
        Assert.Contains("Owner", doc.Extra!.Keys);
        AssertSameJson(json, JsonSerializer.Serialize(doc, HcnJsonContext.Default.HostComputeNetwork));
    }

    [Fact]
    public void Endpoint_round_trips_with_its_policy_settings_untouched()
    {
        const string json = """
        {"ID":"0b1f4a1e-1111-4c1e-9a57-0d2f1f8e4b11","Name":"web","HostComputeNetwork":"5c9e2d2a-6f3b-4c1e-9a57-0d2f1f8e4b11",
         "HostComputeNamespace":"9d2c0d8e-2222-4c1e-9a57-0d2f1f8e4b11",
         "Policies":[{"Type":"PortMapping","Settings":{"Protocol":6,"InternalPort":80,"ExternalPort":8080,"Flags":0}},
                     {"Type":"ACL","Settings":{"Action":"Allow","Direction":"In","Priority":200}}],
         "IpConfigurations":[{"IpAddress":"172.20.0.5","PrefixLength":16,"IpSubnetId":"y"}],
         "Dns":{"Search":["corp"],"ServerList":["10.0.0.2"],"Options":["ndots:2"]},
         "Routes":[{"NextHop":"172.20.0.1","DestinationPrefix":"0.0.0.0/0"}],
         "MacAddress":"00-15-5D-52-C0-05","Flags":2,"State":1,"SchemaVersion":{"Major":2,"Minor":0}}
        """;
        var doc = JsonSerializer.Deserialize(json, HcnJsonContext.Default.HostComputeEndpoint)!;
        Assert.Equal("172.20.0.5", doc.IpConfigurations![0].IpAddress);
        Assert.Equal((byte)16, doc.IpConfigurations[0].PrefixLength);
        var mapping = doc.Policies![0].Settings!.Value.Deserialize(HcnJsonContext.Default.HcnPortMappingPolicySetting)!;
        Assert.Equal((uint)6, mapping.Protocol);
        Assert.Equal((ushort)8080, mapping.ExternalPort);
        AssertSameJson(json, JsonSerializer.Serialize(doc, HcnJsonContext.Default.HostComputeEndpoint));
    }

    [Fact]
    public void Namespace_and_modify_request_round_trip()
    {
        const string ns = """
        {"ID":"9d2c0d8e-2222-4c1e-9a57-0d2f1f8e4b11","NamespaceId":7,"NamespaceGuid":"g","Type":"Host",
         "Resources":[{"Type":"Endpoint","Data":{"ID":"0b1f4a1e-1111-4c1e-9a57-0d2f1f8e4b11","More":true}},{"Type":"Container","Data":{"ID":"c1"}}],
         "SchemaVersion":{"Major":2,"Minor":0}}
        """;
        var doc = JsonSerializer.Deserialize(ns, HcnJsonContext.Default.HostComputeNamespace)!;
        Assert.Equal((uint)7, doc.NamespaceId);
        Assert.Equal("Endpoint", doc.Resources![0].Type);
        AssertSameJson(ns, JsonSerializer.Serialize(doc, HcnJsonContext.Default.HostComputeNamespace));

        const string request = """{"ResourceType":"Endpoint","RequestType":"Remove","Settings":{"EndpointId":"0b1f4a1e-1111-4c1e-9a57-0d2f1f8e4b11"},"ResourceUri":"u"}""";
        var req = JsonSerializer.Deserialize(request, HcnJsonContext.Default.HcnModifyNamespaceSettingRequest)!;
        AssertSameJson(request, JsonSerializer.Serialize(req, HcnJsonContext.Default.HcnModifyNamespaceSettingRequest));
    }

    [Fact]
    public void Names_are_read_in_any_case_HNS_spells_them()
    {
        // the older "HCN JSON document schemas" page writes "Id" and "IPConfigurations"/"IPAddress"
        const string json = """{"Id":"0b1f4a1e-1111-4c1e-9a57-0d2f1f8e4b11","IPConfigurations":[{"IPAddress":"10.0.0.9","PrefixLength":24}]}""";
        var doc = JsonSerializer.Deserialize(json, HcnJsonContext.Default.HostComputeEndpoint)!;
        Assert.Equal("0b1f4a1e-1111-4c1e-9a57-0d2f1f8e4b11", doc.Id);
        Assert.Equal("10.0.0.9", doc.IpConfigurations![0].IpAddress);
        Assert.Null(doc.Extra);
    }

    [Fact]
    public void Absent_fields_stay_absent_when_written()
    {
        var json = JsonSerializer.Serialize(new HostComputeNamespace { Type = "Host" }, HcnJsonContext.Default.HostComputeNamespace);
        AssertSameJson("""{"Type":"Host"}""", json);
    }

    [Fact]
    public void The_default_query_is_schema_2_0_with_nothing_else()
    {
        AssertSameJson("""{"SchemaVersion":{"Major":2,"Minor":0}}""", HostComputeQuery.Default);
    }
}
