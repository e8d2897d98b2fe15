using System.Text.Json;
using Carton.Compute;
using Carton.Oci;

namespace Carton.Service;

/// <summary>
/// The body of POST /v1/systems/{id}/resources: a <see cref="ComputeResources"/> object (HCS's Processor, Memory,
/// StorageQoS and a "Linux" part), or, as the API has taken since its first version, a bare OCI linux.resources
/// object. The two cannot be confused: OCI's groups are lower case ("memory"), the portable ones capitalised.
/// </summary>
public static class ResourcesBody
{
    private static readonly HashSet<string> PortableKeys = new(StringComparer.Ordinal) { "Processor", "Memory", "StorageQoS", "Linux" };

    public static ComputeResources Parse(byte[] body)
    {
        try
        {
            if (Carton.Oci.JsonBodyScreen.Find(body) is { } problem)
                throw new InvalidComputeDocumentException(problem.Path, problem.Reason);
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidComputeDocumentException("$", "a JSON object is required");
            bool portable = false, oci = false;
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (PortableKeys.Contains(p.Name)) portable = true;
                else oci = true;
            }
            if (portable && oci)
                throw new InvalidComputeDocumentException("$", "mixes ComputeResources fields (Processor, Memory, StorageQoS, Linux) with OCI linux.resources fields: put the OCI ones under \"Linux\"");
            if (oci)
                return ComputeResources.FromLinux(JsonSerializer.Deserialize(body, ComputeJsonContext.Default.LinuxResources)!);
            return JsonSerializer.Deserialize(body, ComputeJsonContext.Default.ComputeResources) ?? new ComputeResources();
        }
        catch (JsonException e)
        {
            throw new InvalidComputeDocumentException(e.Path ?? "$", e.Message);
        }
    }
}
