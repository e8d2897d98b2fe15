using Carton.Oci;
using Carton.Windows.Hcs.Schema;
// Carton.Compute has a ProcessParameters of its own (the contract's), which an enclosing namespace would resolve first
using HcsProcessParameters = Carton.Windows.Hcs.Schema.ProcessParameters;

namespace Carton.Compute.Windows.Translation;

/// <summary>
/// An OCI runtime spec with a <c>windows</c> section to the HCS v2 documents: the ComputeSystem that
/// HcsCreateComputeSystem takes, and the ProcessParameters that HcsCreateProcess takes. The same job as hcsshim's
/// hcsoci.createWindowsContainerDocument (v2 "Argon" and "Xenon") and internal/cmd; field by field:
/// <list type="bullet">
/// <item>windows.layerFolders: all but the last to Storage.Layers (Id from the folder's base name, see
/// <see cref="ILayerIdSource"/>), the last (the scratch) to Storage.Path, or root.path when it is the mounted scratch's
/// volume GUID path (hcsshim's only form).</item>
/// <item>mounts: \\.\pipe\ to \\.\pipe\ to MappedPipes, others to MappedDirectories, ReadOnly from an "ro" option.</item>
/// <item>windows.resources: memory.limit to Memory.SizeInMB (bytes / MiB, rounded down); cpu.count / maximum / shares to
/// Processor.Count / Maximum / Weight (one of them); storage.iops / bps to Storage.QoS.</item>
/// <item>hostname to GuestOs.HostName; windows.network to Networking.</item>
/// <item>RegistryChanges: WaitToKillServiceTimeout raised, as hcsshim always does, so that a stop waits for the
/// grace period the caller chose instead of servercore's 5 seconds.</item>
/// <item>windows.hyperv: the container as a HostedSystem of the utility VM named in
/// <see cref="OciToHcsOptions.HostingSystemId"/> (hcsshim's v2 Xenon document); the VM itself is not created here.</item>
/// </list>
/// Differences from hcsshim, each on purpose:
/// <list type="bullet">
/// <item>Annotations (io.microsoft.container.*) are not read: only the spec's own fields count.</item>
/// <item>What hcsshim drops or truncates silently is an error naming the field: a memory limit under 1 MiB; several
/// of cpu count/maximum/shares (hcsshim errors too, but also reads annotations); cpu.maximum or shares over 10,000;
/// iops/bps over int32; a mount whose source and destination disagree about being a pipe; an unknown mount type;
/// fewer than two layer folders; an environment entry without '='.</item>
/// <item>Processor is left out when no CPU limit is set (hcsshim always writes an empty Processor object).</item>
/// <item>A trailing separator on a layer folder is ignored when naming the layer (hcsshim would name it "").</item>
/// <item>Mount sources are given to HCS as written: hcsshim resolves symlinks in them first (an HCS bug with file
/// paths through symlinks), which needs the Windows host and is the backend's job.</item>
/// <item>Unsupported (typed error, with the reason): windows.devices, credentialSpec, servicing, cpu.affinity,
/// storage.sandboxSize, disk mount types, mounts of a Hyper-V isolated container, and Hyper-V isolation without a
/// utility VM id. windows.ignoreFlushesDuringBoot is a hint with no field in the v2 Container document; hcsshim drops
/// it for v2 containers and so does Carton.</item>
/// <item>Process: environment names are compared ignoring case (Windows' rule); consoleSize is used only with a
/// terminal (config.md); no stderr pipe is asked for with a console (HCS would leave it empty).</item>
/// </list>
/// </summary>
public static class OciToHcs
{
    /// <summary>The HCS schema version hcsshim writes for WCOW containers (schemaversion.SchemaV21).</summary>
    public static SchemaVersion SchemaV21 => new() { Major = 2, Minor = 1 };

