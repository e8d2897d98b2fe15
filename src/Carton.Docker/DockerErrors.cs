namespace Carton.Docker;

/// <summary>
/// The errors the Docker API raises, as <see cref="CartonException"/>s whose kind gives the status through
/// <see cref="ErrorTable"/> (InvalidDocument 400, NotFound 404, InvalidState and AlreadyExists 409, Unsupported 501,
/// Internal 500). The messages are dockerd's, word for word where the CLIs or their users match on them.
/// </summary>
internal static class DockerErrors
{
    public static CartonException BadRequest(string message, string? field = null) =>
        new(ErrorKind.InvalidDocument, message, jsonPath: field);

    public static CartonException NoSuchImage(string name) => new(ErrorKind.NotFound, $"No such image: {name}");

    public static CartonException NoSuchContainer(string name) => new(ErrorKind.NotFound, $"No such container: {name}");

    public static CartonException NoSuchExec(string id) => new(ErrorKind.NotFound, $"No such exec instance: {id}");

    public static CartonException NotRunning(string id) => new(ErrorKind.InvalidState, $"Container {id} is not running");

    public static CartonException Conflict(string message) => new(ErrorKind.InvalidState, message);

    public static CartonException NotYet(string what) =>
        new(ErrorKind.Unsupported, $"{what} is not implemented by carton yet (issue 13: see docs/docker-api.md)");
}
