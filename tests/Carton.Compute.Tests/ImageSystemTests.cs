using System.Diagnostics;
using Carton.Compute.Linux;
using Carton.Images.Content;
using Carton.Images.Linux.Snapshots;

namespace Carton.Compute.Tests;

/// <summary>
/// Systems made from an image (issue 11, "Compute service"): Container.Image in the HCS form and "image" beside the
/// spec in the OCI form. The image is built by scripts/make-busybox-image.sh (busybox-static) and imported into a
/// store of the test's own; the service gets that store as its ImageRoot.
/// </summary>
public sealed class ImageSystemTests : ComputeTestBase, IDisposable
{
    private readonly string _imageRoot = Path.Combine("/var/tmp", "carton-compute-images-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly ComputeService _service;

    public ImageSystemTests()
    {
        var layout = Path.Combine(_imageRoot, "layout");
        var psi = new ProcessStartInfo(Path.Combine(Layers.RepoRoot, "scripts", "make-busybox-image.sh"), [layout, "carton.test/busy:1"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        psi.Environment["IMAGE_CMD"] = """["sh","-c","echo from-the-image-cmd > /tmp/ran; exec sleep 60"]""";
        psi.Environment["IMAGE_ENV"] = "\"FROM_IMAGE=yes\",\"OVERRIDDEN=image\"";
        using (var p = Process.Start(psi)!)
        {
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, p.StandardError.ReadToEnd());
        }
        new ImageStore(Path.Combine(_imageRoot, "store")).ImportAsync(layout).GetAwaiter().GetResult();
        _service = new ComputeService(new ComputeServiceOptions
        {
            StateRoot = StateRoot, InitBinaryPath = Layers.InitBinary, ImageRoot = Path.Combine(_imageRoot, "store"),
        });
    }

    private Snapshotter Snapshots => new(Path.Combine(_imageRoot, "store", "snapshots"));

    private static async Task<string> Run(IComputeSystem system, string script)
    {
        await using var p = await system.CreateProcessAsync(Sh(script, stdout: true));
        var output = await ReadAllAsync(p.StandardOutput!);
        await Within(p.WaitForExitAsync());
        return output.Trim();
    }

    [RootFact]
    public async Task Hcs_WithAnImage_RunsTheImagesCommandWithItsEnv_AndRemovalRemovesOnlyItsSnapshot()
    {
        var id = NewId();
        var system = await _service.CreateComputeSystemAsync(id, new ComputeSystemDocument
        {
            Hcs = new HcsSystemDocument { Owner = "tests", Container = new HcsContainer { Image = "carton.test/busy:1" } },
        });
        await system.StartAsync();
        Assert.Equal("from-the-image-cmd", await Run(system, "for i in $(seq 1 50); do [ -s /tmp/ran ] && break; sleep 0.1; done; cat /tmp/ran"));
        Assert.Equal("yes", await Run(system, "echo $FROM_IMAGE"));
        Assert.Single(Snapshots.ListActive());
        await system.TerminateAsync();
        await system.WaitForExitAsync();
        await system.DeleteAsync();
        Assert.Empty(Snapshots.ListActive());
        Assert.NotEmpty(Snapshots.ListLayers()); // the unpacked layer stays for the next system
    }

    [RootFact]
    public async Task Hcs_WithAnImage_TheInitProcessOverridesTheImage()
    {
        var id = NewId();
        var system = await _service.CreateComputeSystemAsync(id, new ComputeSystemDocument
        {
            Hcs = new HcsSystemDocument
            {
                Container = new HcsContainer
                {
                    Image = "carton.test/busy:1",
                    InitProcess = new ProcessParameters
                    {
                        CommandArgs = ["sh", "-c", "echo $OVERRIDDEN > /tmp/init; exec sleep 60"],
                        Environment = new() { ["OVERRIDDEN"] = "document" },
                    },
                },
            },
        });
        await system.StartAsync();
        Assert.Equal("document", await Run(system, "for i in $(seq 1 50); do [ -s /tmp/init ] && break; sleep 0.1; done; cat /tmp/init"));
        Assert.Equal("no", await Run(system, "[ -e /tmp/ran ] && echo yes || echo no")); // the image's command did not run
        await system.TerminateAsync();
        await system.WaitForExitAsync();
        await system.DeleteAsync();
    }

    [RootFact]
    public async Task Oci_WithAnImage_TheSpecIsMergedOverTheImagesConfig()
    {
        var id = NewId();
        var spec = new Carton.Oci.Spec
        {
            Process = new Carton.Oci.Process { Args = ["sh", "-c", "exec sleep 60"], Env = ["OVERRIDDEN=spec", "ADDED=1"], Cwd = "/tmp" },
            Hostname = "from-the-spec",
        };
        var system = await _service.CreateComputeSystemAsync(id, new ComputeSystemDocument { Oci = new OciSystemDocument { Spec = spec, Image = "carton.test/busy:1" } });
        await system.StartAsync();
        Assert.Equal("yes spec 1 from-the-spec", await Run(system, "echo $FROM_IMAGE $OVERRIDDEN $ADDED $(hostname)"));
        await system.TerminateAsync();
        await system.WaitForExitAsync();
        await system.DeleteAsync();
        Assert.Empty(Snapshots.ListActive());
    }

    [RootFact]
    public async Task AnImageThatCannotBeHad_IsAnErrorNamingTheField_AndLeavesNothing()
    {
        var id = NewId();
        // Port 1 on loopback: nothing listens, the pull fails at once (and no traffic leaves the machine).
        var e = await Assert.ThrowsAnyAsync<ComputeException>(() => _service.CreateComputeSystemAsync(id, new ComputeSystemDocument
        {
            Hcs = new HcsSystemDocument { Container = new HcsContainer { Image = "127.0.0.1:1/nothing/here:1" } },
        }));
        Assert.Contains("Container.Image", e.Message, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:1/nothing/here:1", e.Message, StringComparison.Ordinal);
        var both = await Assert.ThrowsAnyAsync<ComputeException>(() => _service.CreateComputeSystemAsync(NewId(), new ComputeSystemDocument
        {
            Hcs = new HcsSystemDocument
            {
                Container = new HcsContainer { Image = "carton.test/busy:1", Storage = new HcsStorage { Layers = [new HcsLayer { Path = Layers.Base }] } },
            },
        }));
        Assert.Contains("Storage.Layers", both.Message, StringComparison.Ordinal);
        Assert.Empty(Snapshots.ListActive());
    }

    [RootFact]
    public void TheQuickstartSample_RunsFromAnImageReference()
    {
        var dll = Path.Combine(Layers.RepoRoot, "samples", "ComputeQuickstart", "bin", "Release", "net10.0", "ComputeQuickstart.dll");
        Assert.True(File.Exists(dll), $"{dll} is not built (dotnet build Carton.slnx -c Release)");
        var psi = new ProcessStartInfo("dotnet", [dll, "--carton", Layers.InitBinary, "--image-root", Path.Combine(_imageRoot, "store"), "--image", "carton.test/busy:1"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(60)), "the sample did not finish");
        Assert.True(p.ExitCode == 0, $"exit {p.ExitCode}\n{output.Result}\n{error.Result}");
        Assert.Contains("hello from the container", output.Result, StringComparison.Ordinal);
        Assert.Contains("deleted quickstart-", output.Result, StringComparison.Ordinal);
        Assert.Empty(Snapshots.ListActive());
    }

    public void Dispose()
    {
        // The base class checks for leaks (mounts, scratch, cgroups); the image store is the test's own.
        foreach (var line in File.ReadLines("/proc/self/mountinfo").Where(l => l.Contains(_imageRoot, StringComparison.Ordinal)).ToList())
            Process.Start("umount", ["-l", line.Split(' ')[4]])!.WaitForExit();
        if (Directory.Exists(_imageRoot)) Directory.Delete(_imageRoot, recursive: true);
    }
}
