namespace Carton.Fuzz.Tests.Harness;

/// <summary>One kind of failure: an exception of a type the oracle refuses (or a hang), thrown from one place. The
/// smallest input seen that causes it is kept; <see cref="Count"/> counts every input that did.</summary>
public sealed class Finding(string key, Exception? exception, byte[] input)
{
    /// <summary>Type and throwing frame ("System.NullReferenceException at Carton.Oci.SpecValidator.Mounts"), or "hang".</summary>
    public string Key { get; } = key;
    public Exception? Exception { get; private set; } = exception;
    public byte[] Input { get; private set; } = input;
    public long Count { get; private set; } = 1;

    /// <summary>Another input with the same failure: counted, and kept if it is smaller.</summary>
    public void Add(Exception? e, byte[] input)
    {
        Count++;
        if (input.Length < Input.Length)
        {
            Input = input;
            Exception = e;
        }
    }

    public override string ToString() =>
        $"{Key} ({Count} inputs; smallest {Input.Length} bytes)\n{Exception}";
}
