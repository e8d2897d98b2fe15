using Carton.Compute;

namespace Carton.Docker.Tests;

/// <summary>The real docker CLIs against carton-serve's Docker socket: version negotiation, info, and the image
/// commands (pull from the test registry, images, image inspect, tag, rmi).</summary>
[Collection("docker")]
public sealed class DockerCliTests(DockerFixture fx)
{
    private const string Debian = DockerFixture.DebianDocker;
    private const string New = DockerFixture.NewDocker;

    [DockerFact]
    public void Version_Debian2010_NegotiatesItsOwn141()
    {
        var r = fx.Docker(Debian, "version");
        Assert.True(r.Exit == 0, r.Err + r.Out);
        Assert.Contains("Server:", r.Out);
        Assert.Contains("(minimum version 1.41)", r.Out);
        var apis = fx.Docker(Debian, "version", "--format", "{{.Client.APIVersion}} {{.Server.APIVersion}} {{.Server.Version}}");
        Assert.True(apis.Exit == 0, apis.Err);
        Assert.Equal("1.41 1.50 0.1.0", apis.Out.Trim());
    }

    [DockerFact(Cli = New)]
    public void Version_Docker28_Speaks150()
    {
        var r = fx.Docker(New, "version", "--format", "{{.Client.APIVersion}} {{.Server.APIVersion}} {{.Server.MinAPIVersion}} {{.Server.Os}}");
        Assert.True(r.Exit == 0, r.Err + r.Out);
        Assert.Equal("1.50 1.50 1.41 linux", r.Out.Trim());
    }

    [DockerFact]
    public void TooOldClient_GetsDockersMessage()
    {
        var r = fx.DockerWith(Debian, "1.40", "version");
        Assert.NotEqual(0, r.Exit);
        Assert.Contains("client version 1.40 is too old. Minimum supported API version is 1.41, please upgrade your client to a newer version", r.Err + r.Out);
    }

