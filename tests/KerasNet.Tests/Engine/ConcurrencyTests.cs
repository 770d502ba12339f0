using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using KerasNet.Engine;

namespace KerasNet.Tests.Engine;

/// <summary>
/// Several threads calling the engine at once: while one holds the worker pool the others run their parts themselves,
/// with their own per-thread scratch and jobs, and the fixed partition makes every result bit-identical to the same
/// call made alone. Also: a kernel re-entered from its own callback, and no caller object kept by the shared pool.
/// </summary>
[Collection("Engine")]
public class ConcurrencyTests
{
    private static readonly IBackend Be = new CpuBackend();

    /// <summary>One call with fixed inputs; <see cref="Bind"/> gives a thread its own outputs (and workspace) for it.</summary>
    private sealed record Op(string Name, Func<Func<float[]>> Bind);

    private static Op GemmOp(int m, int n, int k, bool ta, bool tb, int seed)
    {
        var a = EngineTestUtil.Random(m * k, seed); var b = EngineTestUtil.Random(k * n, seed + 1);
        return new($"gemm {m}x{n}x{k} ta={ta} tb={tb}", () =>
        {
            var c = new float[m * n];
            return () => { Be.Gemm(ta, tb, m, n, k, a, ta ? m : k, b, tb ? k : n, c, n, false); return c; };
        });
    }

    private static Op DenseOp(int rows, int inDim, int units, ActivationKind act, int seed)
    {
        var x = EngineTestUtil.Random(rows * inDim, seed); var w = EngineTestUtil.Random(inDim * units, seed + 1, 0.1f);
        var bias = EngineTestUtil.Random(units, seed + 2, 0.1f);
        return new($"dense {rows}x{inDim}->{units} {act}", () =>
        {
            var y = new float[rows * units];
            return () => { Be.DenseForward(rows, inDim, units, x, w, bias, act, y); return y; };
        });
    }

    private static Op ConvOp(ConvGeometry g, int f, bool workspace, int seed)
    {
        var x = EngineTestUtil.Random(g.Batch * g.InH * g.InW * g.InC, seed); var w = EngineTestUtil.Random(g.Cols * f, seed + 1);
        var bias = EngineTestUtil.Random(f, seed + 2); var dy = EngineTestUtil.Random(g.Rows * f, seed + 3);
        return new($"conv {g} f={f} workspace={workspace}", () =>
        {
            var ws = workspace ? new ConvWorkspace() : null;
            var y = new float[g.Rows * f]; var dw = new float[g.Cols * f]; var dx = new float[x.Length];
            var all = new float[y.Length + dw.Length + dx.Length];
            return () =>
            {
                // Forward (unfolding into the workspace, or this thread's scratch), then both gradients.
                Be.Conv2DForward(g, x, w, bias, ActivationKind.Relu, f, y, ws);
                Be.Conv2DBackwardFilter(g, x, dy, f, dw, ws);
                Be.Conv2DBackwardInput(g, dy, w, f, dx);
                y.CopyTo(all, 0); dw.CopyTo(all, y.Length); dx.CopyTo(all, y.Length + dw.Length);
                return all;
            };
        });
    }

    private static Op PlainConvOp(ConvGeometry g, int f, int seed)
    {
        var x = EngineTestUtil.Random(g.Batch * g.InH * g.InW * g.InC, seed); var w = EngineTestUtil.Random(g.Cols * f, seed + 1);
        return new($"conv {g} f={f}", () =>
        {
            var y = new float[g.Rows * f];
            return () => { Be.Conv2DForward(g, x, w, f, y); return y; };
        });
    }

    private static Op FusedDenseBackwardOp(int rows, int inDim, int units, int seed)
    {
        var x = EngineTestUtil.Random(rows * inDim, seed); var dy = EngineTestUtil.Random(rows * units, seed + 1);
        var w0 = EngineTestUtil.Random(inDim * units, seed + 2, 0.1f);
        return new($"dense backward fused {rows}x{inDim}->{units}", () =>
        {
            var w = new float[w0.Length]; var dx = new float[x.Length];
            var m = new float[w.Length]; var v = new float[w.Length];
            var adam = new AdamRowUpdate(m, v);
            adam.SetStep(1e-3f, 0.1f, 0.001f, 1e-7f);
            var all = new float[dx.Length + w.Length];
            return () =>
            {
                // Fresh weights and slots each time, so every call repeats the same Adam step.
                w0.CopyTo(w, 0); Array.Clear(m); Array.Clear(v);
                Be.DenseBackwardFused(rows, inDim, units, x, dy, w, dx, adam);
                dx.CopyTo(all, 0); w.CopyTo(all, dx.Length);
                return all;
            };
        });
    }

