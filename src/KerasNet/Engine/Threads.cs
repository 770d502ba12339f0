#nullable enable
namespace KerasNet.Engine;

/// <summary>
/// A unit of parallel work: <see cref="Execute"/> is called once per part with that part's contiguous range.
/// Kernels keep one instance per calling thread and refill its fields, so a parallel loop allocates nothing; the
/// instance is taken out of its slot while in use (<see cref="Workspace.Rent{T}(ref T)"/>), so re-entering a kernel on
/// the same thread never refills a job that is still running.
/// </summary>
internal abstract class ParallelJob
{
    /// <summary>Runs part <paramref name="part"/> over [start, end).</summary>
    public abstract void Execute(int part, int start, int end);
}

/// <summary>
/// Splits loops over the machine's cores with a small pool of long-lived workers (the caller runs part 0).
/// Unlike Parallel.For it allocates nothing per call, and the partition of [0, n) into parts depends only on
/// n and the work estimate, never on which thread is free, so reductions over parts are bit-reproducible.
/// When the pool is already busy (nested or concurrent calls) the parts simply run on the calling thread.
/// </summary>
internal static class Threads
{
    private static int _count = DefaultCount();
    private static WorkerPool? _pool;
    private static readonly object Gate = new();

    /// <summary>Number of threads kernels split their work over (defaults to the processor count).</summary>
    public static int Count
    {
        get => _count;
        set => _count = Math.Max(1, value);
    }

    /// <summary>Approximate multiply-adds below which a loop is not split.</summary>
    public const long MinWorkPerThread = 131_072;

    /// <summary>
    /// Parts per thread for large loops. Threads claim parts as they come, so smaller parts mean that a thread the OS
    /// preempts (a busy machine) holds up less work; four keeps the claiming overhead negligible.
    /// </summary>
    public const int PartsPerThread = 4;

    /// <summary>How many parts a loop of n items costing <paramref name="costPerItem"/> each is split into.</summary>
    public static int PartsFor(int n, long costPerItem)
    {
        if (_count == 1) return 1;
        long parts = Math.Min((long)_count * PartsPerThread, Math.Max(1, n * Math.Max(1, costPerItem) / MinWorkPerThread));
        return (int)Math.Max(1, Math.Min(parts, n));
    }

    /// <summary>Start of part <paramref name="p"/> of <paramref name="parts"/> over [0, n).</summary>
    public static int PartStart(int n, int p, int parts) => (int)((long)n * p / parts);

    /// <summary>Runs <paramref name="job"/> over [0, n) split into <paramref name="parts"/> contiguous ranges.</summary>
    public static void Run(ParallelJob job, int n, int parts)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (n <= 0) return;
        parts = Math.Max(1, Math.Min(parts, n));
        if (parts == 1) { job.Execute(0, 0, n); return; }
        var pool = Pool(Math.Min(parts, _count) - 1);
        if (pool is null || !pool.TryEnter())
        {
            for (int p = 0; p < parts; p++) job.Execute(p, PartStart(n, p, parts), PartStart(n, p + 1, parts));
            return;
        }
        try { pool.Run(job, n, parts); }
        finally { pool.Exit(); }
    }

    /// <summary>Runs <paramref name="job"/> over [0, n) in as many parts as the work justifies.</summary>
    public static void For(int n, long costPerItem, ParallelJob job) => Run(job, n, PartsFor(n, costPerItem));

    /// <summary>
    /// Runs body(start, end) over [0, n) in contiguous ranges, one per thread, when the total work
    /// (n * costPerItem) justifies it. Convenient but allocates a closure; hot kernels use <see cref="ParallelJob"/>.
    /// </summary>
    public static void For(int n, long costPerItem, Action<int, int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        int parts = PartsFor(n, costPerItem);
        if (parts <= 1) { if (n > 0) body(0, n); return; }
        Run(new ActionJob(body), n, parts);
    }

    /// <summary>The processor count, or the KERASNET_THREADS environment variable when set to a positive integer.</summary>
    private static int DefaultCount() =>
        int.TryParse(Environment.GetEnvironmentVariable("KERASNET_THREADS"), out int n) && n > 0 ? n : Math.Max(1, Environment.ProcessorCount);

    private static WorkerPool? Pool(int workers)
    {
        var pool = _pool;
        if (pool != null && pool.Workers >= workers) return pool;
        lock (Gate)
        {
            if (_pool == null || _pool.Workers < workers)
            {
                _pool?.Retire();
                _pool = new WorkerPool(workers);
            }
            return _pool;
        }
    }

    private sealed class ActionJob(Action<int, int> body) : ParallelJob
    {
        public override void Execute(int part, int start, int end) => body(start, end);
    }
}
