#nullable enable
using System.Runtime.InteropServices;
using KerasNet.Callbacks;

namespace KerasNet.ConsoleApp.Commands;

/// <summary>
/// SIGINT and SIGTERM during <c>train</c> and <c>fit</c>. The first signal is recorded (the process keeps running):
/// training stops at the end of the current batch (<see cref="StopCallback"/>), nothing of the run is moved into the
/// output, its temporary files are removed, and the command exits with 130 (SIGINT) or 143 (SIGTERM) after one line
/// saying so. The command looks for the signal only at safe points (<see cref="ThrowIfRequested"/>), never while the
/// output set is being moved in (a few renames), so the folder never holds half of two runs. A second signal exits at once, with the same
/// code; the temporary folder it may leave is removed by the next run (a dead writer's files).
/// </summary>
public sealed class Interruption : IDisposable
{
    private readonly List<PosixSignalRegistration> _registrations = new();
    private int _signal; // 0, or the signal number of the first signal
    private volatile Action? _onExit;

    private Interruption() { }

    /// <summary>Starts listening for SIGINT and SIGTERM (where the platform has them) until disposed.</summary>
    public static Interruption Install()
    {
        var i = new Interruption();
        foreach (var s in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
        {
            try { i._registrations.Add(PosixSignalRegistration.Create(s, i.Handle)); }
            catch (PlatformNotSupportedException) { }
        }
        return i;
    }

    /// <summary>An instance that never fires (library use, tests that call the tutorial directly).</summary>
    public static Interruption None { get; } = new();

    /// <summary>Whether a signal has come.</summary>
    public bool Requested => Volatile.Read(ref _signal) != 0;

    /// <summary>"SIGINT" or "SIGTERM".</summary>
    public string SignalName => Volatile.Read(ref _signal) == 15 ? "SIGTERM" : "SIGINT";

    /// <summary>The exit code for the signal: 128 + its number (130 for SIGINT, 143 for SIGTERM).</summary>
    public int ExitCode => 128 + (Volatile.Read(ref _signal) == 15 ? 15 : 2);

    /// <summary>Where training stood when it stopped ("epoch 3/50, batch 12/27"), set by <see cref="StopCallback"/>.</summary>
    public string? StoppedAt { get; private set; }

    /// <summary>Work to do before a second signal ends the process (removing this run's temporary folder).</summary>
    public void OnForcedExit(Action? cleanup) => _onExit = cleanup;

    /// <summary>Throws <see cref="InterruptedException"/> when a signal has come (a point where stopping is safe).</summary>
    public void ThrowIfRequested(string consequence)
    {
        if (Requested) throw new InterruptedException(this, consequence);
    }

    /// <summary>A callback for Fit that stops training at the end of the batch during which a signal came.</summary>
    public Callback StopCallback(int epochs) => new Stopper(this, epochs);

    private sealed class Stopper(Interruption owner, int epochs) : Callback
    {
        private int _epoch;

        public override void OnEpochBegin(int epoch, IDictionary<string, double> logs) => _epoch = epoch;

        public override void OnTrainBatchEnd(int batch, IDictionary<string, double> logs)
        {
            if (!owner.Requested || Model is null) return;
            Model.StopTraining = true;
            owner.StoppedAt ??= $"epoch {_epoch + 1}/{epochs}, batch {batch + 1}";
        }
    }

    private void Handle(PosixSignalContext context)
    {
        int number = context.Signal == PosixSignal.SIGTERM ? 15 : 2;
        if (Interlocked.CompareExchange(ref _signal, number, 0) == 0)
        {
            context.Cancel = true; // keep running: the command stops at its next safe point
            return;
        }
        // The second signal: out now (the exit code of the first).
        context.Cancel = true;
        try { _onExit?.Invoke(); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        Console.Error.WriteLine($"kerasnet: {SignalName} again: exiting at once.");
        Console.Error.Flush();
        Environment.Exit(ExitCode);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _registrations.Clear();
    }

}

/// <summary>A command stopped by SIGINT or SIGTERM; the app prints its one line and exits with <see cref="ExitCode"/>.</summary>
public sealed class InterruptedException : KerasNetException
{
    internal InterruptedException(Interruption source, string consequence)
        : base($"interrupted by {source.SignalName}{(source.StoppedAt is { } at ? $": stopped at the end of {at}" : "")}; {consequence}")
        => ExitCode = source.ExitCode;

    /// <summary>130 for SIGINT, 143 for SIGTERM.</summary>
    public int ExitCode { get; }
}
