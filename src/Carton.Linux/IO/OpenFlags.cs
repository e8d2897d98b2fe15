namespace Carton.Linux.IO;

/// <summary>open(2) flags. <see cref="FileDescriptor"/> adds O_CLOEXEC to every open: no fd of Carton's reaches a
/// program it execs unless handed over on purpose (design.md §3 item 2).</summary>
[Flags]
public enum OpenFlags
{
    ReadOnly = 0,
    WriteOnly = 0x1,
    ReadWrite = 0x2,
    Create = 0x40,
    Exclusive = 0x80,
    NoControllingTerminal = 0x100,
    Truncate = 0x200,
    Append = 0x400,
    NonBlocking = 0x800,
    Directory = 0x10000,
    NoFollow = 0x20000,
    /// <summary>O_PATH: a handle on the file's place in the tree, not on its content.</summary>
    PathOnly = 0x200000,
}
