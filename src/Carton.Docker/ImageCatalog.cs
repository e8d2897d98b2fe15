using Carton.Images;
using Carton.Images.Content;

namespace Carton.Docker;

/// <summary>
/// The store seen as Docker sees it: its names grouped by image id, and the lookup of a name the way dockerd does
/// it (a full id, a reference, "repo@digest" of a tagged image, or a unique prefix of an id).
/// </summary>
internal static class ImageCatalog
{
    /// <summary>Every image of the store. A name whose content cannot be resolved for this host (an index without
    /// this platform's manifest) is left out, as dockerd lists only images it can run.</summary>
    public static List<DockerImage> Load(ImageStore store)
    {
        var byId = new Dictionary<string, (StoredImage Image, List<ImageRecord> Records)>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var record in store.List())
        {
            StoredImage resolved;
            try { resolved = store.Resolve(record.Name, record.Target); }
            catch (CartonException) { continue; }
            catch (IOException) { continue; }
            var id = resolved.ConfigDigest.ToString();
            if (!byId.TryGetValue(id, out var entry))
            {
                entry = (resolved, []);
                byId[id] = entry;
                order.Add(id);
            }
            entry.Records.Add(record);
        }
        return [.. order.Select(id => new DockerImage(byId[id].Image, byId[id].Records))];
    }

    /// <summary>
    /// The image <paramref name="name"/> names, and the store name it was found by (null when it was found by id).
    /// 404 "No such image: NAME" when none.
    /// </summary>
    public static (DockerImage Image, ImageRecord? Record) Find(IReadOnlyList<DockerImage> images, string name)
    {
        if (name.StartsWith("sha256:", StringComparison.Ordinal) && name.Length == 71)
            return (images.FirstOrDefault(i => i.Id == name) ?? throw DockerErrors.NoSuchImage(name), null);
        if (ImageReference.TryParse(name, out var reference))
        {
            var canonical = reference.ToString();
            foreach (var image in images)
                foreach (var record in image.Records)
                    if (record.Name == canonical) return (image, record);
            // "repo@digest" where the store names the image by a tag of repo: dockerd finds it by its digest too
            if (reference.Digest is { } digest)
                foreach (var image in images)
                    foreach (var record in image.Records)
                        if (record.Target.Digest == digest.ToString() && ImageReference.Parse(record.Name).Name == reference.Name)
                            return (image, record);
        }
        var hex = name.StartsWith("sha256:", StringComparison.Ordinal) ? name[7..] : name;
        if (hex.Length is > 0 and <= 64 && hex.All(char.IsAsciiHexDigitLower))
        {
            var matches = images.Where(i => i.Image.ConfigDigest.Encoded.StartsWith(hex, StringComparison.Ordinal)).ToList();
            if (matches.Count == 1) return (matches[0], null);
        }
        throw DockerErrors.NoSuchImage(Familiar(name));
    }

    /// <summary>A name as dockerd echoes it in errors: familiar with its tag ("busybox:latest"), or as given.</summary>
    public static string Familiar(string name)
    {
        if (!ImageReference.TryParse(name, out var r) || name.StartsWith("sha256:", StringComparison.Ordinal)) return name;
        var s = DockerImage.FamiliarName(r);
        if (r.Tag is not null) s += ":" + r.Tag;
        if (r.Digest is { } d) s += "@" + d;
        return s;
    }
}
