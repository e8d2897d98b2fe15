using Carton.Network.Windows;

namespace Carton.Compute.Windows.Tests.Network;

/// <summary>How the contract's ids name HCN's GUIDs.</summary>
public sealed class HcnIdsTests
{
    [Fact]
    public void A_new_id_is_64_hex_and_begins_with_its_GUID()
    {
        var id = HcnIds.NewId();
        Assert.Matches("^[0-9a-f]{64}$", id);
        var guid = HcnIds.GuidOf(id);
        Assert.Equal(id[..32], guid.ToString("N"));
        Assert.Equal(4, guid.Version);
        Assert.NotEqual(HcnIds.GuidOf(HcnIds.NewId()), guid);
    }

    [Fact]
    public void A_namespace_with_a_hex_id_uses_its_first_32_characters()
    {
        var id = new string('a', 12) + "0123456789abcdef0123" + new string('f', 32);
        Assert.Equal(Guid.ParseExact(id[..32], "N"), HcnIds.NamespaceGuidOf(id));
    }

    [Fact]
    public void Any_other_namespace_id_gets_a_stable_name_based_GUID()
    {
        var a = HcnIds.NamespaceGuidOf("my-container");
        Assert.Equal(a, HcnIds.NamespaceGuidOf("my-container"));
        Assert.NotEqual(a, HcnIds.NamespaceGuidOf("my-container."));
        Assert.NotEqual(a, HcnIds.NamespaceGuidOf("My-container"));
        Assert.Equal(8, a.Version);
    }
}
