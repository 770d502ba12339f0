using KerasNet.Engine;

namespace KerasNet.Tests.Engine;

/// <summary>The worker pool: every index once, fixed partition, exceptions surface, nested and concurrent use.</summary>
public class ThreadsTests
{
    private sealed class Recorder(int n) : ParallelJob
    {
        public readonly int[] Hits = new int[n];
        public readonly int[] PartOf = new int[n];
        public Action<int>? Inner;

        public override void Execute(int part, int start, int end)
        {
            for (int i = start; i < end; i++) { Interlocked.Increment(ref Hits[i]); PartOf[i] = part; }
            Inner?.Invoke(part);
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 3)]
    [InlineData(1000, 8)]
    [InlineData(5, 8)]
    public void EveryIndexRunsOnceInItsFixedPart(int n, int parts)
    {
        var job = new Recorder(n);
        Threads.Run(job, n, parts);
        Assert.All(job.Hits, h => Assert.Equal(1, h));
        int used = Math.Min(parts, n);
        for (int p = 0; p < used; p++)
            for (int i = Threads.PartStart(n, p, used); i < Threads.PartStart(n, p + 1, used); i++) Assert.Equal(p, job.PartOf[i]);
    }

    [Fact]
    public void ExceptionsInAPartReachTheCaller()
    {
        var job = new Recorder(100) { Inner = p => { if (p == 1) throw new InvalidOperationException("part 1 failed"); } };
        var e = Assert.Throws<InvalidOperationException>(() => Threads.Run(job, 100, 4));
        Assert.Equal("part 1 failed", e.Message);
        // The pool is usable afterwards.
        var again = new Recorder(100);
        Threads.Run(again, 100, 4);
        Assert.All(again.Hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void NestedAndConcurrentLoopsComplete()
    {
        var inner = new Recorder[4];
        for (int i = 0; i < inner.Length; i++) inner[i] = new Recorder(50);
        var outer = new Recorder(4) { Inner = p => Threads.Run(inner[p], 50, 3) };
        Threads.Run(outer, 4, 4);
        Assert.All(inner, r => Assert.All(r.Hits, h => Assert.Equal(1, h)));

        var jobs = Enumerable.Range(0, 4).Select(_ => new Recorder(10_000)).ToArray();
        Parallel.For(0, jobs.Length, i => { for (int r = 0; r < 20; r++) { Array.Clear(jobs[i].Hits); Threads.Run(jobs[i], 10_000, 4); } });
        Assert.All(jobs, j => Assert.All(j.Hits, h => Assert.Equal(1, h)));
    }
}
