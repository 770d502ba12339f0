#nullable enable
namespace KerasNet.Engine;

/// <summary>
/// Splits loops over the machine's cores. Work below <see cref="MinWorkPerThread"/> runs inline,
/// because waking a second core costs more than small loops save.
/// </summary>
public static class Threads
{
    private static int _count = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Number of threads kernels split their work over (defaults to the processor count).</summary>
    public static int Count
    {
        get => _count;
        set => _count = Math.Max(1, value);
    }

    /// <summary>Approximate multiply-adds below which a loop is not split.</summary>
    public const long MinWorkPerThread = 32_768;

    /// <summary>
    /// Runs body(start, end) over [0, n) in contiguous ranges, one per thread, when the total work
    /// (n * costPerItem) justifies it.
    /// </summary>
    public static void For(int n, long costPerItem, Action<int, int> body)
    {
        int parts = (int)Math.Min(_count, Math.Max(1, n * Math.Max(1, costPerItem) / MinWorkPerThread));
        parts = Math.Min(parts, n);
        if (parts <= 1)
        {
            if (n > 0) body(0, n);
            return;
        }
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, p =>
        {
            int start = (int)((long)n * p / parts), end = (int)((long)n * (p + 1) / parts);
            if (end > start) body(start, end);
        });
    }
}