    [DockerFact]
    public void Info_Debian2010()
    {
        var r = fx.Docker(Debian, "info");
        Assert.True(r.Exit == 0, r.Err + r.Out);
        Assert.Contains("Server Version: 0.1.0", r.Out);
        Assert.Contains("Default Runtime: carton", r.Out);
        Assert.Contains("Cgroup Driver: cgroupfs", r.Out);
        Assert.Contains("OSType: linux", r.Out);
        Assert.Contains("Kernel Version: " + File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), r.Out);
    }

    [DockerFact(Cli = New)]
    public void Info_Docker28()
    {
        var r = fx.Docker(New, "info", "--format", "{{.ServerVersion}} {{.DefaultRuntime}} {{.OSType}} {{.NCPU}}");
        Assert.True(r.Exit == 0, r.Err + r.Out);
        Assert.Equal($"0.1.0 carton linux {Environment.ProcessorCount}", r.Out.Trim());
        var full = fx.Docker(New, "info");
        Assert.True(full.Exit == 0, full.Err + full.Out);
        Assert.Contains("Runtimes: carton", full.Out);
    }

    [DockerFact]
    public void Images_Debian2010() => ImageCommands(Debian, "deb");

    [DockerFact(Cli = New)]
    public void Images_Docker28() => ImageCommands(New, "new");

    /// <summary>pull, images (with a reference filter), image inspect, tag, rmi of the tag, rmi of the last name.</summary>
    private void ImageCommands(string cli, string tag)
    {
        var image = $"{fx.BusyboxRepository}:latest";
        // other tests pull it: start without it (no container is left to hold it)
        fx.Docker(cli, "rmi", image);
        Assert.NotEqual(0, fx.Docker(cli, "image", "inspect", image).Exit);
        var pull = fx.Docker(cli, "pull", image);
        Assert.True(pull.Exit == 0, pull.Err + pull.Out);
        Assert.Contains("latest: Pulling from busybox", pull.Out);
        Assert.Contains("Digest: sha256:", pull.Out);
        Assert.Contains($"Status: Downloaded newer image for {image}", pull.Out);

        var again = fx.Docker(cli, "pull", image);
        Assert.True(again.Exit == 0, again.Err + again.Out);
        Assert.Contains($"Status: Image is up to date for {image}", again.Out);

        var images = fx.Docker(cli, "images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}", fx.BusyboxRepository);
        Assert.True(images.Exit == 0, images.Err);
        var line = Assert.Single(images.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(image + " ", line);
        var shortId = line.Split(' ')[1];
        Assert.Equal(12, shortId.Length);

        var inspect = fx.Docker(cli, "image", "inspect", "--format", "{{.Id}} {{json .Config.Cmd}} {{.Os}}/{{.Architecture}} {{.RootFS.Type}} {{len .RootFS.Layers}}", image);
        Assert.True(inspect.Exit == 0, inspect.Err);
        Assert.Matches(@"^sha256:" + shortId + @"[0-9a-f]{52} \[""sh""\] linux/amd64 layers 1$", inspect.Out.Trim());

        var local = $"carton-test/bb:{tag}";
        var t = fx.Docker(cli, "tag", image, local);
        Assert.True(t.Exit == 0, t.Err);
        var both = fx.Docker(cli, "image", "inspect", "--format", "{{len .RepoTags}}", local);
        Assert.Equal("2", both.Out.Trim());

        var untag = fx.Docker(cli, "rmi", local);
        Assert.True(untag.Exit == 0, untag.Err);
        Assert.Contains($"Untagged: {local}", untag.Out);
        Assert.DoesNotContain("Deleted:", untag.Out);

        var rmi = fx.Docker(cli, "rmi", image);
        Assert.True(rmi.Exit == 0, rmi.Err);
        Assert.Contains($"Untagged: {image}", rmi.Out);
        Assert.Contains("Deleted: sha256:" + shortId, rmi.Out);

        var gone = fx.Docker(cli, "image", "inspect", image);
        Assert.NotEqual(0, gone.Exit);
        Assert.Contains($"No such image: {image}", gone.Err + gone.Out);
    }

    /// <summary>`docker pull REPO@DIGEST` names the image by its digest alone (dockerd's RepoDigests, no tag): removing
    /// REPO:latest leaves it. Before the fix the digest pull was recorded as REPO:latest, and the rmi took the image.</summary>
    [DockerFact]
    public void PullByDigest_NamesTheImageByItsDigestAlone()
    {
        var repo = fx.BusyboxRepository;
        Assert.Equal(0, fx.Docker(Debian, "pull", repo + ":latest").Exit);
        var digest = fx.Docker(Debian, "image", "inspect", "--format", "{{index .RepoDigests 0}}", repo + ":latest").Out.Trim();
        Assert.StartsWith(repo + "@sha256:", digest);
        try
        {
            Assert.Equal(0, fx.Docker(Debian, "rmi", repo + ":latest").Exit);
            foreach (var cli in new[] { Debian, New })
            {
                var pull = fx.Docker(cli, "pull", digest);
                Assert.True(pull.Exit == 0, pull.Err + pull.Out);
                var tags = fx.Docker(cli, "image", "inspect", "--format", "{{json .RepoTags}} {{json .RepoDigests}}", digest);
                Assert.True(tags.Exit == 0, tags.Err);
                Assert.Equal($"[] [\"{digest}\"]", tags.Out.Trim());
                Assert.NotEqual(0, fx.Docker(cli, "image", "inspect", repo + ":latest").Exit);
                Assert.Equal(0, fx.Docker(cli, "rmi", digest).Exit);
            }
        }
        finally
        {
            fx.Docker(Debian, "rmi", digest);
        }
    }

    [DockerFact]
    public void Pull_UnknownRepository_FailsWithTheRegistrysReason()
    {
        var r = fx.Docker(Debian, "pull", $"{fx.Registry.Host}/nothing-here:1");
        Assert.NotEqual(0, r.Exit);
        Assert.Contains("Error response from daemon", r.Err);
    }

    [DockerFact]
    public async Task Rmi_ImageOfAComputeSystem_IsAConflictUnlessForced()
    {
        var image = $"{fx.BusyboxRepository}:latest";
        Assert.Equal(0, fx.Docker(Debian, "pull", image).Exit);
        var id = "docker-rmi-" + Guid.NewGuid().ToString("N")[..6];
        var system = await fx.Client.CreateComputeSystemAsync(id, new ComputeSystemDocument
        {
            Hcs = new HcsSystemDocument { Owner = "docker-tests", Container = new HcsContainer { Image = image } },
        });
        await using (system)
        {
            var refused = fx.Docker(Debian, "rmi", image);
            Assert.NotEqual(0, refused.Exit);
            Assert.Contains("conflict: unable to remove repository reference", refused.Err);
            Assert.Contains($"container {id} is using its referenced image", refused.Err);

            var forced = fx.Docker(Debian, "rmi", "-f", image);
            Assert.True(forced.Exit == 0, forced.Err);
            Assert.Contains($"Untagged: {image}", forced.Out);
            await system.DeleteAsync();
        }
    }
}
