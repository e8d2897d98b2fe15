using System.Formats.Tar;
using System.Text;

namespace Carton.Compute.Windows.Tests.Layers;

/// <summary>Crafted Windows layer tars, PAX format as hcsshim and Docker write them.</summary>
internal sealed class LayerTar
{
    private readonly MemoryStream _bytes = new();
    private readonly TarWriter _writer;

    public LayerTar() => _writer = new TarWriter(_bytes, TarEntryFormat.Pax, leaveOpen: true);

    public static readonly DateTimeOffset Time = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    public LayerTar Dir(string name, params (string Key, string Value)[] pax) =>
        Add(new PaxTarEntry(TarEntryType.Directory, name, Pax(pax)) { ModificationTime = Time });

    public LayerTar File(string name, string content, params (string Key, string Value)[] pax) =>
        Add(new PaxTarEntry(TarEntryType.RegularFile, name, Pax(pax)) { ModificationTime = Time, DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) });

    public LayerTar HardLink(string name, string target) =>
        Add(new PaxTarEntry(TarEntryType.HardLink, name) { LinkName = target, ModificationTime = Time });

    public LayerTar Symlink(string name, string target, params (string Key, string Value)[] pax) =>
        Add(new PaxTarEntry(TarEntryType.SymbolicLink, name, Pax(pax)) { LinkName = target, ModificationTime = Time });

    public LayerTar Entry(TarEntryType type, string name) => Add(new PaxTarEntry(type, name) { ModificationTime = Time });

    public byte[] Bytes()
    {
        _writer.Dispose();
        return _bytes.ToArray();
    }

    private LayerTar Add(TarEntry e)
    {
        _writer.WriteEntry(e);
        return this;
    }

    private static Dictionary<string, string> Pax((string Key, string Value)[] pax) => pax.ToDictionary(p => p.Key, p => p.Value);
}
