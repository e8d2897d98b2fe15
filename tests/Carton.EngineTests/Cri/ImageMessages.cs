using Google.Protobuf;

namespace Carton.EngineTests.Cri;

// ImageService: the image a container is made from, and the two look-ups (ListImages, ImageStatus).

/// <summary>An image reference: a name such as "carton.test/busybox:1", or an image id.</summary>
public sealed class ImageSpec : CriMessage
{
    public string Image { get; set; } = "";

    public override void WriteFields(CodedOutputStream output) => Wire.String(output, 1, Image);

    protected override bool ReadField(CodedInputStream input, int field, WireFormat.WireType wireType)
    {
        if (field != 1) return false;
        Image = input.ReadString();
        return true;
    }
}

/// <summary>An image as the runtime knows it: its id (the config digest) and the names that point at it.</summary>
public sealed class Image : CriMessage
{
    public string Id { get; private set; } = "";
    public List<string> RepoTags { get; } = [];
    public List<string> RepoDigests { get; } = [];
    public ulong Size { get; private set; }

    protected override bool ReadField(CodedInputStream input, int field, WireFormat.WireType wireType)
    {
        switch (field)
        {
            case 1: Id = input.ReadString(); return true;
            case 2: RepoTags.Add(input.ReadString()); return true;
            case 3: RepoDigests.Add(input.ReadString()); return true;
            case 4: Size = input.ReadUInt64(); return true;
            default: return false;
        }
    }
}

/// <summary>ListImages with no filter: every image in the runtime's (k8s.io) namespace.</summary>
public sealed class ListImagesRequest : CriMessage;

public sealed class ListImagesResponse : CriMessage
{
    public List<Image> Images { get; } = [];

    protected override bool ReadField(CodedInputStream input, int field, WireFormat.WireType wireType)
    {
        if (field != 1) return false;
        Images.Add(Wire.ReadMessage<Image>(input));
        return true;
    }
}

public sealed class ImageStatusRequest : CriMessage
{
    public ImageSpec? Image { get; set; }

    public override void WriteFields(CodedOutputStream output) => Wire.Message(output, 1, Image);
}

/// <summary>The image, or none (null) when the runtime does not have it: that is not an error in CRI.</summary>
public sealed class ImageStatusResponse : CriMessage
{
    public Image? Image { get; private set; }

    protected override bool ReadField(CodedInputStream input, int field, WireFormat.WireType wireType)
    {
        if (field != 1) return false;
        Image = Wire.ReadMessage<Image>(input);
        return true;
    }
}
