using System.Diagnostics;

namespace Carton.Network.Cni;

/// <summary>
/// Closes a started process's redirected stdin, stdout and stderr. <c>Process.Dispose</c> does not: it
/// closes only the streams nobody has read through <see cref="Process.StandardOutput"/>,
/// <see cref="Process.StandardError"/> or <see cref="Process.StandardInput"/> ("If they are referenced it is the
/// user's responsibility to dispose of them", Process.Close), so a caller that reads them and only disposes the
/// process leaves their pipes to the finalizer, open until some GC. Dispose this after the reads have finished (or
/// been abandoned: a read still pending holds its handle until it returns, so the fd closes then).
/// </summary>
internal readonly struct RedirectedPipes(Process process) : IDisposable
{
    public void Dispose()
    {
        var si = process.StartInfo;
        if (si.RedirectStandardInput)
        {
            // A plugin that exited without reading its input leaves unflushed bytes: the flush in Dispose would
            // fail again with EPIPE. The fd is closed either way.
            try { process.StandardInput.Dispose(); }
            catch (IOException) { }
        }
        if (si.RedirectStandardOutput) process.StandardOutput.Dispose();
        if (si.RedirectStandardError) process.StandardError.Dispose();
    }
}
