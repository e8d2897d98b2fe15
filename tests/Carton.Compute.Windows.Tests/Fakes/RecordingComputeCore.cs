using System.Collections.Concurrent;
using System.Text.Json;
using Carton.Windows.Hcs;
using Microsoft.Win32.SafeHandles;

namespace Carton.Compute.Windows.Tests.Fakes;

/// <summary>
/// A recording, simulating stand-in for computecore.dll. It records every call in order, keeps a small model of HCS
/// (systems with states, processes, event callbacks per handle), completes operations on another thread (or never, or
/// when the test says), raises events (exit, crash, service disconnect), fails any function with any HRESULT, and
/// tracks every handle it gives out (operations, systems, processes, standard handles) so a test can prove none leaks.
/// </summary>
public sealed class RecordingComputeCore : IComputeCore
{
    private readonly object _gate = new();
    private readonly List<string> _calls = [];
    private readonly Dictionary<nint, string> _open = [];
    private readonly List<SafeFileHandle> _stdio = [];
    private readonly Dictionary<string, int> _callFailures = [];
    private readonly Dictionary<string, (int Hr, string? Document)> _operationFailures = [];
    private readonly Dictionary<string, string> _resultDocuments = [];
    private readonly HashSet<string> _neverComplete = [];
    private readonly HashSet<string> _manual = [];
    private readonly ConcurrentDictionary<nint, FakeOperation> _operations = new();
    private readonly List<FakeOperation> _pendingManual = [];
    private nint _next = 0x1000;
    private uint _nextPid = 100;

    /// <summary>The systems HCS knows, by id.</summary>
    public ConcurrentDictionary<string, FakeSystem> Systems { get; } = new();

    /// <summary>Every call, in order: the function name, then "(subject)" for systems/processes.</summary>
    public IReadOnlyList<string> Calls { get { lock (_gate) return [.. _calls]; } }

    /// <summary>The function names only, in order.</summary>
    public IReadOnlyList<string> Functions => Calls.Select(c => c.Split('(')[0]).ToList();

    /// <summary>Handles given out and not closed yet (kind by value).</summary>
    public IReadOnlyDictionary<nint, string> OpenHandles { get { lock (_gate) return new Dictionary<nint, string>(_open); } }

    /// <summary>Standard handles given out and not closed yet.</summary>
    public int OpenStdioHandles { get { lock (_gate) return _stdio.Count(h => !h.IsClosed); } }

    /// <summary>How many handles were ever given out (operations, systems, processes).</summary>
    public int HandlesOpened { get; private set; }

    /// <summary>When true, HcsCreateOperation returns NULL (HCS could not allocate it).</summary>
    public bool FailCreateOperation { get; set; }

    /// <summary>When true, created processes get stdin/stdout/stderr handles (over /dev/null, so closing them is real).</summary>
    public bool GiveStdio { get; set; }

    /// <summary>When true, a process exits as soon as it is created (before any callback could be registered).</summary>
    public bool ProcessesExitImmediately { get; set; }

    /// <summary>Makes <paramref name="function"/> fail synchronously with <paramref name="hresult"/> (its call returns it).</summary>
    public void FailCall(string function, int hresult) { lock (_gate) _callFailures[function] = hresult; }

    /// <summary>Makes <paramref name="function"/>'s operation complete with <paramref name="hresult"/> and <paramref name="document"/>.</summary>
    public void FailOperation(string function, int hresult, string? document = null) { lock (_gate) _operationFailures[function] = (hresult, document); }

    /// <summary>The result document <paramref name="function"/>'s operation returns on success.</summary>
    public void SetResult(string function, string document) { lock (_gate) _resultDocuments[function] = document; }

    /// <summary>Makes <paramref name="function"/>'s operation never complete (a hung HCS call: the timeout path).</summary>
    public void NeverComplete(string function) { lock (_gate) _neverComplete.Add(function); }

    /// <summary>Makes <paramref name="function"/>'s operation complete only when <see cref="CompletePending"/> is called.</summary>
    public void CompleteManually(string function) { lock (_gate) _manual.Add(function); }

    /// <summary>How many manual operations are waiting.</summary>
    public int PendingCount { get { lock (_gate) return _pendingManual.Count; } }

    /// <summary>Completes every waiting manual operation, each on another thread; returns how many.</summary>
    public int CompletePending()
    {
        List<FakeOperation> pending;
        lock (_gate) { pending = [.. _pendingManual]; _pendingManual.Clear(); }
        foreach (var op in pending) FireCompletion(op);
        return pending.Count;
    }

