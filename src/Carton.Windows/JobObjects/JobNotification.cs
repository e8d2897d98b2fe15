namespace Carton.Windows.JobObjects;

/// <summary>
/// The JOB_OBJECT_MSG_* messages a job posts to its completion port (winnt.h; Microsoft Learn,
/// "JOBOBJECT_ASSOCIATE_COMPLETION_PORT", which lists what each message's lpOverlapped carries).
/// </summary>
public enum JobMessage : uint
{
    /// <summary>JOB_OBJECT_MSG_END_OF_JOB_TIME: the job's user-time limit was hit.</summary>
    EndOfJobTime = 1,
    /// <summary>JOB_OBJECT_MSG_END_OF_PROCESS_TIME: a process hit its user-time limit (it is terminated).</summary>
    EndOfProcessTime = 2,
    /// <summary>JOB_OBJECT_MSG_ACTIVE_PROCESS_LIMIT: a process was not started because of the process-count limit.</summary>
    ActiveProcessLimit = 3,
    /// <summary>JOB_OBJECT_MSG_ACTIVE_PROCESS_ZERO: the job has no process left (the counterpart of an empty cgroup).</summary>
    ActiveProcessZero = 4,
    /// <summary>JOB_OBJECT_MSG_NEW_PROCESS: a process joined the job.</summary>
    NewProcess = 6,
    /// <summary>JOB_OBJECT_MSG_EXIT_PROCESS: a process of the job exited.</summary>
    ExitProcess = 7,
    /// <summary>JOB_OBJECT_MSG_ABNORMAL_EXIT_PROCESS: a process exited with an exception code.</summary>
    AbnormalExitProcess = 8,
    /// <summary>JOB_OBJECT_MSG_PROCESS_MEMORY_LIMIT: a process hit the per-process memory limit (the commit failed).</summary>
    ProcessMemoryLimit = 9,
    /// <summary>JOB_OBJECT_MSG_JOB_MEMORY_LIMIT: the job hit its memory limit (the counterpart of a cgroup's OOM event,
    /// except that Windows fails the allocation instead of killing).</summary>
    JobMemoryLimit = 10,
    /// <summary>JOB_OBJECT_MSG_NOTIFICATION_LIMIT: a notification limit was passed.</summary>
    NotificationLimit = 11,
}

/// <summary>One message of a job's completion port.</summary>
/// <param name="Message">What happened.</param>
/// <param name="ProcessId">The process it concerns, for the messages that name one (new, exit, abnormal exit,
/// process time, process and job memory limit); null for the others.</param>
public readonly record struct JobNotification(JobMessage Message, uint? ProcessId)
{
    /// <summary>Whether the packet's lpOverlapped is a process id for <paramref name="message"/> (per the
    /// JOBOBJECT_ASSOCIATE_COMPLETION_PORT documentation).</summary>
    internal static bool CarriesProcessId(uint message) => message is 2 or 6 or 7 or 8 or 9 or 10;
}
