using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;

namespace Carton.EngineTests.Cri;

/// <summary>
/// A minimal CRI client (runtime.v1): the calls a kubelet makes to run a pod, over the runtime's unix socket.
/// gRPC is driven without generated stubs: each call is a <see cref="Method{TRequest,TResponse}"/> named by service and
/// method, whose marshallers turn the hand-written <see cref="CriMessage"/>s into bytes and back.
/// </summary>
public sealed class CriClient : IDisposable
{
    private const string RuntimeService = "runtime.v1.RuntimeService";
    private const string ImageService = "runtime.v1.ImageService";

    private readonly GrpcChannel _channel;
    private readonly CallInvoker _invoker;

    /// <summary>How long one call may take unless the caller says otherwise.</summary>
    public TimeSpan DefaultDeadline { get; set; } = TimeSpan.FromSeconds(60);

    public CriClient(string socketPath)
    {
        // gRPC needs an http address; the host part is never resolved, every connection goes to the socket.
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = handler });
        _invoker = _channel.CreateCallInvoker();
    }

    public Task<VersionResponse> VersionAsync(VersionRequest request) =>
        CallAsync<VersionRequest, VersionResponse>(RuntimeService, "Version", request);

    public Task<RunPodSandboxResponse> RunPodSandboxAsync(RunPodSandboxRequest request) =>
        CallAsync<RunPodSandboxRequest, RunPodSandboxResponse>(RuntimeService, "RunPodSandbox", request);

    public Task<PodSandboxStatusResponse> PodSandboxStatusAsync(PodSandboxStatusRequest request) =>
        CallAsync<PodSandboxStatusRequest, PodSandboxStatusResponse>(RuntimeService, "PodSandboxStatus", request);

    public Task<ListPodSandboxResponse> ListPodSandboxAsync(ListPodSandboxRequest request) =>
        CallAsync<ListPodSandboxRequest, ListPodSandboxResponse>(RuntimeService, "ListPodSandbox", request);

    public Task<Empty> StopPodSandboxAsync(StopPodSandboxRequest request, TimeSpan? deadline = null) =>
        CallAsync<StopPodSandboxRequest, Empty>(RuntimeService, "StopPodSandbox", request, deadline);

    public Task<Empty> RemovePodSandboxAsync(RemovePodSandboxRequest request, TimeSpan? deadline = null) =>
        CallAsync<RemovePodSandboxRequest, Empty>(RuntimeService, "RemovePodSandbox", request, deadline);

    public Task<CreateContainerResponse> CreateContainerAsync(CreateContainerRequest request) =>
        CallAsync<CreateContainerRequest, CreateContainerResponse>(RuntimeService, "CreateContainer", request);

    public Task<Empty> StartContainerAsync(StartContainerRequest request) =>
        CallAsync<StartContainerRequest, Empty>(RuntimeService, "StartContainer", request);

    public Task<ContainerStatusResponse> ContainerStatusAsync(ContainerStatusRequest request) =>
        CallAsync<ContainerStatusRequest, ContainerStatusResponse>(RuntimeService, "ContainerStatus", request);

    public Task<ListContainersResponse> ListContainersAsync(ListContainersRequest request) =>
        CallAsync<ListContainersRequest, ListContainersResponse>(RuntimeService, "ListContainers", request);

    /// <summary>The call's own deadline must outlast the exec's timeout, or gRPC gives up first.</summary>
    public Task<ExecSyncResponse> ExecSyncAsync(ExecSyncRequest request) =>
        CallAsync<ExecSyncRequest, ExecSyncResponse>(RuntimeService, "ExecSync", request,
            request.Timeout > 0 ? TimeSpan.FromSeconds(request.Timeout + 30) : null);

    /// <summary>The call's deadline outlasts the stop timeout: StopContainer returns only once the container exited.</summary>
    public Task<Empty> StopContainerAsync(StopContainerRequest request) =>
        CallAsync<StopContainerRequest, Empty>(RuntimeService, "StopContainer", request,
            TimeSpan.FromSeconds(request.Timeout + 60));

    public Task<Empty> RemoveContainerAsync(RemoveContainerRequest request) =>
        CallAsync<RemoveContainerRequest, Empty>(RuntimeService, "RemoveContainer", request);

    public Task<ListImagesResponse> ListImagesAsync(ListImagesRequest request) =>
        CallAsync<ListImagesRequest, ListImagesResponse>(ImageService, "ListImages", request);

    public Task<ImageStatusResponse> ImageStatusAsync(ImageStatusRequest request) =>
        CallAsync<ImageStatusRequest, ImageStatusResponse>(ImageService, "ImageStatus", request);

    private async Task<TResponse> CallAsync<TRequest, TResponse>(string service, string name, TRequest request, TimeSpan? deadline = null)
        where TRequest : CriMessage
        where TResponse : CriMessage, new()
    {
        var method = new Method<TRequest, TResponse>(
            MethodType.Unary,
            service,
            name,
            Marshallers.Create<TRequest>(r => r.ToBytes(), _ => throw new NotSupportedException("requests are only sent")),
            Marshallers.Create<TResponse>(_ => throw new NotSupportedException("responses are only received"), CriMessage.Parse<TResponse>));
        var options = new CallOptions(deadline: DateTime.UtcNow + (deadline ?? DefaultDeadline));
        using var call = _invoker.AsyncUnaryCall(method, host: null, options, request);
        return await call.ResponseAsync.ConfigureAwait(false);
    }

    public void Dispose() => _channel.Dispose();
}