    /// <summary>Adds a system as if another client had created it (for open and enumerate).</summary>
    public FakeSystem AddSystem(string id, FakeState state = FakeState.Created)
    {
        var system = new FakeSystem(id) { State = state };
        Systems[id] = system;
        return system;
    }

    /// <summary>Raises <paramref name="type"/> on every open handle of system <paramref name="id"/>, on another thread; returns
    /// when every callback has run.</summary>
    public void RaiseSystemEvent(string id, HcsEventType type, string? data = null)
    {
        var callbacks = Systems[id].CallbacksSnapshot();
        RunElsewhere(() => { foreach (var cb in callbacks) cb(new HcsEvent(type, data)); });
    }

    /// <summary>Exits process <paramref name="pid"/> with <paramref name="exitCode"/>: HcsEventProcessExited with a
    /// ProcessStatus document on every open handle of it, on another thread.</summary>
    public void ExitProcess(uint pid, int exitCode)
    {
        var process = Systems.Values.SelectMany(s => s.Processes.Values).Single(p => p.Pid == pid);
        process.Exit(exitCode);
        var data = ProcessStatusJson(process);
        var callbacks = process.CallbacksSnapshot();
        RunElsewhere(() => { foreach (var cb in callbacks) cb(new HcsEvent(HcsEventType.ProcessExited, data)); });
    }

    /// <summary>Stops system <paramref name="id"/> as HCS does when its init exits: every process exits, then
    /// HcsEventSystemExited with a SystemExitStatus document.</summary>
    public void StopSystem(string id, string exitType = "GracefulExit", int status = 0)
    {
        var system = Systems[id];
        foreach (var p in system.Processes.Values.Where(p => !p.Exited)) ExitProcess(p.Pid, 1);
        system.State = FakeState.Stopped;
        RaiseSystemEvent(id, HcsEventType.SystemExited, $$"""{"Status":{{status}},"ExitType":"{{exitType}}"}""");
    }

    // --- IComputeCore ---------------------------------------------------------------------------------------------

    /// <inheritdoc/>
    public HcsOperationHandle CreateOperation(Action completed)
    {
        var handle = new HcsOperationHandle();
        if (FailCreateOperation) { Record("HcsCreateOperation"); return handle; }
        var value = Open("operation", "HcsCreateOperation");
        _operations[value] = new FakeOperation(value, completed);
        handle.AttachFake(value, v => { _operations.TryRemove(v, out _); Close(v, "HcsCloseOperation"); });
        return handle;
    }

    /// <inheritdoc/>
    public int CancelOperation(HcsOperationHandle operation)
    {
        Record("HcsCancelOperation");
        if (_operations.TryGetValue(operation.DangerousGetHandle(), out var op)) op.Cancelled = true;
        return HcsErrors.S_OK;
    }

    /// <inheritdoc/>
    public int GetOperationResult(HcsOperationHandle operation, out string? resultDocument)
    {
        Record("HcsGetOperationResult");
        var op = _operations[operation.DangerousGetHandle()];
        if (!op.Completed) { resultDocument = null; return HcsErrors.HCS_E_OPERATION_PENDING; }
        resultDocument = op.Document;
        return op.Result;
    }

    /// <inheritdoc/>
    public int GetOperationResultAndProcessInfo(HcsOperationHandle operation, out HcsProcessInformation processInformation, out string? resultDocument)
    {
        Record("HcsGetOperationResultAndProcessInfo");
        var op = _operations[operation.DangerousGetHandle()];
        resultDocument = op.Document;
        if (!op.Completed) { processInformation = new(0, null, null, null); return HcsErrors.HCS_E_OPERATION_PENDING; }
        if (HcsErrors.Failed(op.Result) || op.Process is null) { processInformation = new(0, null, null, null); return op.Result; }
        processInformation = new HcsProcessInformation(op.Process.Pid, Stdio(), Stdio(), Stdio());
        return op.Result;
    }

    /// <inheritdoc/>
    public int CreateComputeSystem(string id, string configuration, HcsOperationHandle operation, out HcsSystemHandle computeSystem)
    {
        computeSystem = new HcsSystemHandle();
        if (Begin("HcsCreateComputeSystem", id, out var hr)) return hr;
        var exists = !Systems.TryAdd(id, new FakeSystem(id) { Configuration = configuration });
        var failure = OperationFailure("HcsCreateComputeSystem");
        if (!exists && failure is not null) Systems.TryRemove(id, out _);
        AttachSystem(computeSystem, id);
        Start(operation, "HcsCreateComputeSystem",
            exists ? (HcsErrors.HCS_E_SYSTEM_ALREADY_EXISTS, null) : failure);
        return HcsErrors.S_OK;
    }

