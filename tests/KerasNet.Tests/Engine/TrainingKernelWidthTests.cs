using KerasNet.Engine;
using KerasNet.Engine.Kernels;

namespace KerasNet.Tests.Engine;

/// <summary>
/// The fused training kernels at each vector width this machine runs (AVX-512, AVX2 + FMA, SSE/AdvSimd), forced
/// in-process through Gemm.Width: the fused dense backward + optimizer step (row-pair pass up to 16 rows, blocked pass
/// above) gives the plain step's weights bit for bit on that width, the blocked pass matches double-precision loops,
/// and the vectorised max-pool backward equals the scalar routing. Gemm.Width is process-wide, so this class runs alone.
/// </summary>
[Collection(KerasNet.Tests.TestUtil.ProcessWideCollection.Name)]
public class TrainingKernelWidthTests
{
    public static TheoryData<int, string, int> StepCases
    {
        get
        {
            var d = new TheoryData<int, string, int>();
            foreach (int w in GemmWidthTests.Widths)
                foreach (var o in (string[])["adam", "sgd", "rmsprop", "sgd-clipvalue"])
                    foreach (int b in (int[])[1, 8, 13, 17, 64]) d.Add(w, o, b);
            return d;
        }
    }

    private static void At(int width, Action test)
    {
        var saved = Gemm.Width;
        try
        {
            Gemm.Width = (VectorWidth)width;
            test();
        }
        finally { Gemm.Width = saved; }
    }

    [Theory]
    [MemberData(nameof(StepCases))]
    public void FusedStepEqualsPlainStepBitForBitAtEachWidth(int width, string optimizer, int batch) => At(width, () =>
    {
        // Every batch size takes a fused pass at every width: the row-pair pass to 16 rows, the blocked one above.
        Assert.True(batch <= 16 ? Backend.Current.PrefersFusedDenseBackward(batch) : Backend.Current.PrefersBlockedDenseBackward(batch));
        FusedStepTests.AssertFusedEqualsPlain(optimizer, batch);
    });

    [Theory]
    [MemberData(nameof(GemmWidthTests.Widths), MemberType = typeof(GemmWidthTests))]
    public void BlockedDenseBackwardMatchesPlainLoopsAtEachWidth(int width) => At(width, () =>
    {
        // Ragged against every width's tile (6 or 8 kernel rows, 8 to 32 columns) and exact multiples of it.
        foreach (var (rows, inDim, units) in (ValueTuple<int, int, int>[])[(17, 37, 33), (64, 9, 70), (40, 1, 5), (33, 20, 1), (48, 24, 48), (100, 65, 31)])
            TrainingKernelTests.CheckBlocked(rows, inDim, units);
    });

    [Theory]
    [MemberData(nameof(GemmWidthTests.Widths), MemberType = typeof(GemmWidthTests))]
    public void BlockedInputGradientEqualsTheTransposedGemmBitForBitAtEachWidth(int width) => At(width, () =>
    {
        // The blocked pass replaced the GEMM with a transposed B for dX past 16 rows: same sums in the same order, so
        // seeded training on this width is what it was with the GEMM.
        foreach (var (rows, inDim, units) in (ValueTuple<int, int, int>[])[(17, 37, 33), (64, 100, 70), (33, 20, 1)])
        {
            var dy = EngineTestUtil.Random(rows * units, 2);
            var w = EngineTestUtil.Random(inDim * units, 3);
            var x = EngineTestUtil.Random(rows * inDim, 1);
            var blocked = new float[rows * inDim];
            var gemm = new float[rows * inDim];
            DenseBackwardBlocked.Run(rows, inDim, units, x, dy, w, blocked, null);
            Gemm.Run(false, true, rows, inDim, units, dy, units, w, units, gemm, inDim, false);
            Assert.True(EngineTestUtil.BitEqual(gemm, blocked), $"blocked dX differs from the GEMM's for {rows}x{inDim}x{units} at {(VectorWidth)width}");
        }
    });

    [Theory]
    [MemberData(nameof(GemmWidthTests.Widths), MemberType = typeof(GemmWidthTests))]
    public void VectorisedMaxPoolBackwardEqualsTheScalarRoutingAtEachWidth(int width) => At(width, () =>
    {
        // Pool 2 stride 2 with an odd edge (rows and columns no window covers), pool 3 stride 3 'same' (padded), and
        // channel counts that are whole vectors of some widths only (12: the 4-lane path; 8: 4 and 8 lanes).
        var cases = new[]
        {
            ConvGeometry.Create(2, 7, 5, 16, 2, 2, 2, 2, "valid"),
            ConvGeometry.Create(1, 8, 7, 32, 3, 3, 3, 3, "same"),
            ConvGeometry.Create(3, 4, 6, 8, 2, 2, 2, 2, "valid"),
            ConvGeometry.Create(1, 6, 6, 12, 2, 2, 2, 2, "same"),
        };
        var be = Backend.Current;
        foreach (var g in cases)
        {
            int inLen = g.Batch * g.InH * g.InW * g.InC, outLen = g.Batch * g.OutH * g.OutW * g.InC;
            var x = EngineTestUtil.Random(inLen, 11);
            var y = new float[outLen];
            var argmax = new int[outLen];
            be.MaxPoolForward(g, x, y, argmax);
            var dy = EngineTestUtil.Random(outLen, 12);
            var dx = EngineTestUtil.Random(inLen, 13); // stale values: every element must be overwritten
            var want = new float[inLen];
            PoolingBackward.Max(g, dy, argmax, dx);
            Pooling.MaxBackward(g, dy, argmax, want);
            Assert.True(EngineTestUtil.BitEqual(want, dx), $"max-pool backward differs from the scalar routing for {g} at {(VectorWidth)width}");
        }
    });
}
