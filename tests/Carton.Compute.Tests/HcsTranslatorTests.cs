using Carton.Oci;

using Carton.Compute.Linux;

namespace Carton.Compute.Tests;

public sealed class HcsTranslatorTests
{
    private static readonly HashSet<string> Existing = ["/layers/base", "/layers/top", "/host/data", "/run/netns/x"];

    private static HcsTranslationContext Ctx(int cpus = 4, (long, long)? dev = null) => new()
    {
        Id = "sys1", ScratchDirectory = "/scratch/sys1", HostCpus = cpus,
        DirectoryExists = Existing.Contains, PathExists = Existing.Contains, BlockDeviceOf = _ => dev,
    };

    private static HcsSystemDocument Doc(Action<HcsContainer>? edit = null)
    {
        var c = new HcsContainer { Storage = new HcsStorage { Layers = [new() { Path = "/layers/base" }, new() { Path = "/layers/top" }] } };
        edit?.Invoke(c);
        return new HcsSystemDocument { Owner = "o", Container = c };
    }

    private static InvalidComputeDocumentException Invalid(Action<HcsContainer> edit, HcsTranslationContext? ctx = null) =>
        Assert.Throws<InvalidComputeDocumentException>(() => HcsTranslator.Translate(Doc(edit), ctx ?? Ctx()));

    [Fact]
    public void Layers_become_an_overlay_topmost_first()
    {
        var t = HcsTranslator.Translate(Doc(), Ctx());
        Assert.Equal(["/layers/top", "/layers/base"], t.LowerDirs);
        Assert.Equal("lowerdir=/layers/top:/layers/base,upperdir=/scratch/sys1/upper,workdir=/scratch/sys1/work", t.OverlayOptions);
        Assert.Equal("/scratch/sys1/rootfs", t.Spec.Root!.Path);
        Assert.False(t.Spec.Root.Readonly);
        Assert.False(t.Spec.Process!.Terminal);
    }

    [Fact]
    public void One_layer_is_still_an_overlay()
    {
        var t = HcsTranslator.Translate(Doc(c => c.Storage.Layers.RemoveAt(1)), Ctx());
        Assert.Equal("lowerdir=/layers/base,upperdir=/scratch/sys1/upper,workdir=/scratch/sys1/work", t.OverlayOptions);
    }

    [Fact]
    public void Missing_layer_names_its_path()
    {
        var e = Invalid(c => c.Storage.Layers[1].Path = "/layers/nope");
        Assert.Equal("Container.Storage.Layers[1].Path", e.JsonPath);
        Assert.Contains("/layers/nope", e.Message);
        Assert.Equal("InvalidDocument", e.Code);
        Assert.Equal("Container.Storage.Layers", Invalid(c => c.Storage.Layers.Clear()).JsonPath);
        Assert.Equal("Container.Storage.Layers[0].Path", Invalid(c => c.Storage.Layers[0].Path = "relative").JsonPath);
    }

    [Fact]
    public void Mapped_directories_are_bind_mounts()
    {
        var t = HcsTranslator.Translate(Doc(c => c.MappedDirectories =
        [
            new() { HostPath = "/host/data", ContainerPath = "/data", ReadOnly = true },
            new() { HostPath = "/host/data", ContainerPath = "/rw" },
        ]), Ctx());
        var ro = t.Spec.Mounts!.Single(m => m.Destination == "/data");
        Assert.Equal(("bind", "/host/data"), (ro.Type, ro.Source));
        Assert.Equal(["rbind", "ro"], ro.Options!);
        Assert.Equal(["rbind", "rw"], t.Spec.Mounts!.Single(m => m.Destination == "/rw").Options!);
        Assert.Equal("Container.MappedDirectories[0].HostPath",
            Invalid(c => c.MappedDirectories = [new() { HostPath = "/nope", ContainerPath = "/x" }]).JsonPath);
        Assert.Equal("Container.MappedDirectories[0].ContainerPath",
            Invalid(c => c.MappedDirectories = [new() { HostPath = "/host/data", ContainerPath = "x" }]).JsonPath);
    }

    [Fact]
    public void Processor_count_maximum_and_weight()
    {
        var t = HcsTranslator.Translate(Doc(c => c.Processor = new HcsProcessor { Count = 2, Maximum = 5000, Weight = 39 }), Ctx(cpus: 4));
        var cpu = t.Spec.Linux!.Resources!.Cpu!;
        Assert.Equal("0-1", cpu.Cpus);
        Assert.Equal(100000UL, cpu.Period);
        Assert.Equal(200000L, cpu.Quota); // 50% of 4 CPUs
        Assert.Equal(999UL, cpu.Shares);
        Assert.Equal(39UL, Carton.Linux.Cgroups.Controllers.CpuController.CpuSharesToWeight(cpu.Shares!.Value));
        Assert.Equal("0", HcsTranslator.Translate(Doc(c => c.Processor = new HcsProcessor { Count = 1 }), Ctx()).Spec.Linux!.Resources!.Cpu!.Cpus);
        Assert.Equal(1000L, HcsTranslator.Translate(Doc(c => c.Processor = new HcsProcessor { Maximum = 1 }), Ctx()).Spec.Linux!.Resources!.Cpu!.Quota);
        Assert.Equal("Container.Processor.Count", Invalid(c => c.Processor = new HcsProcessor { Count = 5 }).JsonPath);
        Assert.Equal("Container.Processor.Maximum", Invalid(c => c.Processor = new HcsProcessor { Maximum = 10001 }).JsonPath);
        Assert.Equal("Container.Processor.Weight", Invalid(c => c.Processor = new HcsProcessor { Weight = 0 }).JsonPath);
    }