    /// <summary>The ComputeSystem document for the container <paramref name="spec"/> describes.</summary>
    /// <param name="spec">The OCI spec; its <c>windows</c> section is required.</param>
    /// <param name="options">What the spec does not say (owner, layer ids, processor count, utility VM).</param>
    /// <exception cref="InvalidComputeDocumentException">A field is invalid; its JSON path is named.</exception>
    /// <exception cref="ComputeException">Kind Unsupported: the spec asks for what the Windows backend does not do.</exception>
    public static ComputeSystem ToComputeSystem(Spec spec, OciToHcsOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        var windows = spec.Windows ?? throw TranslationErrors.Invalid("windows", "a Windows container needs the windows section (layerFolders at least)");
        RefuseUnsupported(windows);
        bool hyperV = windows.HyperV is not null;
        if (hyperV && string.IsNullOrEmpty(options.HostingSystemId))
            throw TranslationErrors.Unsupported("windows.hyperv", "Hyper-V isolation runs the container in a utility VM, and no utility VM was given to host it");

        var storage = LayerTranslation.ToStorage(spec, windows, options.LayerIds);
        storage.QoS = ResourceTranslation.ToStorageQoS(windows.Resources?.Storage);
        var (directories, pipes) = MountTranslation.Translate(spec.Mounts, hyperV);
        var container = new Container
        {
            GuestOs = string.IsNullOrEmpty(spec.Hostname) ? null : new GuestOs { HostName = spec.Hostname },
            Storage = storage,
            MappedDirectories = directories,
            MappedPipes = pipes,
            Memory = ResourceTranslation.ToMemory(windows.Resources?.Memory),
            Processor = ResourceTranslation.ToProcessor(windows.Resources?.Cpu, options.ProcessorCount),
            Networking = NetworkTranslation.ToNetworking(windows.Network, options.EndpointNamespace),
            RegistryChanges = new RegistryChanges { AddValues = [WaitToKillServiceTimeout()] },
        };

        if (hyperV)
        {
            // hcsshim uvm.CreateContainer without a GCS connection: the container travels as the hosted system of the VM
            return new ComputeSystem
            {
                Owner = options.Owner,
                SchemaVersion = SchemaV21,
                HostingSystemId = options.HostingSystemId,
                HostedSystem = new HostedSystem { SchemaVersion = SchemaV21, Container = container },
                ShouldTerminateOnLastHandleClosed = true,
            };
        }
        return new ComputeSystem
        {
            Owner = options.Owner,
            SchemaVersion = SchemaV21,
            // the system goes when Carton's handle does: a crashed daemon leaves no orphan container (as hcsshim)
            ShouldTerminateOnLastHandleClosed = true,
            Container = container,
        };
    }

    /// <summary>The ProcessParameters for <paramref name="process"/> (the container's init or an exec).</summary>
    /// <param name="process">The OCI process: commandLine or args, cwd, env, user.username, terminal, consoleSize.</param>
    /// <param name="stdio">Which standard streams the caller will attach.</param>
    /// <exception cref="InvalidComputeDocumentException">A field is invalid; its JSON path ("process.…") is named.</exception>
    public static HcsProcessParameters ToProcessParameters(Process process, ProcessStdio stdio) =>
        ProcessTranslation.ToProcessParameters(process, stdio);

    private static void RefuseUnsupported(WindowsSpec windows)
    {
        if (windows.Devices is { Count: > 0 })
            throw TranslationErrors.Unsupported("windows.devices", "assigning devices to a container is not done by the Windows backend");
        if (windows.CredentialSpec is { ValueKind: not System.Text.Json.JsonValueKind.Null })
            throw TranslationErrors.Unsupported("windows.credentialSpec", "gMSA needs a Container Credential Guard instance, which the Windows backend does not create");
        if (windows.Servicing == true)
            throw TranslationErrors.Unsupported("windows.servicing", "servicing mode exists only in the HCS v1 schema");
    }

    /// <summary>hcsshim's registry value: servercore waits WaitToKillServiceTimeout (5 s by default) before killing
    /// services on shutdown, which cuts short a graceful stop; the largest value leaves the timing to the caller.</summary>
    private static RegistryValue WaitToKillServiceTimeout() => new()
    {
        Key = new RegistryKey { Hive = RegistryHive.System, Name = @"ControlSet001\Control" },
        Name = "WaitToKillServiceTimeout",
        Type = RegistryValueType.String,
        StringValue = int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
