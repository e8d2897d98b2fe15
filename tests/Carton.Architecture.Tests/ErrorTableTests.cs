using Carton.Compute;

namespace Carton.Architecture.Tests;

/// <summary>One error model: every kind has one row, wire codes round-trip to the same typed exception.</summary>
public sealed class ErrorTableTests
{
    [Fact]
    public void EveryKindHasExactlyOneRow()
    {
        var kinds = Enum.GetValues<ErrorKind>();
        Assert.Equal(kinds.Length, ErrorTable.All.Count);
        foreach (var kind in kinds) Assert.Equal(kind, ErrorTable.Of(kind).Kind);
        Assert.Equal(ErrorTable.All.Count, ErrorTable.All.Select(r => r.Code).Distinct().Count());
    }

    [Fact]
    public void RuncExitCodeIsOneForEveryKind()
    {
        // Engines (containerd's shim, conmon) treat any non-zero exit as failure and runc exits 1: keep it.
        Assert.All(ErrorTable.All, r => Assert.Equal(1, r.ExitCode));
    }

    [Theory]
    [InlineData("NotFound", ErrorKind.NotFound, 404)]
    [InlineData("ProcessNotFound", ErrorKind.NotFound, 404)]
    [InlineData("AlreadyExists", ErrorKind.AlreadyExists, 409)]
    [InlineData("AlreadyStopped", ErrorKind.InvalidState, 409)]
    [InlineData("NoPipe", ErrorKind.InvalidState, 409)]
    [InlineData("StreamInUse", ErrorKind.InvalidState, 409)]
    [InlineData("InvalidDocument", ErrorKind.InvalidDocument, 400)]
    [InlineData("InvalidId", ErrorKind.InvalidDocument, 400)]
    [InlineData("BadRequest", ErrorKind.InvalidDocument, 400)]
    [InlineData("ShuttingDown", ErrorKind.Unavailable, 503)]
    [InlineData("Failed", ErrorKind.Internal, 500)]
    [InlineData("Internal", ErrorKind.Internal, 500)]
    [InlineData("PermissionDenied", ErrorKind.PermissionDenied, 403)]
    [InlineData("SomethingNew", ErrorKind.Internal, 500)]
    public void WireCodes_KeepTheirHttpStatus(string code, ErrorKind kind, int status)
    {
        Assert.Equal(kind, ErrorTable.KindOf(code));
        Assert.Equal(status, ErrorTable.Of(ErrorTable.KindOf(code)).HttpStatus);
    }

    [Theory]
    [InlineData(1, ErrorKind.PermissionDenied)]
    [InlineData(13, ErrorKind.PermissionDenied)]
    [InlineData(28, ErrorKind.ResourceExhausted)]
    [InlineData(24, ErrorKind.ResourceExhausted)]
    [InlineData(38, ErrorKind.Unsupported)]
    [InlineData(110, ErrorKind.Timeout)]
    [InlineData(2, ErrorKind.Internal)]
    [InlineData(22, ErrorKind.Internal)]
    public void Errnos_MapToKinds(int errno, ErrorKind kind) => Assert.Equal(kind, ErrorTable.KindOfErrno(errno));

    [Fact]
    public void ComputeErrors_CarryKindAndCode()
    {
        Assert.Equal(ErrorKind.NotFound, new ComputeSystemNotFoundException("x").Kind);
        Assert.Equal("NotFound", new ComputeSystemNotFoundException("x").Code);
        Assert.Equal("AlreadyStopped", new ComputeSystemAlreadyStoppedException("x").Code);
        Assert.Equal(ErrorKind.InvalidState, new ComputeSystemAlreadyStoppedException("x").Kind);
        var doc = new InvalidComputeDocumentException("Container.Memory.SizeInMB", "0: must be at least 1");
        Assert.Equal("Container.Memory.SizeInMB", doc.JsonPath);
        Assert.Equal("0: must be at least 1", doc.Reason);
        Assert.Equal("InvalidId", new InvalidComputeSystemIdException("a/b", "bad").Code);
    }

    [Fact]
    public void LowerLayerErrors_KeepKindErrnoAndPath_ThroughTheComputeMapping()
    {
        var syscall = new Carton.Linux.Interop.SyscallException("mount proc at /proc", 1);
        var mapped = ComputeException.From(syscall);
        Assert.Equal(ErrorKind.PermissionDenied, mapped.Kind);
        Assert.Equal(1, mapped.Errno);
        Assert.Equal("mount proc at /proc: operation not permitted (EPERM)", mapped.Message);

        var spec = new Carton.Oci.SpecException("config.json: process.args: must not be empty", [new Carton.Oci.ValidationError("process.args", "must not be empty")]);
        var fromSpec = ComputeException.From(new Carton.Runtime.RuntimeError(spec.Message, spec));
        Assert.Equal(ErrorKind.InvalidDocument, fromSpec.Kind);
        Assert.Equal("process.args", fromSpec.JsonPath);
        Assert.Equal("InvalidDocument", fromSpec.Code);
    }

    [Theory]
    [InlineData("NotFound", "compute system \"web\" does not exist", typeof(ComputeSystemNotFoundException))]
    [InlineData("AlreadyExists", "compute system \"web\" already exists", typeof(ComputeSystemAlreadyExistsException))]
    [InlineData("AlreadyStopped", "compute system \"web\" has already stopped", typeof(ComputeSystemAlreadyStoppedException))]
    [InlineData("InvalidState", "cannot start compute system \"web\": it is running", typeof(InvalidComputeSystemStateException))]
    [InlineData("InvalidDocument", "process.args: must not be empty", typeof(InvalidComputeDocumentException))]
    public void TheClient_RaisesTheSameTypedException(string code, string message, Type expected)
    {
        var e = Carton.Client.ErrorMapping.FromCode(code, message, code == "InvalidDocument" ? "process.args" : null);
        Assert.IsType(expected, e);
        Assert.Equal(message, e.Message);
        Assert.Equal(ErrorTable.KindOf(code), e.Kind);
    }
}