    [Fact]
    public void Memory_size_becomes_the_limit()
    {
        var t = HcsTranslator.Translate(Doc(c => c.Memory = new HcsMemory { SizeInMB = 256 }), Ctx());
        Assert.Equal(256L * 1024 * 1024, t.Spec.Linux!.Resources!.Memory!.Limit);
        Assert.Equal("Container.Memory.SizeInMB", Invalid(c => c.Memory = new HcsMemory { SizeInMB = 0 }).JsonPath);
    }

    [Fact]
    public void Storage_qos_throttles_the_scratch_disk_or_warns()
    {
        var t = HcsTranslator.Translate(Doc(c => c.Storage.QoS = new HcsStorageQoS { IopsMaximum = 100, BandwidthMaximum = 1 << 20 }), Ctx(dev: (8, 0)));
        var bio = t.Spec.Linux!.Resources!.BlockIO!;
        Assert.Equal((8L, 0L, 100UL), (bio.ThrottleReadIOPSDevice![0].Major, bio.ThrottleReadIOPSDevice[0].Minor, bio.ThrottleReadIOPSDevice[0].Rate));
        Assert.Equal(100UL, bio.ThrottleWriteIOPSDevice![0].Rate);
        Assert.Equal(1UL << 20, bio.ThrottleReadBpsDevice![0].Rate);
        Assert.Equal(1UL << 20, bio.ThrottleWriteBpsDevice![0].Rate);
        Assert.Empty(t.Warnings);

        var none = HcsTranslator.Translate(Doc(c => c.Storage.QoS = new HcsStorageQoS { IopsMaximum = 100 }), Ctx(dev: null));
        Assert.Null(none.Spec.Linux!.Resources!.BlockIO);
        Assert.Contains(none.Warnings, w => w.Contains("QoS", StringComparison.Ordinal));
    }

    [Fact]
    public void Networking_none_host_or_a_path()
    {
        LinuxNamespace? Net(string? ns) => HcsTranslator.Translate(Doc(c => c.Networking = new HcsNetworking { Namespace = ns }), Ctx())
            .Spec.Linux!.Namespaces!.SingleOrDefault(n => n.Type == "network");
        Assert.Null(Net(null)!.Path);
        Assert.Null(Net("none")!.Path);
        Assert.Null(Net("host"));
        Assert.Equal("/run/netns/x", Net("/run/netns/x")!.Path);
        Assert.Equal("Container.Networking.Namespace", Invalid(c => c.Networking = new HcsNetworking { Namespace = "/run/netns/none" }).JsonPath);
    }

    [Fact]
    public void Host_name_defaults_to_the_id()
    {
        Assert.Equal("sys1", HcsTranslator.Translate(Doc(), Ctx()).Spec.Hostname);
        Assert.Equal("web", HcsTranslator.Translate(Doc(c => c.HostName = "web"), Ctx()).Spec.Hostname);
    }

    [Fact]
    public void Init_process_becomes_the_oci_process()
    {
        var t = HcsTranslator.Translate(Doc(c => c.InitProcess = new ProcessParameters
        {
            CommandArgs = ["/bin/app", "-x"], Environment = new() { ["A"] = "1", ["PATH"] = "/opt" }, WorkingDirectory = "/work", User = "1000:2000",
        }), Ctx());
        var p = t.Spec.Process!;
        Assert.False(t.Idle);
        Assert.Equal(["/bin/app", "-x"], p.Args!);
        Assert.Contains("A=1", p.Env!);
        Assert.Contains("PATH=/opt", p.Env!);
        Assert.Single(p.Env!, e => e.StartsWith("PATH=", StringComparison.Ordinal));
        Assert.Equal("/work", p.Cwd);
        Assert.Equal((1000u, 2000u), (p.User!.Uid, p.User.Gid));
        Assert.Equal("Container.InitProcess.User", Invalid(c => c.InitProcess = new ProcessParameters { CommandArgs = ["x"], User = "root" }).JsonPath);
        Assert.Equal("Container.InitProcess.CommandArgs", Invalid(c => c.InitProcess = new ProcessParameters()).JsonPath);
        Assert.Equal("Container.InitProcess.WorkingDirectory", Invalid(c => c.InitProcess = new ProcessParameters { CommandArgs = ["x"], WorkingDirectory = "rel" }).JsonPath);
    }

    [Fact]
    public void No_init_process_means_an_idle_init()
    {
        var t = HcsTranslator.Translate(Doc(), Ctx());
        Assert.True(t.Idle);
        Assert.Equal([HcsTranslator.IdleArg], t.Spec.Process!.Args!);
        Assert.DoesNotContain(SpecValidator.Validate(t.Spec, "/scratch/sys1"), e => !e.Path.StartsWith("root", StringComparison.Ordinal));
    }
}
