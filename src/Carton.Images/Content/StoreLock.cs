using System.Collections.Concurrent;

namespace Carton.Images.Content;

/// <summary>
/// An exclusive lock on a file under the store's <c>locks/</c> directory, held in-process and across processes.
/// </summary>
/// <remarks>
/// Why <see cref="FileShare.None"/> and not <see cref="FileStream.Lock"/>: on Unix .NET implements FileShare.None as
/// <c>flock(LOCK_EX|LOCK_NB)</c> on the new open file description, so it excludes other processes and other opens in
/// this process alike, the kernel drops it when the holder dies (a killed pull never leaves a lock behind), and
/// <c>flock(1)</c> sees it. <see cref="FileStream.Lock"/> takes POSIX record locks (fcntl), which are per process:
/// two pulls inside one daemon would both get one, and closing any descriptor of the file drops them. On Windows
/// FileShare.None is a sharing mode with the same effect. Either way the open does not wait, so a busy lock is
/// polled with a short backoff; an in-process semaphore in front keeps threads of this process from polling.
/// Setting DOTNET_SYSTEM_IO_DISABLEFILELOCKING turns .NET's flock off and with it the cross-process exclusion.
/// Lock files are never deleted: deleting a lock file while another process has it open is the classic race that
/// lets two holders in. Blobs share 256 lock files (by the first two hex digits) so their number stays bounded.
/// </remarks>
internal sealed class StoreLock : IDisposable
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> InProcess = new(StringComparer.Ordinal);
    // EWOULDBLOCK: .NET sets the IOException's HResult to the errno of the failed flock.
    private const int EWouldBlock = 11;

    private readonly SemaphoreSlim _semaphore;
    private FileStream? _file;

    private StoreLock(SemaphoreSlim semaphore, FileStream file)
    {
        _semaphore = semaphore;
        _file = file;
    }

    /// <summary>Waits for and takes the lock at <paramref name="path"/> (created if missing).</summary>
    public static async Task<StoreLock> AcquireAsync(string path, CancellationToken cancellationToken)
    {
        var semaphore = InProcess.GetOrAdd(path, _ => new SemaphoreSlim(1, 1));
        await semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var delay = TimeSpan.FromMilliseconds(10);
            while (true)
            {
                try
                {
                    var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
                    return new StoreLock(semaphore, file);
                }
                catch (IOException e) when (IsBusy(e))
                {
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                    if (delay < TimeSpan.FromMilliseconds(250)) delay *= 2;
                }
            }
        }
        catch
        {
            semaphore.Release();
            throw;
        }
    }

    /// <summary>Takes the lock now or returns null when another holder has it.</summary>
    public static StoreLock? TryAcquire(string path)
    {
        var semaphore = InProcess.GetOrAdd(path, _ => new SemaphoreSlim(1, 1));
        if (!semaphore.Wait(0)) return null;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            return new StoreLock(semaphore, new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None));
        }
        catch (IOException e) when (IsBusy(e))
        {
            semaphore.Release();
            return null;
        }
        catch
        {
            semaphore.Release();
            throw;
        }
    }

    // Windows reports a sharing violation as ERROR_SHARING_VIOLATION (0x80070020); Unix as the flock errno.
    private static bool IsBusy(IOException e) =>
        e is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException)
        && (e.HResult == EWouldBlock || e.HResult == unchecked((int)0x80070020) || e.HResult == unchecked((int)0x80070021));

    public void Dispose()
    {
        var file = Interlocked.Exchange(ref _file, null);
        if (file is null) return;
        file.Dispose();
        _semaphore.Release();
    }
}