    private static Op[] Ops() =>
    [
        GemmOp(300, 288, 32, false, false, 1),     // row blocks, ragged last panel packed
        GemmOp(27, 32, 6000, true, false, 3),      // inner-dimension split into per-part partial sums
        GemmOp(8, 3137, 40, false, false, 5),      // few rows: B streamed
        GemmOp(5, 70, 64, false, true, 7),         // few rows, transposed B: dot products
        GemmOp(40, 70, 64, true, true, 9),         // transposed B packed into panels
        GemmOp(20, 1024, 16, false, false, 11),    // split by column panels
        DenseOp(1, 600, 1000, ActivationKind.Relu, 13),
        DenseOp(8, 300, 777, ActivationKind.Softmax, 15),
        DenseOp(33, 129, 65, ActivationKind.Sigmoid, 17),
        PlainConvOp(ConvGeometry.Create(4, 20, 20, 3, 3, 3, 1, 1, "valid"), 32, 19),
        PlainConvOp(ConvGeometry.Create(2, 9, 9, 16, 1, 1, 1, 1, "valid"), 24, 21),
        ConvOp(ConvGeometry.Create(4, 18, 18, 3, 3, 3, 1, 1, "valid"), 32, workspace: true, 23),
        ConvOp(ConvGeometry.Create(2, 15, 13, 8, 3, 3, 2, 2, "same"), 16, workspace: false, 25),
        FusedDenseBackwardOp(8, 200, 300, 27),
        FusedDenseBackwardOp(3, 101, 67, 29),
    ];

    [Fact]
    public void EightThreadsGetTheResultsOfTheSameCallsMadeAlone()
    {
        var ops = Ops();
        var expected = ops.Select(op => (float[])op.Bind()().Clone()).ToArray();
        const int threads = 8, rounds = 4;
        var failures = new ConcurrentQueue<string>();
        var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            try
            {
                var bound = ops.Select(op => op.Bind()).ToArray();
                var rng = new Random(t);
                start.SignalAndWait();
                for (int r = 0; r < rounds; r++)
                    foreach (int i in Enumerable.Range(0, ops.Length).OrderBy(_ => rng.Next()))
                        if (!bound[i]().AsSpan().SequenceEqual(expected[i])) failures.Enqueue($"thread {t}, round {r}: {ops[i].Name}");
            }
            catch (Exception e) { failures.Enqueue($"thread {t}: {e}"); }
        })).ToArray();
        foreach (var w in workers) w.Start();
        foreach (var w in workers) Assert.True(w.Join(TimeSpan.FromMinutes(2)), "a thread did not finish");
        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(20)));
    }

    /// <summary>
    /// A weight update that itself runs a fused dense pass and a dense forward on the same thread (caller code may call
    /// the engine from <see cref="IWeightUpdate.Update"/>); then plain SGD on its range.
    /// </summary>
    private sealed class ReentrantUpdate(bool reenter) : IWeightUpdate
    {
        private readonly float[] _x = EngineTestUtil.Random(4 * 40, 41), _dy = EngineTestUtil.Random(4 * 50, 42);
        // Per thread: the update runs on the pool's workers too, and their inner passes must not share outputs.
        private readonly ThreadLocal<float[]> _w = new(() => EngineTestUtil.Random(40 * 50, 43)), _y = new(() => new float[4 * 50]);

        public void Update(int offset, Span<float> w, ReadOnlySpan<float> g)
        {
            if (reenter)
            {
                var inner = _w.Value!;
                Be.DenseBackwardFused(4, 40, 50, _x, _dy, inner, new float[4 * 40], new SgdUpdate());
                Be.DenseForward(4, 40, 50, _x, inner, null, ActivationKind.Relu, _y.Value!);
            }
            for (int i = 0; i < w.Length; i++) w[i] -= 0.01f * g[i];
        }
    }

    private sealed class SgdUpdate : IWeightUpdate
    {
        public void Update(int offset, Span<float> w, ReadOnlySpan<float> g)
        {
            for (int i = 0; i < w.Length; i++) w[i] -= 0.01f * g[i];
        }
    }

    [Theory]
    [InlineData(8, 513, 300)]
    [InlineData(13, 64, 33)]
    public void AFusedPassReenteredFromItsUpdateKeepsItsOwnState(int rows, int inDim, int units)
    {
        var x = EngineTestUtil.Random(rows * inDim, 1); var dy = EngineTestUtil.Random(rows * units, 2);
        var w0 = EngineTestUtil.Random(inDim * units, 3);
        float[] Run(bool reenter, out float[] dx)
        {
            var w = (float[])w0.Clone();
            dx = new float[x.Length];
            Be.DenseBackwardFused(rows, inDim, units, x, dy, w, dx, new ReentrantUpdate(reenter));
            return w;
        }
        var plain = Run(false, out var dxPlain);
        var nested = Run(true, out var dxNested);
        Assert.True(EngineTestUtil.BitEqual(plain, nested), "weights differ when the update re-enters the engine");
        Assert.True(EngineTestUtil.BitEqual(dxPlain, dxNested), "input gradient differs when the update re-enters the engine");
    }

    private sealed class Throwing : ParallelJob
    {
        public readonly float[] Payload = new float[1000];
        public override void Execute(int part, int start, int end)
        {
            if (part == 1) throw new InvalidOperationException("part 1 failed");
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (WeakReference job, WeakReference error) FailOnce()
    {
        var job = new Throwing();
        try { Threads.Run(job, 1000, 4); }
        catch (InvalidOperationException e) { return (new WeakReference(job), new WeakReference(e)); }
        throw new Xunit.Sdk.XunitException("the loop did not fail");
    }

    [Fact]
    public void AFailedLoopLeavesNoReferenceInTheSharedPool()
    {
        // The pool is process-wide; a job (with whatever caller buffers it holds) or its exception must not stay
        // reachable from it after the loop returns.
        var (job, error) = FailOnce();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(job.IsAlive, "the pool still references the job");
        Assert.False(error.IsAlive, "the pool still references the exception");
    }
}