    /// <inheritdoc/>
    public int OpenComputeSystem(string id, out HcsSystemHandle computeSystem)
    {
        computeSystem = new HcsSystemHandle();
        if (Begin("HcsOpenComputeSystem", id, out var hr)) return hr;
        if (!Systems.ContainsKey(id)) return HcsErrors.HCS_E_SYSTEM_NOT_FOUND;
        AttachSystem(computeSystem, id);
        return HcsErrors.S_OK;
    }

    /// <inheritdoc/>
    public int EnumerateComputeSystems(string? query, HcsOperationHandle operation)
    {
        if (Begin("HcsEnumerateComputeSystems", query, out var hr)) return hr;
        var list = string.Join(",", Systems.Values.OrderBy(s => s.Id, StringComparer.Ordinal)
            .Select(s => $$"""{"Id":"{{s.Id}}","SystemType":"Container","State":"{{s.State}}"}"""));
        Start(operation, "HcsEnumerateComputeSystems", OperationFailure("HcsEnumerateComputeSystems"), "[" + list + "]");
        return HcsErrors.S_OK;
    }

    /// <inheritdoc/>
    public int StartComputeSystem(HcsSystemHandle computeSystem, HcsOperationHandle operation, string? options) =>
        Transition("HcsStartComputeSystem", computeSystem, operation, s => s.State switch
        {
            FakeState.Created => (FakeState.Running, HcsErrors.S_OK),
            _ => (s.State, HcsErrors.HCS_E_INVALID_STATE),
        });

    /// <inheritdoc/>
    public int ShutDownComputeSystem(HcsSystemHandle computeSystem, HcsOperationHandle operation, string? options) =>
        Transition("HcsShutDownComputeSystem", computeSystem, operation, s => s.State == FakeState.Stopped
            ? (s.State, HcsErrors.HCS_E_SYSTEM_ALREADY_STOPPED) : (FakeState.Stopped, HcsErrors.S_OK), exitsSystem: true);

    /// <inheritdoc/>
    public int TerminateComputeSystem(HcsSystemHandle computeSystem, HcsOperationHandle operation, string? options) =>
        Transition("HcsTerminateComputeSystem", computeSystem, operation, s => s.State == FakeState.Stopped
            ? (s.State, HcsErrors.HCS_E_SYSTEM_ALREADY_STOPPED) : (FakeState.Stopped, HcsErrors.S_OK), exitsSystem: true, exitType: "ForcedExit");

    /// <inheritdoc/>
    public int PauseComputeSystem(HcsSystemHandle computeSystem, HcsOperationHandle operation, string? options) =>
        Transition("HcsPauseComputeSystem", computeSystem, operation, s => s.State == FakeState.Running
            ? (FakeState.Paused, HcsErrors.S_OK) : (s.State, HcsErrors.HCS_E_INVALID_STATE));

    /// <inheritdoc/>
    public int ResumeComputeSystem(HcsSystemHandle computeSystem, HcsOperationHandle operation, string? options) =>
        Transition("HcsResumeComputeSystem", computeSystem, operation, s => s.State == FakeState.Paused
            ? (FakeState.Running, HcsErrors.S_OK) : (s.State, HcsErrors.HCS_E_INVALID_STATE));

    /// <inheritdoc/>
    public int GetComputeSystemProperties(HcsSystemHandle computeSystem, HcsOperationHandle operation, string? propertyQuery)
    {
        var system = SystemOf(computeSystem);
        if (Begin("HcsGetComputeSystemProperties", system.Id, out var hr)) return hr;
        system.LastPropertyQuery = propertyQuery;
        var processes = string.Join(",", system.Processes.Values.Where(p => !p.Exited).Select(p => $$"""{"ProcessId":{{p.Pid}}}"""));
        Start(operation, "HcsGetComputeSystemProperties", OperationFailure("HcsGetComputeSystemProperties"),
            $$"""{"Id":"{{system.Id}}","State":"{{system.State}}","Stopped":{{(system.State == FakeState.Stopped ? "true" : "false")}},"ProcessList":[{{processes}}]{{(system.Statistics is { } stats && propertyQuery?.Contains("Statistics", StringComparison.Ordinal) == true ? ",\"Statistics\":" + stats : "")}}}""");
        return HcsErrors.S_OK;
    }

