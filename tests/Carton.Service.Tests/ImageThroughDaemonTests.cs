using System.Diagnostics;
using Carton.Compute;

namespace Carton.Service.Tests;

/// <summary>
/// A system made from an image through the daemon: `carton system create --image REF -- CMD` (carton-system over the
/// socket), and the same HCS document through Carton.Client. The image is built from busybox-static by
/// scripts/make-busybox-image.sh and imported into the daemon's store (--image-root) with carton image.
/// </summary>
[Collection("daemon")]
public sealed class ImageThroughDaemonTests(DaemonFixture daemon)
{
    private static readonly string CartonSystem = Path.Combine(DaemonFixture.RepoRoot, "artifacts/bin/carton-system");
    private static readonly string CartonImage = Path.Combine(DaemonFixture.RepoRoot, "artifacts/bin/carton-image");

    private static (int Exit, string Out, string Err) Run(string file, params string[] args) => DaemonFixture.Run(file, TimeSpan.FromSeconds(60), args);

    private void ImportTestImage()
    {
        var layout = Path.Combine(daemon.Dir, "layout-" + Guid.NewGuid().ToString("N")[..6]);
        var make = Run(Path.Combine(DaemonFixture.RepoRoot, "scripts", "make-busybox-image.sh"), layout, "carton.test/daemon:1");
        Assert.True(make.Exit == 0, make.Err);
        var import = Run(CartonImage, "--image-root", daemon.ImageRoot, "import", layout);
        Assert.True(import.Exit == 0, import.Err);
    }

    [DaemonFact]
    public async Task SystemCreate_WithAnImage_RunsTheCommandGiven_AndRmRemovesItsSnapshot()
    {
        ImportTestImage();
        var id = "img-" + Guid.NewGuid().ToString("N")[..8];
        var create = Run(CartonSystem, "--socket", daemon.Socket, "create", id, "--image", "carton.test/daemon:1", "--",
            "sh", "-c", "echo via-the-daemon > /tmp/said; exec sleep 60");
        Assert.True(create.Exit == 0, $"create: {create.Err}\n{daemon.Log}");
        try
        {
            Assert.Equal(0, Run(CartonSystem, "--socket", daemon.Socket, "start", id).Exit);
            var said = "";
            for (int i = 0; i < 50 && said.Length == 0; i++)
            {
                said = Run(CartonSystem, "--socket", daemon.Socket, "exec", id, "--", "sh", "-c", "cat /tmp/said 2>/dev/null").Out.Trim();
                if (said.Length == 0) await Task.Delay(100);
            }
            Assert.Equal("via-the-daemon", said);
            Assert.Single(Directory.EnumerateDirectories(Path.Combine(daemon.ImageRoot, "snapshots", ".active")));
        }
        finally
        {
            Run(CartonSystem, "--socket", daemon.Socket, "stop", id);
            Run(CartonSystem, "--socket", daemon.Socket, "rm", id);
        }
        Assert.Empty(Directory.EnumerateDirectories(Path.Combine(daemon.ImageRoot, "snapshots", ".active")));
    }

    [DaemonFact]
    public async Task TheClient_WithAnHcsImageDocument_AndAMissingImageNamesTheField()
    {
        ImportTestImage();
        var id = "img-" + Guid.NewGuid().ToString("N")[..8];
        await using (var system = await daemon.Client.CreateComputeSystemAsync(id, new ComputeSystemDocument
        {
            Hcs = new HcsSystemDocument
            {
                Container = new HcsContainer
                {
                    Image = "carton.test/daemon:1",
                    InitProcess = new ProcessParameters { CommandArgs = ["sh", "-c", "exec sleep 60"], Environment = new() { ["MODE"] = "client" } },
                },
            },
        }))
        {
            await system.StartAsync();
            await using var p = await system.CreateProcessAsync(new ProcessParameters { CommandArgs = ["sh", "-c", "echo $PATH"], CreateStdOutPipe = true });
            using var reader = new StreamReader(p.StandardOutput!);
            Assert.Equal("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", (await reader.ReadToEndAsync()).Trim()); // the image's PATH
            await system.TerminateAsync();
            await system.WaitForExitAsync();
            await system.DeleteAsync();
        }
        var e = await Assert.ThrowsAnyAsync<ComputeException>(() => daemon.Client.CreateComputeSystemAsync("img-missing-" + Guid.NewGuid().ToString("N")[..6],
            new ComputeSystemDocument { Hcs = new HcsSystemDocument { Container = new HcsContainer { Image = "127.0.0.1:1/absent:1" } } }));
        Assert.Contains("Container.Image", e.Message, StringComparison.Ordinal);
    }
}
