using System.Buffers.Binary;
using System.Text;

namespace Carton.Images.Windows;

/// <summary>
/// The Win32 backup stream format (BackupRead/BackupWrite; winbase.h's WIN32_STREAM_ID: a DWORD stream id, a DWORD
/// attributes, a LARGE_INTEGER size and a DWORD name size, 20 bytes, then the UTF-16 name, then the data) and the
/// reparse point buffer a symbolic link or junction is stored as (ntifs.h's REPARSE_DATA_BUFFER). The Windows layer
/// transport format keeps each file of Files/ as a backup stream (see <see cref="TransportFolderWriter"/>), which is
/// how the file's security descriptor and reparse data travel without the host applying them. Written from the
/// documented layouts (Microsoft Learn: "WIN32_STREAM_ID", "REPARSE_DATA_BUFFER"); go-winio reads and writes the same.
/// </summary>
internal static class BackupStreamFormat
{
    /// <summary>BACKUP_DATA: the file's main data.</summary>
    public const uint Data = 1;
    /// <summary>BACKUP_SECURITY_DATA: a self-relative security descriptor.</summary>
    public const uint SecurityData = 3;
    /// <summary>BACKUP_REPARSE_DATA: a REPARSE_DATA_BUFFER.</summary>
    public const uint ReparseData = 8;

    /// <summary>IO_REPARSE_TAG_SYMLINK.</summary>
    public const uint SymlinkTag = 0xA000_000C;
    /// <summary>IO_REPARSE_TAG_MOUNT_POINT (a junction).</summary>
    public const uint MountPointTag = 0xA000_0003;
    /// <summary>SYMLINK_FLAG_RELATIVE.</summary>
    public const uint SymlinkFlagRelative = 1;

    /// <summary>Writes one WIN32_STREAM_ID header without a stream name (the only kind written here).</summary>
    public static void WriteHeader(Stream to, uint streamId, long size)
    {
        Span<byte> header = stackalloc byte[20];
        BinaryPrimitives.WriteUInt32LittleEndian(header, streamId);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], 0);        // dwStreamAttributes
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], size);      // Size
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 0);       // dwStreamNameSize
        to.Write(header);
    }

    /// <summary>
    /// The REPARSE_DATA_BUFFER of a link to <paramref name="target"/> as a tar's link name gives it: a junction when
    /// <paramref name="mountPoint"/> (MSWINDOWS.mountpoint), else a symbolic link, relative unless the target is a
    /// drive path ("C:\…") or a UNC path ("\\server\share"). The substitute name of an absolute target is the NT form
    /// ("\??\C:\…", "\??\UNC\server\share"); the print name is the target as given, '/' turned into '\'.
    /// </summary>
    public static byte[] EncodeReparsePoint(string target, bool mountPoint)
    {
        var print = target.Replace('/', '\\');
        bool drive = print.Length >= 3 && char.IsAsciiLetter(print[0]) && print[1] == ':' && print[2] == '\\';
        bool unc = print.StartsWith(@"\\", StringComparison.Ordinal);
        bool relative = !drive && !unc && !mountPoint;
        var substitute = drive || mountPoint ? @"\??\" + print : unc ? @"\??\UNC\" + print[2..] : print;

        var sub = Encoding.Unicode.GetBytes(substitute);
        var prt = Encoding.Unicode.GetBytes(print);
        // A junction's names are NUL-terminated in the buffer (the lengths leave the NUL out); a symlink's are not.
        int nul = mountPoint ? 2 : 0;
        int fixedPart = mountPoint ? 8 : 12; // the four USHORT offsets/lengths, plus ULONG Flags for a symlink
        int dataLength = fixedPart + sub.Length + nul + prt.Length + nul;
        if (dataLength > ushort.MaxValue) throw new ArgumentException("the link target is too long for a reparse point", nameof(target));
        var buffer = new byte[8 + dataLength];
        var span = buffer.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, mountPoint ? MountPointTag : SymlinkTag);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], (ushort)dataLength);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], 0);                             // Reserved
        BinaryPrimitives.WriteUInt16LittleEndian(span[8..], 0);                             // SubstituteNameOffset
        BinaryPrimitives.WriteUInt16LittleEndian(span[10..], (ushort)sub.Length);           // SubstituteNameLength
        BinaryPrimitives.WriteUInt16LittleEndian(span[12..], (ushort)(sub.Length + nul));   // PrintNameOffset
        BinaryPrimitives.WriteUInt16LittleEndian(span[14..], (ushort)prt.Length);           // PrintNameLength
        int path = 16;
        if (!mountPoint)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span[16..], relative ? SymlinkFlagRelative : 0);
            path = 20;
        }
        sub.CopyTo(span[path..]);
        prt.CopyTo(span[(path + sub.Length + nul)..]);
        return buffer;
    }
}