    /// <inheritdoc/>
    public int ModifyComputeSystem(HcsSystemHandle computeSystem, HcsOperationHandle operation, string configuration)
    {
        var system = SystemOf(computeSystem);
        if (Begin("HcsModifyComputeSystem", system.Id, out var hr)) return hr;
        var failure = OperationFailure("HcsModifyComputeSystem");
        if (failure is null) system.Modifications.Add(configuration);
        Start(operation, "HcsModifyComputeSystem", failure);
        return HcsErrors.S_OK;
    }

    /// <inheritdoc/>
    public int SetComputeSystemCallback(HcsSystemHandle computeSystem, Action<HcsEvent> callback)
    {
        var system = SystemOf(computeSystem);
        if (Begin("HcsSetComputeSystemCallback", system.Id, out var hr)) return hr;
        system.SetCallback(computeSystem.DangerousGetHandle(), callback);
        return HcsErrors.S_OK;
    }

    /// <inheritdoc/>
    public int CreateProcess(HcsSystemHandle computeSystem, string processParameters, HcsOperationHandle operation, out HcsProcessHandle process)
    {
        process = new HcsProcessHandle();
        var system = SystemOf(computeSystem);
        if (Begin("HcsCreateProcess", system.Id, out var hr)) return hr;
        var failure = OperationFailure("HcsCreateProcess");
        if (failure is null && system.State != FakeState.Running) failure = (HcsErrors.HCS_E_INVALID_STATE, null);
        FakeProcess? created = null;
        if (failure is null)
        {
            created = new FakeProcess(Interlocked.Increment(ref _nextPid), processParameters);
            system.Processes[created.Pid] = created;
            if (ProcessesExitImmediately) created.Exit(0);
        }
        var value = Open("process", null);
        var p = created;
        process.AttachFake(value, v => { p?.RemoveCallback(v); Close(v, "HcsCloseProcess"); });
        if (created is not null) created.Handles.Add(value);
        _ = Start(operation, "HcsCreateProcess", failure, process: created);
        return HcsErrors.S_OK;
    }

    /// <inheritdoc/>
    public int GetProcessInfo(HcsProcessHandle process, HcsOperationHandle operation)
    {
        var p = ProcessOf(process);
        if (Begin("HcsGetProcessInfo", p.Pid.ToString(), out var hr)) return hr;
        Start(operation, "HcsGetProcessInfo", OperationFailure("HcsGetProcessInfo"), process: p);
        return HcsErrors.S_OK;
    }

    /// <inheritdoc/>
    public int SignalProcess(HcsProcessHandle process, HcsOperationHandle operation, string? options) =>
        ProcessCall("HcsSignalProcess", process, operation, options, p => p.Signals.Add(options ?? ""));

    /// <inheritdoc/>
    public int TerminateProcess(HcsProcessHandle process, HcsOperationHandle operation, string? options) =>
        ProcessCall("HcsTerminateProcess", process, operation, options, p => { p.Terminated = true; ExitProcess(p.Pid, 1); });

    /// <inheritdoc/>
    public int GetProcessProperties(HcsProcessHandle process, HcsOperationHandle operation, string? propertyQuery)
    {
        var p = ProcessOf(process);
        if (Begin("HcsGetProcessProperties", p.Pid.ToString(), out var hr)) return hr;
        Start(operation, "HcsGetProcessProperties", OperationFailure("HcsGetProcessProperties"), ProcessStatusJson(p));
        return HcsErrors.S_OK;
    }

    /// <inheritdoc/>
    public int ModifyProcess(HcsProcessHandle process, HcsOperationHandle operation, string settings) =>
        ProcessCall("HcsModifyProcess", process, operation, settings, p => p.Modifications.Add(settings));

    /// <inheritdoc/>
    public int SetProcessCallback(HcsProcessHandle process, Action<HcsEvent> callback)
    {
        var p = ProcessOf(process);
        if (Begin("HcsSetProcessCallback", p.Pid.ToString(), out var hr)) return hr;
        p.SetCallback(process.DangerousGetHandle(), callback);
        return HcsErrors.S_OK;
    }

    // --- machinery ------------------------------------------------------------------------------------------------

