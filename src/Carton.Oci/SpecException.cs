namespace Carton.Oci;

/// <summary>
/// config.json could not be read, parsed or validated. The message is user-facing and always
/// starts with the file name and the JSON path ("config.json: process.args: must not be empty").
/// </summary>
public sealed class SpecException : CartonException
{
    /// <summary>Validation errors, when the failure was validation (empty for parse errors).</summary>
    public IReadOnlyList<ValidationError> Errors { get; }

    public SpecException(string message, Exception? inner = null) : base(ErrorKind.InvalidDocument, message, inner, jsonPath: "$")
    {
        Errors = [];
    }

    /// <summary>A validation failure; <see cref="CartonException.JsonPath"/> is the first error's path.</summary>
    public SpecException(string message, IReadOnlyList<ValidationError> errors)
        : base(ErrorKind.InvalidDocument, message, jsonPath: errors.Count > 0 && errors[0].Path.Length > 0 ? errors[0].Path : "$",
            reason: errors.Count > 0 ? errors[0].Message : null)
    {
        Errors = errors;
    }
}
