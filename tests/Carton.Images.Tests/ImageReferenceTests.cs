namespace Carton.Images.Tests;

public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("busybox", "docker.io", "library/busybox", "latest", null, "docker.io/library/busybox:latest")]
    [InlineData("busybox:1.36", "docker.io", "library/busybox", "1.36", null, "docker.io/library/busybox:1.36")]
    [InlineData("library/busybox", "docker.io", "library/busybox", "latest", null, "docker.io/library/busybox:latest")]
    [InlineData("docker.io/busybox", "docker.io", "library/busybox", "latest", null, "docker.io/library/busybox:latest")]
    [InlineData("index.docker.io/library/busybox:1", "docker.io", "library/busybox", "1", null, "docker.io/library/busybox:1")]
    [InlineData("user/app", "docker.io", "user/app", "latest", null, "docker.io/user/app:latest")]
    [InlineData("user/app/sub:v2", "docker.io", "user/app/sub", "v2", null, "docker.io/user/app/sub:v2")]
    [InlineData("localhost/x", "localhost", "x", "latest", null, "localhost/x:latest")]
    [InlineData("localhost:5000/x", "localhost:5000", "x", "latest", null, "localhost:5000/x:latest")]
    [InlineData("127.0.0.1:5000/a/b:tag", "127.0.0.1:5000", "a/b", "tag", null, "127.0.0.1:5000/a/b:tag")]
    [InlineData("quay.io/coreos/etcd", "quay.io", "coreos/etcd", "latest", null, "quay.io/coreos/etcd:latest")]
    [InlineData("ghcr.io/o/r:sha-abc", "ghcr.io", "o/r", "sha-abc", null, "ghcr.io/o/r:sha-abc")]
    [InlineData("Registry/x", "Registry", "x", "latest", null, "Registry/x:latest")]
    [InlineData("myhost:443/x", "myhost:443", "x", "latest", null, "myhost:443/x:latest")]
    [InlineData("[::1]:5000/x", "[::1]:5000", "x", "latest", null, "[::1]:5000/x:latest")]
    [InlineData("x/a.b-c_d__e---f", "docker.io", "x/a.b-c_d__e---f", "latest", null, "docker.io/x/a.b-c_d__e---f:latest")]
    [InlineData("busybox:_under.score-1", "docker.io", "library/busybox", "_under.score-1", null, "docker.io/library/busybox:_under.score-1")]
    [InlineData("busybox:UPPER", "docker.io", "library/busybox", "UPPER", null, "docker.io/library/busybox:UPPER")]
    [InlineData("busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "docker.io", "library/busybox", null,
        "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "docker.io/library/busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("r.io:5000/x:1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "r.io:5000", "x", "1",
        "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "r.io:5000/x:1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Parses_AndNormalises(string text, string registry, string repository, string? tag, string? digest, string canonical)
    {
        var r = ImageReference.Parse(text);
        Assert.Equal(registry, r.Registry);
        Assert.Equal(repository, r.Repository);
        Assert.Equal(tag, r.Tag);
        Assert.Equal(digest, r.Digest?.ToString());
        Assert.Equal(canonical, r.ToString());
        // The canonical form is a fixed point.
        Assert.Equal(canonical, ImageReference.Parse(canonical).ToString());
    }

    [Fact]
    public void DockerHub_IsRequestedAtItsApiHost()
    {
        Assert.Equal("registry-1.docker.io", ImageReference.Parse("busybox").ApiHost);
        Assert.Equal("localhost:5000", ImageReference.Parse("localhost:5000/x").ApiHost);
    }

    [Theory]
    [InlineData("docker.io/library/busybox:latest", "busybox:latest")]
    [InlineData("docker.io/user/app:1", "user/app:1")]
    [InlineData("localhost:5000/x:1", "localhost:5000/x:1")]
    public void FamiliarForm(string canonical, string familiar) =>
        Assert.Equal(familiar, ImageReference.Parse(canonical).ToFamiliarString());

    [Fact]
    public void ManifestReference_IsTheDigestWhenThereIsOne()
    {
        var d = "sha256:" + new string('a', 64);
        Assert.Equal(d, ImageReference.Parse($"x:1@{d}").ManifestReference);
        Assert.Equal("1", ImageReference.Parse("x:1").ManifestReference);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("Busybox", "must be lowercase")]
    [InlineData("user/App", "must be lowercase")]
    [InlineData("busybox:", "tag \"\" is invalid")]
    [InlineData("busybox:-x", "tag \"-x\" is invalid")]
    [InlineData("busybox:.x", "tag \".x\" is invalid")]
    [InlineData("busybox:a/b", "is invalid")]
    [InlineData("busybox:has space", "whitespace")]
    [InlineData("busybox@sha256:abc", "digest \"sha256:abc\" is invalid")]
    [InlineData("busybox@md5:0123456789abcdef0123456789abcdef", "digest")]
    [InlineData("busybox@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", "digest")]
    [InlineData("-busybox", "repository name \"library/-busybox\" is invalid")]
    [InlineData("busybox-", "is invalid")]
    [InlineData("a..b", "is invalid")]
    [InlineData("a___b", "is invalid")]
    [InlineData("x//y", "is invalid")]
    [InlineData("x/", "is invalid")]
    [InlineData("localhost:5000/", "repository name is empty")]
    [InlineData("my_host.io/x", "registry \"my_host.io\" is invalid")]
    [InlineData("host:port/x", "registry \"host:port\" is invalid")]
    [InlineData("host:99999/x", "registry \"host:99999\" is invalid")]
    [InlineData("-host.io/x", "registry \"-host.io\" is invalid")]
    [InlineData("[::1/x", "registry")]
    [InlineData(":tag", "repository name is empty")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "64-character hexadecimal")]
    public void Refuses_QuotingTheReference_AndSayingWhy(string text, string why)
    {
        var e = Assert.Throws<CartonException>(() => ImageReference.Parse(text));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Contains($"\"{text}\"", e.Message);
        Assert.Contains(why, e.Message);
        Assert.False(ImageReference.TryParse(text, out _));
    }

    [Fact]
    public void Refuses_ATagLongerThan128()
    {
        Assert.NotNull(ImageReference.Parse("x:" + new string('a', 128)));
        var e = Assert.Throws<CartonException>(() => ImageReference.Parse("x:" + new string('a', 129)));
        Assert.Contains("tag", e.Message);
    }

    [Fact]
    public void Refuses_ANameLongerThan255()
    {
        Assert.NotNull(ImageReference.Parse("r.io/" + new string('a', 250)));
        var e = Assert.Throws<CartonException>(() => ImageReference.Parse("r.io/" + new string('a', 251)));
        Assert.Contains("longer than 255", e.Message);
    }

    [Fact]
    public void Equality_IsOnTheCanonicalForm()
    {
        Assert.Equal(ImageReference.Parse("busybox"), ImageReference.Parse("docker.io/library/busybox:latest"));
        Assert.NotEqual(ImageReference.Parse("busybox:1"), ImageReference.Parse("busybox:2"));
        Assert.Equal("docker.io/library/busybox:2", ImageReference.Parse("busybox:1").WithTag("2").ToString());
    }
}
