namespace Carton.Images.Formats;

/// <summary>The archive <see cref="ImageExporter"/> writes.</summary>
public enum ExportFormat
{
    /// <summary>An OCI image layout in a tar (image-spec image-layout.md): what skopeo's oci-archive: and podman load read.</summary>
    Oci,

    /// <summary>A docker-archive (manifest.json) that is also an OCI layout, Docker 25's `docker save` shape: what
    /// `docker load` (any version that reads manifest.json) and skopeo's docker-archive: read.</summary>
    Docker,
}
