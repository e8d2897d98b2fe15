namespace Carton.Oci;

/// <summary>
/// config.json could not be read, parsed or validated. The message is user-facing and always
/// starts with the file name and the JSON path ("config.json: process.args: must not be empty").
/// </summary>
public sealed class SpecException : Exception
{
    /// <summary>Validation errors, when the failure was validation (empty for parse errors).</summary>
    public IReadOnlyList<ValidationError> Errors { get; }

    public SpecException(string message, Exception? inner = null) : base(message, inner)
    {
        Errors = [];
    }

    public SpecException(string message, IReadOnlyList<ValidationError> errors) : base(message)
    {
        Errors = errors;
    }
}
