using System.Buffers.Binary;
using Carton.Linux.IO;

namespace Carton.Runtime.Plan;

/// <summary>The parent's side of the executor's sync socket: carton_plan_report records (kind, op index, errno).</summary>
public static class PlanChannel
{
    /// <summary>
    /// Follows the executor until it reports ready: runs the parent's hooks when asked (and answers with one byte),
    /// turns a failure into the message of the failing operation (its JSON path), and an end of file into
    /// <paramref name="whyDied"/>'s account.
    /// </summary>
    public static void Follow(int socket, SetupPlan plan, Action runHooks, Func<string> whyDied)
    {
        var record = new byte[12];
        while (true)
        {
            if (!InitChannel.ReadExactly(socket, record)) throw new RuntimeError(whyDied());
            var kind = (PlanReport)BinaryPrimitives.ReadInt32LittleEndian(record);
            int index = BinaryPrimitives.ReadInt32LittleEndian(record.AsSpan(4));
            int errno = BinaryPrimitives.ReadInt32LittleEndian(record.AsSpan(8));
            switch (kind)
            {
                case PlanReport.Ready: return;
                case PlanReport.Error: throw new RuntimeError(plan.Describe(index, errno));
                case PlanReport.Hooks:
                    runHooks();
                    FileDescriptor.WriteAll(socket, [1], "answer the container init (hooks done)");
                    break;
                default: throw new RuntimeError($"container init sent an unknown report {(int)kind}");
            }
        }
    }
}
