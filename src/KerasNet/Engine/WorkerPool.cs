#nullable enable
using System.Runtime.ExceptionServices;

namespace KerasNet.Engine;

/// <summary>
/// Background threads that wait for the next parallel loop. A worker spins briefly after each loop (training
/// steps issue kernels back to back, and waking a blocked thread costs tens of microseconds), then blocks on a
/// semaphore so that an idle model costs no CPU. One loop runs at a time (<see cref="TryEnter"/>).
/// Parts are claimed, not assigned: the caller keeps taking parts until none is left, so a worker that the OS has
/// not scheduled (a busy machine) delays nothing, and the fixed partition keeps results independent of who ran what.
/// </summary>
internal sealed class WorkerPool
{
    private const int SpinIterations = 20_000;

    private readonly Worker[] _workers;
    private int _busy;
    private ParallelJob? _job;
    private int _n, _parts, _done;
    // (parts << 32) | next unclaimed part, replaced in one write per loop so a late worker can never claim a part
    // of a loop it was not woken for with another loop's part count.
    private long _claims;
    private ExceptionDispatchInfo? _error;
    private volatile bool _retired;

    public WorkerPool(int workers)
    {
        _workers = new Worker[workers];
        for (int i = 0; i < workers; i++) _workers[i] = new Worker(this, i + 1);
    }

    public int Workers => _workers.Length;

    public bool TryEnter() => Interlocked.CompareExchange(ref _busy, 1, 0) == 0;

    public void Exit() => Volatile.Write(ref _busy, 0);

    /// <summary>Lets the workers finish and exit (a larger pool replaces this one).</summary>
    public void Retire()
    {
        _retired = true;
        foreach (var w in _workers) w.Wake();
    }

    /// <summary>Runs the parts on the caller and whichever workers wake in time.</summary>
    public void Run(ParallelJob job, int n, int parts)
    {
        _job = job; _n = n; _parts = parts; _error = null;
        Volatile.Write(ref _done, 0);
        Interlocked.Exchange(ref _claims, (long)parts << 32);
        int helpers = Math.Min(parts - 1, _workers.Length);
        for (int i = 0; i < helpers; i++) _workers[i].Wake();
        RunClaimedParts();
        var spin = new SpinWait();
        while (Volatile.Read(ref _done) < parts) spin.SpinOnce(sleep1Threshold: -1);
        // The pool is shared by every caller: keep neither the job (it may hold a caller's buffers) nor its exception.
        _job = null;
        var error = _error;
        _error = null;
        error?.Throw();
    }

    private void RunClaimedParts()
    {
        while (true)
        {
            long s = Volatile.Read(ref _claims);
            int next = (int)(s & 0xFFFFFFFF), parts = (int)(s >> 32);
            if (next >= parts) return;
            if (Interlocked.CompareExchange(ref _claims, s + 1, s) != s) continue;
            try { _job!.Execute(next, Threads.PartStart(_n, next, _parts), Threads.PartStart(_n, next + 1, _parts)); }
            catch (Exception e) { _error ??= ExceptionDispatchInfo.Capture(e); }
            Interlocked.Increment(ref _done);
        }
    }

    private sealed class Worker
    {
        private readonly WorkerPool _pool;
        private readonly SemaphoreSlim _signal = new(0);
        private int _generation, _sleeping;

        public Worker(WorkerPool pool, int part)
        {
            _pool = pool;
            // UnsafeStart: the worker must not capture the creating caller's ExecutionContext (its KerasContext).
            new Thread(Loop) { IsBackground = true, Name = $"KerasNet worker {part}" }.UnsafeStart();
        }

        /// <summary>Publishes a new loop and wakes the worker if it went to sleep.</summary>
        public void Wake()
        {
            Interlocked.Increment(ref _generation);
            if (Interlocked.Exchange(ref _sleeping, 0) == 1) _signal.Release();
        }

        private void Loop()
        {
            int seen = 0;
            while (true)
            {
                WaitFor(seen);
                seen = Volatile.Read(ref _generation);
                if (_pool._retired) return;
                _pool.RunClaimedParts();
            }
        }

        private void WaitFor(int seen)
        {
            for (int i = 0; i < SpinIterations; i++)
            {
                if (Volatile.Read(ref _generation) != seen) return;
                Thread.SpinWait(8);
            }
            Interlocked.Exchange(ref _sleeping, 1);
            if (Volatile.Read(ref _generation) == seen) { _signal.Wait(); return; }
            // Woken between the two checks: if Wake already took the flag it also released the semaphore.
            if (Interlocked.Exchange(ref _sleeping, 0) == 0) _signal.Wait();
        }
    }
}
