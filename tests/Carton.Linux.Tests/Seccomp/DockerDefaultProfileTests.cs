using System.Runtime.CompilerServices;
using System.Text.Json;
using Carton.Linux.Seccomp;
using Carton.Oci;
using static Carton.Linux.Tests.Seccomp.SeccompTestProfiles;

namespace Carton.Linux.Tests.Seccomp;

/// <summary>
/// docker-default.json next to this file: an approximation (from memory) of the OCI seccomp object docker generates
/// from moby's default profile for a container with the default capabilities on x86_64.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class DockerDefaultProfileTests
{
    internal static LinuxSeccomp Load([CallerFilePath] string source = "")
    {
        var json = File.ReadAllText(Path.Combine(Path.GetDirectoryName(source)!, "docker-default.json"));
        return JsonSerializer.Deserialize(json, OciJsonContext.Default.LinuxSeccomp)!;
    }

    [Fact]
    public void CompilesWithinTheKernelLimitAndBehavesLikeDocker()
    {
        var p = Load();
        Assert.True(p.Syscalls!.Sum(s => s.Names!.Count) > 350);
        var program = SeccompCompiler.Compile(p);
        Assert.True(program.Length < Bpf.MaxInstructions, $"{program.Length} instructions");

        uint allow = SeccompReturn.Allow, eperm = Errno(1);
        Assert.Equal(allow, BpfInterpreter.Run(program, SeccompDataInput.X86_64(Nr("read"))));
        Assert.Equal(allow, BpfInterpreter.Run(program, SeccompDataInput.X86_64(Nr("mkdir"))));
        Assert.Equal(allow, BpfInterpreter.Run(program, SeccompDataInput.X86_64(Nr("mkdirat"))));
        Assert.Equal(allow, BpfInterpreter.Run(program, SeccompDataInput.X86_64(Nr("writev"))));   // late in the list: past trampolines
        Assert.Equal(eperm, BpfInterpreter.Run(program, SeccompDataInput.X86_64(Nr("kexec_load"))));
        Assert.Equal(eperm, BpfInterpreter.Run(program, SeccompDataInput.X86_64(Nr("mount"))));
        Assert.Equal(eperm, BpfInterpreter.Run(program, SeccompDataInput.X86_64(Nr("unshare"))));
        Assert.Equal(eperm, BpfInterpreter.Run(program, SeccompDataInput.X86_64(4242)));          // unknown number
        Assert.Equal(Errno(38), BpfInterpreter.Run(program, SeccompDataInput.X86_64(Nr("clone3"))));

        // clone: no namespace flags.
        Assert.Equal(allow, BpfInterpreter.Run(program, SeccompDataInput.X86_64(Nr("clone"), 0x003D0F00 /* pthread_create */)));
        Assert.Equal(eperm, BpfInterpreter.Run(program, SeccompDataInput.X86_64(Nr("clone"), 0x10000000 /* CLONE_NEWUSER */ | 0x11)));
        // socket: anything but AF_VSOCK.
        Assert.Equal(allow, BpfInterpreter.Run(program, SeccompDataInput.X86_64(Nr("socket"), 2)));
        Assert.Equal(eperm, BpfInterpreter.Run(program, SeccompDataInput.X86_64(Nr("socket"), 40)));
        // personality: the five allowed personas only.
        Assert.Equal(allow, BpfInterpreter.Run(program, SeccompDataInput.X86_64(Nr("personality"), 0xffffffff)));
        Assert.Equal(allow, BpfInterpreter.Run(program, SeccompDataInput.X86_64(Nr("personality"), 8)));
        Assert.Equal(eperm, BpfInterpreter.Run(program, SeccompDataInput.X86_64(Nr("personality"), 0x0040000 /* ADDR_NO_RANDOMIZE */)));

        // i386 and x32.
        Assert.Equal(allow, BpfInterpreter.Run(program, SeccompDataInput.X86(Nr32("read"))));
        Assert.Equal(allow, BpfInterpreter.Run(program, SeccompDataInput.X86(Nr32("socketcall"))));
        Assert.Equal(eperm, BpfInterpreter.Run(program, SeccompDataInput.X86(Nr32("kexec_load"))));
        Assert.Equal(allow, BpfInterpreter.Run(program, SeccompDataInput.X32(NrX32("read"))));
        Assert.Equal(eperm, BpfInterpreter.Run(program, SeccompDataInput.X32(NrX32("kexec_load"))));
        Assert.Equal(SeccompReturn.KillThread, BpfInterpreter.Run(program, new SeccompDataInput(0, 0xC00000B7, new ulong[6])));

        // Every syscall number on every ABI agrees with the reference model.
        foreach (var (abi, audit) in new[] { (SeccompArch.X86_64, SeccompReturn.AuditArchX86_64), (SeccompArch.X86, SeccompReturn.AuditArchI386), (SeccompArch.X32, SeccompReturn.AuditArchX86_64) })
            foreach (var nr in SyscallTable.For(abi).Values)
            {
                var d = new SeccompDataInput(nr, audit, [0x11, 2, 0, 0, 0, 0]);
                Assert.Equal(Expected(p, d), BpfInterpreter.Run(program, d));
            }
    }
}
