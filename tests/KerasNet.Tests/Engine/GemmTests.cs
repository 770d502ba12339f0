using KerasNet.Engine;
using KerasNet.Engine.Kernels;

namespace KerasNet.Tests.Engine;

/// <summary>The SGEMM against a double-precision reference, for every transpose combination and ragged sizes.</summary>
public class GemmTests
{
    public static TheoryData<int, int, int> Sizes => new()
    {
        { 1, 1, 1 }, { 7, 13, 5 }, { 1, 3137, 64 }, { 8, 33, 40 }, { 8, 3137, 70 }, { 16, 100, 300 }, { 17, 31, 9 },
        { 27, 32, 5000 }, { 100, 32, 27 }, { 301, 288, 32 }, { 64, 65, 700 }, { 9, 1, 2100 }, { 3, 2, 2500 },
        // Wide plain B packed block by block: several kc ranges, several blocks of panels, a ragged last panel.
        { 33, 700, 1400 }, { 17, 129, 650 },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void EveryTransposeMatchesDoubleReference(int m, int n, int k) => CheckAll(m, n, k, width: null);

    /// <summary>Every transpose and accumulate combination, at the process's width (null) or a forced narrower one.</summary>
    internal static void CheckAll(int m, int n, int k, VectorWidth? width)
    {
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                foreach (bool acc in new[] { false, true })
                    Check(m, n, k, ta, tb, acc, width);
    }

    [Theory]
    [InlineData(8, 3137, 40, false, false)]   // streaming small-batch path
    [InlineData(300, 32, 27, false, false)]   // row-blocked path
    [InlineData(27, 33, 3000, true, false)]   // inner-dimension split
    [InlineData(5, 70, 64, false, true)]      // dot-product path
    [InlineData(40, 70, 64, true, true)]      // packed transposed B
    public void BiasAndReluEpilogueMatchesSeparatePasses(int m, int n, int k, bool ta, bool tb)
    {
        var a = EngineTestUtil.Random(m * k, 11); var b = EngineTestUtil.Random(k * n, 12);
        var bias = EngineTestUtil.Random(n, 13, 0.3f);
        var fused = new float[m * n]; var plain = new float[m * n];
        Gemm.Run(ta, tb, m, n, k, a, ta ? m : k, b, tb ? k : n, fused, n, false, bias, relu: true);
        Gemm.Run(ta, tb, m, n, k, a, ta ? m : k, b, tb ? k : n, plain, n, false);
        for (int i = 0; i < plain.Length; i++) plain[i] = MathF.Max(plain[i] + bias[i % n], 0f);
        Assert.True(EngineTestUtil.BitEqual(plain, fused), "epilogue differs from GEMM + bias + ReLU");
        Assert.Contains(fused, v => v == 0f);
        Assert.Contains(fused, v => v > 0f);
    }

    [Fact]
    public void LeadingDimensionsLargerThanTheMatrices()
    {
        // A sub-block of bigger arrays: columns beyond n must be left untouched.
        int m = 11, n = 40, k = 37, lda = 50, ldb = 45, ldc = 47;
        var a = EngineTestUtil.Random(m * lda, 1); var b = EngineTestUtil.Random(k * ldb, 2);
        var c = EngineTestUtil.Random(m * ldc, 3); var c0 = (float[])c.Clone();
        Gemm.Run(false, false, m, n, k, a, lda, b, ldb, c, ldc, false);
        var (want, mag) = Reference(false, false, m, n, k, a, lda, b, ldb, c0, ldc, false);
        for (int i = 0; i < m; i++)
        {
            EngineTestUtil.AssertClose(want.AsSpan(i * n, n), mag.AsSpan(i * n, n), c.AsSpan(i * ldc, n), 1e-5, $"row {i}");
            Assert.True(c.AsSpan(i * ldc + n, ldc - n).SequenceEqual(c0.AsSpan(i * ldc + n, ldc - n)), "padding columns changed");
        }
    }

    [Fact]
    public void RepeatedRunsAreBitIdentical()
    {
        // The inner-dimension split (weight gradients) and the column split must not depend on thread timing.
        foreach (var (m, n, k, ta) in new[] { (27, 32, 30752, true), (8, 3137, 1152, false), (288, 32, 6728, true) })
        {
            var a = EngineTestUtil.Random(m * k, 4); var b = EngineTestUtil.Random(k * n, 5);
            var c1 = new float[m * n]; var c2 = new float[m * n];
            Gemm.Run(ta, false, m, n, k, a, ta ? m : k, b, n, c1, n, false);
            for (int r = 0; r < 3; r++)
            {
                Gemm.Run(ta, false, m, n, k, a, ta ? m : k, b, n, c2, n, false);
                Assert.True(EngineTestUtil.BitEqual(c1, c2), $"{m}x{n}x{k} differs between runs");
            }
        }
    }

    internal static void Check(int m, int n, int k, bool ta, bool tb, bool acc, VectorWidth? width)
    {
        int lda = ta ? m : k, ldb = tb ? k : n;
        var a = EngineTestUtil.Random(m * k, m * 31 + k); var b = EngineTestUtil.Random(k * n, n * 17 + k);
        var c = EngineTestUtil.Random(m * n, 7); var c0 = (float[])c.Clone();
        var saved = Gemm.Width;
        if (width is null) Gemm.Run(ta, tb, m, n, k, a, lda, b, ldb, c, n, acc); // as configured: no process-wide switch
        else
        {
            try
            {
                Gemm.Width = width.Value;
                Gemm.Run(ta, tb, m, n, k, a, lda, b, ldb, c, n, acc);
            }
            finally { Gemm.Width = saved; }
        }
        var (want, mag) = Reference(ta, tb, m, n, k, a, lda, b, ldb, c0, n, acc);
        EngineTestUtil.AssertClose(want, mag, c, 1e-5, $"gemm {m}x{n}x{k} transA={ta} transB={tb} accumulate={acc} width={width?.ToString() ?? Gemm.Width.ToString()}");
    }

    internal static (double[] value, double[] magnitude) Reference(bool ta, bool tb, int m, int n, int k,
        float[] a, int lda, float[] b, int ldb, float[] c, int ldc, bool acc)
    {
        var v = new double[m * n]; var mag = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = acc ? c[i * ldc + j] : 0, g = Math.Abs(s);
                for (int p = 0; p < k; p++)
                {
                    double x = (double)(ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
                    s += x; g += Math.Abs(x);
                }
                v[i * n + j] = s; mag[i * n + j] = g;
            }
        return (v, mag);
    }
}

/// <summary>
/// The GEMM at each vector width this machine runs (AVX-512, AVX2 + FMA, SSE/AdvSimd), forced in-process, against the
/// double-precision reference: the ragged sizes above, and every size 1..67 in each dimension (with the other two
/// odd and fixed), for every transpose, with and without accumulating into C. Gemm.Width is process-wide: switching
/// it while other tests run would mix the paths into their bit-identity checks, so this class runs alone.
/// </summary>
[Collection(KerasNet.Tests.TestUtil.ProcessWideCollection.Name)]
public class GemmWidthTests
{
    /// <summary>The widths this machine runs, in bits (VectorWidth is internal to the library).</summary>
    public static TheoryData<int> Widths
    {
        get
        {
            var data = new TheoryData<int>();
            foreach (var w in new[] { VectorWidth.W512, VectorWidth.W256, VectorWidth.W128 }) if (Simd.Supports(w)) data.Add((int)w);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void RaggedSizesMatchDoubleReference(int bits)
    {
        foreach (var row in GemmTests.Sizes) GemmTests.CheckAll((int)row[0], (int)row[1], (int)row[2], (VectorWidth)bits);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void EverySizeUpTo67MatchesDoubleReference(int bits)
    {
        var width = (VectorWidth)bits;
        for (int s = 1; s <= 67; s++)
        {
            GemmTests.CheckAll(s, 37, 29, width); // rows: every tile height, the few-row paths and beyond
            GemmTests.CheckAll(13, s, 19, width); // columns: every ragged panel of every width
            GemmTests.CheckAll(11, 45, s, width); // inner dimension: every tail of the dot-product paths
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void FewRowStreamGivesTheSameBitsAtEveryStripWidthAndThreadCount(int bits)
    {
        // The few-row stream's strip width, its B blocks for more than one row group (StreamBlockFloats / width rows)
        // and its column ranges (one per thread) only reorder which elements are computed when: each element is one
        // FMA chain over k, so every choice gives the same bits. Shapes: 1 row, one row group, two row groups with
        // several blocks, a ragged last strip and a ragged inner dimension (Strip4's tail).
        var saved = Gemm.Width;
        int savedStrip = GemmJob.StripWidth, savedThreads = Threads.Count;
        try
        {
            Gemm.Width = (VectorWidth)bits;
            foreach (var (m, n, k) in new[] { (1, 3137, 300), (8, 2100, 261), (13, 1500, 517) })
            {
                var a = EngineTestUtil.Random(m * k, 31); var b = EngineTestUtil.Random(k * n, 32);
                var reference = new float[m * n];
                GemmJob.StripWidth = 1024; Threads.Count = 2;
                Gemm.Run(false, false, m, n, k, a, k, b, n, reference, n, false);
                Assert.Contains(reference, v => v != 0f);
                foreach (var (strip, threads) in new[] { (256, 2), (4096, 2), (1024, 1), (512, 3), (16, 2) })
                {
                    GemmJob.StripWidth = strip; Threads.Count = threads;
                    var c = new float[m * n];
                    Gemm.Run(false, false, m, n, k, a, k, b, n, c, n, false);
                    Assert.True(EngineTestUtil.BitEqual(reference, c), $"{m}x{n}x{k} at {bits} bits, strip {strip}, {threads} threads: differs from strip 1024 on 2 threads");
                }
            }
        }
        finally { Gemm.Width = saved; GemmJob.StripWidth = savedStrip; Threads.Count = savedThreads; }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void WideBPackedInBlocksEqualsBInPlaceBitForBit(int bits)
    {
        // The block packing only moves B's values: every sum must be the one the tiles give on B in place. Shapes: the
        // row split and the panel split, one and many kc ranges, the ragged last panel, the bias + ReLU epilogue.
        var saved = Gemm.Width;
        int savedWide = GemmJob.WideLdb, savedSmall = Gemm.SmallM;
        try
        {
            Gemm.Width = (VectorWidth)bits;
            foreach (var (m, n, k) in new[] { (17, 700, 1400), (64, 3137, 330), (300, 130, 700), (40, 129, 90) })
            {
                var a = EngineTestUtil.Random(m * k, 21); var b = EngineTestUtil.Random(k * n, 22); var bias = EngineTestUtil.Random(n, 23);
                var inPlace = new float[m * n]; var packed = new float[m * n];
                GemmJob.WideLdb = int.MaxValue;
                Gemm.Run(false, false, m, n, k, a, k, b, n, inPlace, n, false, bias, relu: true);
                GemmJob.WideLdb = savedWide;
                Gemm.Run(false, false, m, n, k, a, k, b, n, packed, n, false, bias, relu: true);
                Assert.True(EngineTestUtil.BitEqual(inPlace, packed), $"{m}x{n}x{k} at {bits} bits: packed blocks differ from B in place");
                // The streaming path (taken up to Gemm.SmallM rows) sums in the same order too: the row limit is speed
                // only. Not without FMA hardware: there the tiles multiply and add in two roundings, and the streaming
                // path's ragged columns use MathF.FusedMultiplyAdd (one rounding).
                if (!System.Runtime.Intrinsics.X86.Fma.IsSupported && !System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported) continue;
                var streamed = new float[m * n];
                Gemm.SmallM = int.MaxValue;
                Gemm.Run(false, false, m, n, k, a, k, b, n, streamed, n, false, bias, relu: true);
                Gemm.SmallM = savedSmall;
                Assert.True(EngineTestUtil.BitEqual(inPlace, streamed), $"{m}x{n}x{k} at {bits} bits: the streaming path differs from the tiles");
                Assert.Contains(packed, v => v > 0f);
            }
        }
        finally { Gemm.Width = saved; GemmJob.WideLdb = savedWide; Gemm.SmallM = savedSmall; }
    }

    [Fact]
    public void WidthsAgreeWithEachOtherOnALargeProduct()
    {
        // Beyond the sweep: a product with every inner block, the inner-dimension split and packed panels, on each width.
        foreach (var w in new[] { VectorWidth.W512, VectorWidth.W256, VectorWidth.W128 })
            if (Simd.Supports(w)) GemmTests.Check(70, 97, 2600, true, false, true, w);
    }
}