    private int Transition(string function, HcsSystemHandle handle, HcsOperationHandle operation,
        Func<FakeSystem, (FakeState Next, int Hr)> rule, bool exitsSystem = false, string exitType = "GracefulExit")
    {
        var system = SystemOf(handle);
        if (Begin(function, system.Id, out var hr)) return hr;
        var failure = OperationFailure(function);
        bool hangs;
        lock (_gate) hangs = _neverComplete.Contains(function);
        if (failure is null && !hangs)
        {
            var (next, result) = rule(system);
            if (HcsErrors.Failed(result)) failure = (result, null);
            else
            {
                var wasStopped = system.State == FakeState.Stopped;
                system.State = next;
                if (exitsSystem && !wasStopped) StopSystem(system.Id, exitType);
            }
        }
        Start(operation, function, failure);
        return HcsErrors.S_OK;
    }

    private int ProcessCall(string function, HcsProcessHandle process, HcsOperationHandle operation, string? argument, Action<FakeProcess> effect)
    {
        var p = ProcessOf(process);
        if (Begin(function, p.Pid.ToString(), out var hr)) return hr;
        var failure = OperationFailure(function);
        if (failure is null && p.Exited && function != "HcsModifyProcess") failure = (HcsErrors.HCS_E_PROCESS_ALREADY_STOPPED, null);
        if (failure is null) effect(p);
        Start(operation, function, failure);
        return HcsErrors.S_OK;
    }

    /// <summary>Records the call; true (with the HRESULT) when the test made it fail synchronously.</summary>
    private bool Begin(string function, string? subject, out int hr)
    {
        Record(subject is null ? function : $"{function}({subject})");
        lock (_gate) return _callFailures.TryGetValue(function, out hr);
    }

    private (int Hr, string? Document)? OperationFailure(string function)
    {
        lock (_gate) return _operationFailures.TryGetValue(function, out var f) ? f : null;
    }

    private FakeOperation Start(HcsOperationHandle handle, string function, (int Hr, string? Document)? failure,
        string? document = null, FakeProcess? process = null)
    {
        var op = _operations[handle.DangerousGetHandle()];
        op.Function = function;
        op.Process = process;
        lock (_gate)
        {
            op.Result = failure?.Hr ?? HcsErrors.S_OK;
            op.Document = failure is not null ? failure.Value.Document
                : _resultDocuments.TryGetValue(function, out var doc) ? doc : document;
            if (_neverComplete.Contains(function)) return op;
            if (_manual.Contains(function)) { _pendingManual.Add(op); return op; }
        }
        FireCompletion(op);
        return op;
    }

    private static void FireCompletion(FakeOperation op) => ThreadPool.UnsafeQueueUserWorkItem(_ =>
    {
        op.CompletedOnThread = Environment.CurrentManagedThreadId;
        op.Completed = true;
        op.Callback();
    }, null);

    private static void RunElsewhere(Action action)
    {
        var thread = new Thread(() => action()) { IsBackground = true };
        thread.Start();
        thread.Join();
    }

    private void AttachSystem(HcsSystemHandle handle, string id)
    {
        var value = Open("system", null);
        handle.AttachFake(value, v =>
        {
            if (Systems.TryGetValue(id, out var s)) s.RemoveCallback(v);
            Close(v, $"HcsCloseComputeSystem({id})");
        });
        _handleSystems[value] = id;
    }

    private readonly ConcurrentDictionary<nint, string> _handleSystems = new();

    private FakeSystem SystemOf(HcsSystemHandle handle) => Systems[_handleSystems[handle.DangerousGetHandle()]];

    private FakeProcess ProcessOf(HcsProcessHandle handle) =>
        Systems.Values.SelectMany(s => s.Processes.Values).Single(p => p.Handles.Contains(handle.DangerousGetHandle()));

    private nint Open(string kind, string? function)
    {
        lock (_gate)
        {
            var value = _next++;
            _open[value] = kind;
            HandlesOpened++;
            if (function is not null) _calls.Add(function);
            return value;
        }
    }

    private void Close(nint value, string function)
    {
        lock (_gate)
        {
            if (!_open.Remove(value)) throw new InvalidOperationException($"handle 0x{value:X} closed twice");
            _calls.Add(function);
        }
    }

    private void Record(string call) { lock (_gate) _calls.Add(call); }

    private SafeFileHandle? Stdio()
    {
        if (!GiveStdio) return null;
        var h = File.OpenHandle("/dev/null", FileMode.Open, FileAccess.ReadWrite);
        lock (_gate) _stdio.Add(h);
        return h;
    }

