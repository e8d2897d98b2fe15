using CsCheck;

namespace Carton.Fuzz.Tests.Harness;

/// <summary>
/// One fuzz target: the code under test as a function of bytes, the oracle (which exceptions are the target's typed
/// errors for bad input), and the two input sources: structure-aware documents and byte mutations of the corpus.
/// </summary>
/// <param name="Name">The target's name (its corpus directory under Corpus/ and its row in docs/reliability.md).</param>
/// <param name="Structured">Documents of the target's shape with random values, missing/extra/wrong-typed fields, odd strings.</param>
/// <param name="Exercise">Runs the code under test on one input; returns normally on success.</param>
/// <param name="IsTypedError">True for the exceptions the code promises for bad input (the oracle); anything else is a finding.</param>
public sealed record FuzzTarget(string Name, Gen<byte[]> Structured, Action<byte[]> Exercise, Func<Exception, bool> IsTypedError)
{
    /// <summary>The corpus seeds (Corpus/&lt;Name&gt;/*).</summary>
    public IReadOnlyList<byte[]> Seeds => Corpus.Load(Name);
}
