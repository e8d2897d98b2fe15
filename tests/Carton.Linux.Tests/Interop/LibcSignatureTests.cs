using System.Reflection;
using System.Runtime.InteropServices;
using Carton.Linux.Interop;

namespace Carton.Linux.Tests.Interop;

/// <summary>
/// Every libc binding in <see cref="Libc"/> against glibc's prototype (x86_64, LP64): a wrong return or parameter type
/// or width (getcwd declared as returning int truncated the pointer) is undefined behaviour that tests of the callers
/// rarely see. A binding added without a row here, or a row whose binding went, fails too.
/// C → C#: int → int; unsigned int, mode_t, uid_t, gid_t, id_t, socklen_t, uint32_t → uint; pid_t → int;
/// long → long; unsigned long, dev_t, rlim_t → ulong; size_t, nfds_t → nuint; ssize_t → nint; off_t → long;
/// char* → string (in) or byte* (out); other pointers → pointer types.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LibcSignatureTests
{
    /// <summary>name → "return(parameters)" in C# types, with glibc's prototype beside it.</summary>
    private static readonly Dictionary<string, string> Expected = new()
    {
        ["syscall"] = "long(long, long, long, long, long, long, long)",      // long syscall(long number, ...)
        ["mount"] = "int(string, string, string, ulong, string)",            // int mount(const char*, const char*, const char*, unsigned long, const void*)
        ["umount2"] = "int(string, int)",                                    // int umount2(const char*, int)
        ["chroot"] = "int(string)",                                          // int chroot(const char*)
        ["chdir"] = "int(string)",                                           // int chdir(const char*)
        ["fchdir"] = "int(int)",                                             // int fchdir(int)
        ["open"] = "int(string, int, uint)",                                 // int open(const char*, int, ... mode_t)
        ["openat"] = "int(int, string, int, uint)",                          // int openat(int, const char*, int, ... mode_t)
        ["close"] = "int(int)",                                              // int close(int)
        ["fsync"] = "int(int)",                                              // int fsync(int)
        ["renameat"] = "int(int, byte*, int, byte*)",                        // int renameat(int, const char*, int, const char*)
        ["mkdirat"] = "int(int, string, uint)",                              // int mkdirat(int, const char*, mode_t)
        ["mknodat"] = "int(int, string, uint, ulong)",                       // int mknodat(int, const char*, mode_t, dev_t)
        ["symlinkat"] = "int(string, int, string)",                          // int symlinkat(const char*, int, const char*)
        ["unlinkat"] = "int(int, string, int)",                              // int unlinkat(int, const char*, int)
        ["fchownat"] = "int(int, string, uint, uint, int)",                  // int fchownat(int, const char*, uid_t, gid_t, int)
        ["fchown"] = "int(int, uint, uint)",                                 // int fchown(int, uid_t, gid_t)
        ["fchmod"] = "int(int, uint)",                                       // int fchmod(int, mode_t)
        ["mkfifo"] = "int(string, uint)",                                    // int mkfifo(const char*, mode_t)
        ["sethostname"] = "int(string, nuint)",                              // int sethostname(const char*, size_t)
        ["setdomainname"] = "int(string, nuint)",                            // int setdomainname(const char*, size_t)
        ["prlimit"] = "int(int, int, Rlimit*, Rlimit*)",                     // int prlimit(pid_t, int resource, const struct rlimit*, struct rlimit*)
        ["prctl"] = "int(int, ulong, ulong, ulong, ulong)",                  // int prctl(int, unsigned long ...)
        ["unshare"] = "int(int)",                                            // int unshare(int)
        ["setns"] = "int(int, int)",                                         // int setns(int, int)
        ["kill"] = "int(int, int)",                                          // int kill(pid_t, int)
        ["sigaction"] = "int(int, byte*, byte*)",                            // int sigaction(int, const struct sigaction*, struct sigaction*): the struct as bytes
        ["waitpid"] = "int(int, int*, int)",                                 // pid_t waitpid(pid_t, int*, int)
        ["pipe2"] = "int(int*, int)",                                        // int pipe2(int[2], int)
        ["socketpair"] = "int(int, int, int, int*)",                         // int socketpair(int, int, int, int[2])
        ["socket"] = "int(int, int, int)",                                   // int socket(int, int, int)
        ["connect"] = "int(int, void*, uint)",                               // int connect(int, const struct sockaddr*, socklen_t)
        ["sendmsg"] = "nint(int, MsgHdr*, int)",                             // ssize_t sendmsg(int, const struct msghdr*, int)
        ["recvmsg"] = "nint(int, MsgHdr*, int)",                             // ssize_t recvmsg(int, struct msghdr*, int)
        ["ioctl"] = "int(int, ulong, void*)",                                // int ioctl(int, unsigned long, ...)
        ["read"] = "nint(int, void*, nuint)",                                // ssize_t read(int, void*, size_t)
        ["write"] = "nint(int, void*, nuint)",                               // ssize_t write(int, const void*, size_t)
        ["umask"] = "uint(uint)",                                            // mode_t umask(mode_t)
        ["fcntl"] = "int(int, int, int)",                                    // int fcntl(int, int, ... int)
        ["dup"] = "int(int)",                                                // int dup(int)
        ["dup3"] = "int(int, int, int)",                                     // int dup3(int, int, int)
        ["fstat"] = "int(int, byte*)",                                       // int fstat(int, struct stat*)
        ["fstatfs"] = "int(int, byte*)",                                     // int fstatfs(int, struct statfs*)
        ["fstatat"] = "int(int, string, byte*, int)",                        // int fstatat(int, const char*, struct stat*, int)
        ["sendfile"] = "nint(int, int, long*, nuint)",                       // ssize_t sendfile(int, int, off_t*, size_t)
        ["getpid"] = "int()",                                                // pid_t getpid(void)
        ["geteuid"] = "uint()",                                              // uid_t geteuid(void)
        ["getegid"] = "uint()",                                              // gid_t getegid(void)
        ["setsid"] = "int()",                                                // pid_t setsid(void)
        ["execve"] = "int(byte*, byte**, byte**)",                           // int execve(const char*, char* const[], char* const[])
        ["execv"] = "int(string, string[])",                                 // int execv(const char*, char* const[])
        ["getcwd"] = "byte*(byte*, nuint)",                                  // char* getcwd(char*, size_t)
        ["isatty"] = "int(int)",                                             // int isatty(int)
        ["mkdir"] = "int(string, uint)",                                     // int mkdir(const char*, mode_t)
        ["rmdir"] = "int(string)",                                           // int rmdir(const char*)
        ["flock"] = "int(int, int)",                                         // int flock(int, int)
        ["statvfs"] = "int(string, byte*)",                                  // int statvfs(const char*, struct statvfs*)
        ["waitid"] = "int(int, uint, byte*, int)",                           // int waitid(idtype_t, id_t, siginfo_t*, int)
        ["eventfd"] = "int(uint, int)",                                      // int eventfd(unsigned int, int)
        ["inotify_init1"] = "int(int)",                                      // int inotify_init1(int)
        ["inotify_add_watch"] = "int(int, string, uint)",                    // int inotify_add_watch(int, const char*, uint32_t)
        ["poll"] = "int(PollFd*, nuint, int)",                               // int poll(struct pollfd*, nfds_t, int)
        ["readlinkat"] = "nint(int, string, byte*, nuint)",                  // ssize_t readlinkat(int, const char*, char*, size_t)
        ["tcgetattr"] = "int(int, byte*)",                                   // int tcgetattr(int, struct termios*)
        ["tcsetattr"] = "int(int, int, byte*)",                              // int tcsetattr(int, int, const struct termios*)
        ["cfmakeraw"] = "void(byte*)",                                       // void cfmakeraw(struct termios*)
        ["linkat"] = "int(int, string, int, string, int)",                   // int linkat(int, const char*, int, const char*, int)
        ["renameat2"] = "int(int, string, int, string, uint)",               // int renameat2(int, const char*, int, const char*, unsigned int)
        ["fchmodat"] = "int(int, string, uint, int)",                        // int fchmodat(int, const char*, mode_t, int)
        ["utimensat"] = "int(int, string, Timespec*, int)",                  // int utimensat(int, const char*, const struct timespec[2], int)
        ["futimens"] = "int(int, Timespec*)",                                // int futimens(int, const struct timespec[2])
        ["syncfs"] = "int(int)",                                             // int syncfs(int)
        ["fsetxattr"] = "int(int, string, byte*, nuint, int)",               // int fsetxattr(int, const char*, const void*, size_t, int)
        ["lsetxattr"] = "int(string, string, byte*, nuint, int)",            // int lsetxattr(const char*, const char*, const void*, size_t, int)
        ["lgetxattr"] = "nint(string, string, byte*, nuint)",                // ssize_t lgetxattr(const char*, const char*, void*, size_t)
        ["llistxattr"] = "nint(string, byte*, nuint)",                       // ssize_t llistxattr(const char*, char*, size_t)
    };

    /// <summary>The methods of Libc bound to a native function: declared [LibraryImport] or [DllImport] (not the
    /// stubs the LibraryImport generator nests inside them).</summary>
    private static List<(string Name, MethodInfo Method)> Bindings() =>
        typeof(Libc).GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
            .Where(m => !m.Name.Contains('<', StringComparison.Ordinal))
            .Select(m => (Method: m, Library: m.GetCustomAttribute<LibraryImportAttribute>(), Dll: m.GetCustomAttribute<DllImportAttribute>()))
            .Where(x => x.Library is not null || x.Dll is not null)
            .Select(x => (x.Library?.EntryPoint ?? x.Dll?.EntryPoint ?? x.Method.Name, x.Method))
            .ToList();

    [Fact]
    public void EveryBindingMatchesGlibcsPrototype()
    {
        var bindings = Bindings();
        Assert.True(bindings.Count >= 60, $"found only {bindings.Count} bindings: the reflection no longer sees them");
        var problems = new List<string>();
        foreach (var (name, method) in bindings)
        {
            var actual = Signature(method);
            if (!Expected.TryGetValue(name, out var expected))
                problems.Add($"{name}: bound as {actual} but missing from the table: add its glibc prototype");
            else if (actual != expected)
                problems.Add($"{name}: bound as {actual}, glibc's prototype is {expected}");
        }
        foreach (var name in Expected.Keys.Except(bindings.Select(b => b.Name)))
            problems.Add($"{name}: in the table but Libc has no such binding");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void TheSignatureFormatSeesPointersAndWidths()
    {
        var getcwd = Bindings().Single(b => b.Name == "getcwd").Method;
        Assert.Equal("byte*(byte*, nuint)", Signature(getcwd));
        Assert.Equal("nint", TypeName(typeof(nint)));
        Assert.Equal("byte**", TypeName(typeof(byte**)));
        Assert.Equal("Rlimit*", TypeName(typeof(Libc.Rlimit*)));
    }

    [Fact]
    public unsafe void GetcwdReturnsTheBufferPointer()
    {
        var buf = stackalloc byte[4096];
        var p = Libc.getcwd(buf, 4096);
        Assert.True(p == buf, "getcwd must return its buffer");
        Assert.Equal(Environment.CurrentDirectory, Marshal.PtrToStringUTF8((nint)p));
        Assert.True(Libc.getcwd(buf, 1) == null, "a buffer too small must give NULL (ERANGE)");
    }

    private static string Signature(MethodInfo m) =>
        $"{TypeName(m.ReturnType)}({string.Join(", ", m.GetParameters().Select(p => TypeName(p.ParameterType)))})";

    private static string TypeName(Type t)
    {
        if (t.IsPointer) return TypeName(t.GetElementType()!) + "*";
        if (t.IsArray) return TypeName(t.GetElementType()!) + "[]";
        return t switch
        {
            _ when t == typeof(void) => "void",
            _ when t == typeof(int) => "int",
            _ when t == typeof(uint) => "uint",
            _ when t == typeof(long) => "long",
            _ when t == typeof(ulong) => "ulong",
            _ when t == typeof(short) => "short",
            _ when t == typeof(ushort) => "ushort",
            _ when t == typeof(byte) => "byte",
            _ when t == typeof(nint) => "nint",
            _ when t == typeof(nuint) => "nuint",
            _ when t == typeof(string) => "string",
            _ when t == typeof(bool) => "bool",
            _ => t.Name,
        };
    }
}