    private static string ProcessStatusJson(FakeProcess p) =>
        $$"""{"ProcessId":{{p.Pid}},"Exited":{{(p.Exited ? "true" : "false")}},"ExitCode":{{(uint)p.ExitCode}}}""";

    /// <summary>The JSON of a process's parameters, for assertions.</summary>
    public static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();
}

/// <summary>One operation the fake has handed out.</summary>
public sealed class FakeOperation(nint value, Action callback)
{
    /// <summary>Its handle value.</summary>
    public nint Value { get; } = value;
    /// <summary>The completion callback HCS would call.</summary>
    public Action Callback { get; } = callback;
    /// <summary>The function it tracks.</summary>
    public string? Function { get; set; }
    /// <summary>Its outcome.</summary>
    public int Result { get; set; }
    /// <summary>Its result document.</summary>
    public string? Document { get; set; }
    /// <summary>Whether it has completed.</summary>
    public volatile bool Completed;
    /// <summary>Whether HcsCancelOperation was called on it.</summary>
    public bool Cancelled { get; set; }
    /// <summary>The thread its completion ran on.</summary>
    public int CompletedOnThread { get; set; }
    /// <summary>The process it created, for HcsCreateProcess.</summary>
    public FakeProcess? Process { get; set; }
}

/// <summary>A system state in the fake's model.</summary>
public enum FakeState
{
    /// <summary>Created, not started.</summary>
    Created,
    /// <summary>Running.</summary>
    Running,
    /// <summary>Paused.</summary>
    Paused,
    /// <summary>Stopped.</summary>
    Stopped,
}

/// <summary>Base of the fake's objects that take event callbacks (one per open handle).</summary>
public abstract class FakeCallbackOwner
{
    private readonly Dictionary<nint, Action<HcsEvent>> _callbacks = [];

    /// <summary>Registers the callback of handle <paramref name="handle"/>.</summary>
    public void SetCallback(nint handle, Action<HcsEvent> callback) { lock (_callbacks) _callbacks[handle] = callback; }
    /// <summary>Unregisters it (the handle closed).</summary>
    public void RemoveCallback(nint handle) { lock (_callbacks) _callbacks.Remove(handle); }
    /// <summary>The registered callbacks.</summary>
    public List<Action<HcsEvent>> CallbacksSnapshot() { lock (_callbacks) return [.. _callbacks.Values]; }
    /// <summary>How many callbacks are registered.</summary>
    public int CallbackCount { get { lock (_callbacks) return _callbacks.Count; } }
}

/// <summary>A system in the fake's model.</summary>
public sealed class FakeSystem(string id) : FakeCallbackOwner
{
    /// <summary>Its id.</summary>
    public string Id { get; } = id;
    /// <summary>Its state.</summary>
    public FakeState State { get; set; }
    /// <summary>The document it was created from.</summary>
    public string? Configuration { get; set; }
    /// <summary>The last property query.</summary>
    public string? LastPropertyQuery { get; set; }
    /// <summary>The Statistics object (JSON) its properties answer with when asked for them; null: none.</summary>
    public string? Statistics { get; set; }
    /// <summary>Every HcsModifyComputeSystem document, in order.</summary>
    public List<string> Modifications { get; } = [];
    /// <summary>Its processes, by pid.</summary>
    public ConcurrentDictionary<uint, FakeProcess> Processes { get; } = new();
}

/// <summary>A process in the fake's model.</summary>
public sealed class FakeProcess(uint pid, string parameters) : FakeCallbackOwner
{
    /// <summary>Its pid.</summary>
    public uint Pid { get; } = pid;
    /// <summary>The ProcessParameters document it was created from.</summary>
    public string Parameters { get; } = parameters;
    /// <summary>The handle values that refer to it.</summary>
    public HashSet<nint> Handles { get; } = [];
    /// <summary>Whether it has exited.</summary>
    public bool Exited { get; private set; }
    /// <summary>Its exit code.</summary>
    public int ExitCode { get; private set; }
    /// <summary>Every HcsSignalProcess options document.</summary>
    public List<string> Signals { get; } = [];
    /// <summary>Every HcsModifyProcess document.</summary>
    public List<string> Modifications { get; } = [];
    /// <summary>Whether HcsTerminateProcess was called.</summary>
    public bool Terminated { get; set; }
    /// <summary>Marks it exited.</summary>
    public void Exit(int code) { Exited = true; ExitCode = code; }
}
