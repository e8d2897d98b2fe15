using Carton.Images.Model;

namespace Carton.Images.Content;

/// <summary>
/// The content half of <c>carton image check</c>: every blob hashed again (streamed, with the algorithm its name
/// says: sha256 or sha512) and its size compared with every descriptor that points at it, and every name's graph
/// walked (image-spec image-layout.md: index.json → index → manifests → config and layers) to find what is missing
/// or unreadable. An index pulled for one platform holds only that platform's manifest: the others are not missing,
/// but at least one must be there. The caller holds the exclusive <see cref="StoreLease"/> so the store stands still.
/// </summary>
public static class ContentCheck
{
    /// <summary>The problems of the store's blobs and names (empty when sound).</summary>
    public static List<StoreProblem> Run(ImageStore store, CancellationToken cancellationToken = default)
    {
        var problems = new List<StoreProblem>();
        var corrupt = new HashSet<Digest>();
        var blobs = Path.Combine(store.Root, "blobs");
        if (Directory.Exists(blobs))
        {
            foreach (var file in Directory.EnumerateFiles(blobs, "*", SearchOption.AllDirectories))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var parts = Path.GetRelativePath(blobs, file).Split(Path.DirectorySeparatorChar);
                if (parts.Length != 2 || !Digest.TryParse($"{parts[0]}:{parts[1]}", out var digest))
                {
                    problems.Add(new StoreProblem(StoreProblemKind.StrayFile, file, Path.GetRelativePath(store.Root, file), "not named blobs/<algorithm>/<hex digest>"));
                    continue;
                }
                var found = Hash(file, digest);
                if (found != digest)
                {
                    corrupt.Add(digest);
                    problems.Add(new StoreProblem(StoreProblemKind.CorruptBlob, file, digest.ToString(), "content does not match its digest", digest.ToString(), found.ToString()));
                }
            }
        }

        var sizeChecked = new HashSet<Digest>();
        foreach (var record in store.List())
        {
            var missing = new List<string>();
            Walk(store, record.Name, record.Target, 0, missing, corrupt, sizeChecked, problems);
            if (missing.Count > 0)
                problems.Add(new StoreProblem(StoreProblemKind.BrokenName, store.Names.IndexPath, record.Name,
                    "its image is incomplete: " + string.Join("; ", missing)));
        }
        return problems;
    }

    /// <summary>Deletes the corrupt blobs and stray files and removes the broken names; returns what it did.</summary>
    public static async Task<List<string>> RepairAsync(ImageStore store, IEnumerable<StoreProblem> problems, CancellationToken cancellationToken = default)
    {
        var done = new List<string>();
        foreach (var p in problems)
        {
            switch (p.Kind)
            {
                case StoreProblemKind.CorruptBlob when Digest.TryParse(p.Subject, out var d):
                    if (await store.Content.DeleteAsync(d, cancellationToken).ConfigureAwait(false)) done.Add($"deleted blob {d}");
                    break;
                case StoreProblemKind.StrayFile:
                    if (File.Exists(p.Path)) { File.Delete(p.Path); done.Add($"deleted {p.Path}"); }
                    break;
                case StoreProblemKind.BrokenName:
                    if (await store.Names.RemoveAsync(p.Subject, cancellationToken).ConfigureAwait(false)) done.Add($"removed the name {p.Subject}");
                    break;
            }
        }
        return done;
    }

    private static void Walk(ImageStore store, string name, Descriptor descriptor, int depth, List<string> missing,
        HashSet<Digest> corrupt, HashSet<Digest> sizeChecked, List<StoreProblem> problems)
    {
        if (!Digest.TryParse(descriptor.Digest, out var digest))
        {
            missing.Add($"\"{descriptor.Digest}\" is not a digest");
            return;
        }
        if (!Present(store, digest, descriptor.Size, corrupt, sizeChecked, problems))
        {
            missing.Add($"{digest} is {(corrupt.Contains(digest) ? "corrupt" : "missing")}");
            return;
        }
        try
        {
            if (MediaTypes.IsIndex(descriptor.MediaType))
            {
                if (depth > 4) { missing.Add($"index {digest} nests too deep"); return; }
                var index = ManifestDocuments.ParseIndex(store.Content.ReadAllBytes(digest), $"index {digest}");
                int present = 0;
                foreach (var child in index.Manifests)
                {
                    if (!Digest.TryParse(child.Digest, out var c) || !store.Content.Has(c)) continue; // another platform, not pulled
                    present++;
                    Walk(store, name, child, depth + 1, missing, corrupt, sizeChecked, problems);
                }
                if (present == 0) missing.Add($"none of index {digest}'s {index.Manifests.Count} manifests is in the store");
            }
            else if (MediaTypes.IsManifest(descriptor.MediaType))
            {
                var manifest = ManifestDocuments.ParseManifest(store.Content.ReadAllBytes(digest), $"manifest {digest}");
                foreach (var blob in manifest.Layers.Prepend(manifest.Config))
                {
                    var d = Digest.Parse(blob.Digest, "digest");
                    if (!Present(store, d, blob.Size, corrupt, sizeChecked, problems))
                        missing.Add($"{(blob == manifest.Config ? "config" : "layer")} {d} of manifest {digest} is {(corrupt.Contains(d) ? "corrupt" : "missing")}");
                }
            }
        }
        catch (CartonException e) when (e.Kind is ErrorKind.InvalidDocument or ErrorKind.Unsupported)
        {
            missing.Add(e.Message);
        }
    }

    /// <summary>True when the blob is there and sound; a size that differs from the descriptor's makes it corrupt.</summary>
    private static bool Present(ImageStore store, Digest digest, long size, HashSet<Digest> corrupt, HashSet<Digest> sizeChecked, List<StoreProblem> problems)
    {
        if (corrupt.Contains(digest)) return false;
        if (store.Content.SizeOf(digest) is not { } actual) return false;
        if (actual != size && sizeChecked.Add(digest))
        {
            // A blob that hashes right cannot have another size; a descriptor that says so is wrong, and with it the
            // document that holds it. Reported against the blob all the same: the graph cannot be trusted.
            corrupt.Add(digest);
            problems.Add(new StoreProblem(StoreProblemKind.CorruptBlob, store.Content.BlobPath(digest), digest.ToString(),
                "size differs from its descriptor's", $"{size} bytes", $"{actual} bytes"));
            return false;
        }
        return true;
    }

    private static Digest Hash(string file, Digest expected)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var hash = expected.NewHash();
        var buffer = new byte[1 << 16];
        int n;
        while ((n = stream.Read(buffer)) > 0) hash.AppendData(buffer, 0, n);
        return expected.From(hash);
    }
}
