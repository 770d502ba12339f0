using KerasNet.Engine;
using KerasNet.Engine.Kernels;

namespace KerasNet.Tests.Engine;

/// <summary>
/// Every entry point of the engine rejects a buffer one element too short (and negative dimensions, and geometries
/// whose windows leave the image) with an <see cref="ArgumentException"/> that names the argument and both lengths,
/// before it writes anything: each test first makes the call with exact sizes, then once per buffer with that buffer
/// one element short, and checks that no buffer changed.
/// </summary>
[Collection("Engine")]
public partial class BufferCheckTests
{
    private static readonly IBackend Be = new CpuBackend();

    /// <summary>The geometries used below: 3x3 'valid', 3x3 'same' with stride 2, and a pointwise 1x1.</summary>
    private static readonly ConvGeometry[] Geometries =
    [
        ConvGeometry.Create(2, 7, 6, 3, 3, 3, 1, 1, "valid"),
        ConvGeometry.Create(2, 7, 6, 3, 3, 3, 2, 2, "same"),
        ConvGeometry.Create(2, 5, 4, 16, 1, 1, 1, 1, "valid"),
    ];

    private static long In(ConvGeometry g) => (long)g.Batch * g.InH * g.InW * g.InC;
    private static long Pooled(ConvGeometry g) => (long)g.Rows * g.InC;

    /// <summary>
    /// Calls <paramref name="call"/> with buffers of exactly <paramref name="lengths"/>, then with each one a float short:
    /// that call must throw an ArgumentException for that name, quoting both lengths, and leave every buffer as it was.
    /// </summary>
    private static void EachShortByOne(string[] names, long[] lengths, Action<float[][]> call)
    {
        call(Buffers(lengths, -1));
        for (int i = 0; i < names.Length; i++)
        {
            var bufs = Buffers(lengths, i);
            var before = bufs.Select(b => (float[])b.Clone()).ToArray();
            var e = Assert.ThrowsAny<ArgumentException>(() => call(bufs));
            Assert.Equal(names[i], e.ParamName);
            Assert.Contains($"length {lengths[i] - 1} but needs at least {lengths[i]}", e.Message);
            for (int j = 0; j < bufs.Length; j++) Assert.True(bufs[j].AsSpan().SequenceEqual(before[j]), $"{names[j]} changed although {names[i]} was rejected");
        }
    }

    private static float[][] Buffers(long[] lengths, int shortOne) =>
        lengths.Select((n, i) => EngineTestUtil.Random((int)n - (i == shortOne ? 1 : 0), 100 + i)).ToArray();

    private static void Rejects(string param, Action call) => Assert.Equal(param, Assert.ThrowsAny<ArgumentException>(call).ParamName);

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void GemmRejectsShortOperandsAndBadLeadingDimensions(bool ta, bool tb)
    {
        foreach (var (m, n, k) in new[] { (5, 7, 3), (40, 70, 64), (8, 3137, 9) })
        {
            int lda = (ta ? m : k) + 1, ldb = (tb ? k : n) + 2, ldc = n + 3;
            long la = (long)((ta ? k : m) - 1) * lda + (ta ? m : k), lb = (long)((tb ? n : k) - 1) * ldb + (tb ? k : n), lc = (long)(m - 1) * ldc + n;
            EachShortByOne(["a", "b", "c"], [la, lb, lc], v => Be.Gemm(ta, tb, m, n, k, v[0], lda, v[1], ldb, v[2], ldc, false));
            var a = new float[la]; var b = new float[lb]; var c = new float[lc];
            Rejects("lda", () => Be.Gemm(ta, tb, m, n, k, a, ta ? m - 1 : k - 1, b, ldb, c, ldc, false));
            Rejects("ldb", () => Be.Gemm(ta, tb, m, n, k, a, lda, b, -1, c, ldc, true));
            Rejects("ldc", () => Be.Gemm(ta, tb, m, n, k, a, lda, b, ldb, c, n - 1, false));
            Rejects("m", () => Be.Gemm(ta, tb, -1, n, k, a, lda, b, ldb, c, ldc, false));
            Rejects("n", () => Be.Gemm(ta, tb, m, -n, k, a, lda, b, ldb, c, ldc, false));
            Rejects("k", () => Be.Gemm(ta, tb, m, n, -1, a, lda, b, ldb, c, ldc, false));
            Rejects("bias", () => Gemm.Run(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, false, new float[n - 1], relu: true));
            Rejects("c", () => Be.Gemm(ta, tb, m, n, k, a, lda, b, ldb, null!, ldc, false));
        }
        // Huge dimensions must not wrap around to a small needed length.
        Rejects("c", () => Be.Gemm(false, false, 65536, 65536, 1, new float[65536], 1, new float[65536], 65536, new float[16], 65536, false));
    }

    [Fact]
    public void GemmKernelRejectsShortOperands() =>
        EachShortByOne(["a", "b", "c"], [12 * 5, 5 * 9, 12 * 9], v => Gemm.Run(false, false, 12, 9, 5, v[0], 5, v[1], 9, v[2], 9, false));

    [Fact]
    public void BiasActivationRejectsShortInput()
    {
        foreach (var kind in new[] { ActivationKind.Relu, ActivationKind.Softmax })
            EachShortByOne(["x"], [9 * 37], v => Be.BiasActivation(v[0], 9, new float[37], kind));
        Rejects("rows", () => Be.BiasActivation(new float[10], -1, new float[5], ActivationKind.Relu));
        Rejects("activation", () => Be.BiasActivation(new float[10], 2, new float[5], (ActivationKind)99));
    }

    [Fact]
    public void ActivationRejectsShortInput()
    {
        foreach (var kind in Enum.GetValues<ActivationKind>())
            EachShortByOne(["x"], [6 * 11], v => Be.Activation(v[0], 66, 11, kind));
        Rejects("length", () => Be.Activation(new float[10], -2, 2, ActivationKind.Tanh));
        Rejects("cols", () => Be.Activation(new float[10], 10, -1, ActivationKind.Softmax));
        Rejects("cols", () => Be.Activation(new float[10], 10, 0, ActivationKind.Softmax));
    }

    [Fact]
    public void ActivationBackwardRejectsShortBuffers()
    {
        foreach (var kind in Enum.GetValues<ActivationKind>().Where(k => !ActivationKernels.NeedsInput(k)))
            EachShortByOne(["grad", "y"], [70, 70], v => Be.ActivationBackward(v[0], v[1], 70, 7, kind));
        // The kernel behind it reads y by pointer over grad's length.
        Rejects("y", () => ActivationKernels.Backward(new float[40], new float[39], 8, ActivationKind.Relu));
    }

    [Fact]
    public void DenseBackwardFusedRejectsShortBuffers()
    {
        foreach (int rows in new[] { 1, 8, 13 })
        {
            const int inDim = 21, units = 35;
            var noUpdate = new CountingUpdate();
            EachShortByOne(["x", "dy", "w", "dx"], [rows * inDim, rows * units, inDim * units, rows * inDim],
                v => Be.DenseBackwardFused(rows, inDim, units, v[0], v[1], v[2], v[3], noUpdate));
            var x = new float[rows * inDim]; var dy = new float[rows * units]; var w = new float[inDim * units];
            Rejects("update.M", () => Be.DenseBackwardFused(rows, inDim, units, x, dy, w, null, new AdamRowUpdate(new float[w.Length - 1], new float[w.Length])));
            Rejects("update.V", () => Be.DenseBackwardFused(rows, inDim, units, x, dy, w, null, new AdamRowUpdate(new float[w.Length], new float[w.Length - 1])));
            Rejects("units", () => Be.DenseBackwardFused(rows, inDim, -units, x, dy, w, null, noUpdate));
            Rejects("update", () => Be.DenseBackwardFused(rows, inDim, units, x, dy, w, null, null!));
        }
    }

    [Fact]
    public void AdamRowUpdateRejectsRangesOutsideItsSlots()
    {
        var adam = new AdamRowUpdate(new float[100], new float[100]);
        adam.SetStep(1e-3f, 0.1f, 0.001f, 1e-7f);
        adam.Update(90, new float[10], new float[10]);
        Rejects("m", () => adam.Update(91, new float[10], new float[10]));
        Rejects("g", () => adam.Update(0, new float[10], new float[9]));
        Rejects("offset", () => adam.Update(-1, new float[10], new float[10]));
    }

    [Fact]
    public void ColumnSumsRejectsShortBuffers()
    {
        EachShortByOne(["x", "result"], [13 * 40, 40], v => Be.ColumnSums(v[0], 13, 40, v[1]));
        Rejects("cols", () => Be.ColumnSums(new float[4], 2, -2, new float[4]));
    }

    [Fact]
    public void Conv2DForwardRejectsShortBuffers()
    {
        const int f = 5;
        foreach (var g in Geometries)
            EachShortByOne(["x", "w", "y"], [In(g), g.Cols * f, g.Rows * f], v => Be.Conv2DForward(g, v[0], v[1], f, v[2]));
    }

    [Fact]
    public void FusedConv2DForwardRejectsShortBuffers()
    {
        const int f = 33;
        foreach (var g in Geometries)
            foreach (var ws in new[] { null, new ConvWorkspace() })
                EachShortByOne(["x", "w", "bias", "y"], [In(g), g.Cols * f, f, g.Rows * f],
                    v => Be.Conv2DForward(g, v[0], v[1], v[2], ActivationKind.Relu, f, v[3], ws));
    }

    [Fact]
    public void Conv2DBackwardFilterRejectsShortBuffers()
    {
        const int f = 6;
        foreach (var g in Geometries)
            EachShortByOne(["x", "dy", "dw"], [In(g), g.Rows * f, g.Cols * f], v => Be.Conv2DBackwardFilter(g, v[0], v[1], f, v[2]));
    }

    [Fact]
    public void Conv2DBackwardFilterWithWorkspaceRejectsShortBuffers()
    {
        const int f = 6;
        foreach (var g in Geometries)
        {
            // A workspace filled by a forward pass over the same x (the reuse path) changes nothing about the checks.
            var ws = new ConvWorkspace();
            var x = EngineTestUtil.Random((int)In(g), 100);
            Be.Conv2DForward(g, x, new float[g.Cols * f], null, ActivationKind.Linear, f, new float[g.Rows * f], ws);
            EachShortByOne(["x", "dy", "dw"], [In(g), g.Rows * f, g.Cols * f], v => Be.Conv2DBackwardFilter(g, v[0], v[1], f, v[2], ws));
            Be.Conv2DForward(g, x, new float[g.Cols * f], null, ActivationKind.Linear, f, new float[g.Rows * f], ws);
            Rejects("dw", () => Be.Conv2DBackwardFilter(g, x, new float[g.Rows * f], f, new float[g.Cols * f - 1], ws));
            Rejects("dy", () => Be.Conv2DBackwardFilter(g, x, new float[g.Rows * f - 1], f, new float[g.Cols * f], ws));
        }
    }

    [Fact]
    public void Conv2DBackwardInputRejectsShortBuffers()
    {
        const int f = 7;
        foreach (var g in Geometries)
            EachShortByOne(["dy", "w", "dx"], [g.Rows * f, g.Cols * f, In(g)], v => Be.Conv2DBackwardInput(g, v[0], v[1], f, v[2]));
    }

    [Fact]
    public void DenseForwardRejectsShortBuffers()
    {
        foreach (var (rows, inDim, units) in new[] { (1, 50, 3137), (8, 33, 64), (40, 17, 70) })
            foreach (var kind in new[] { ActivationKind.Relu, ActivationKind.Softmax })
                EachShortByOne(["x", "w", "bias", "y"], [rows * inDim, inDim * units, units, rows * units],
                    v => Be.DenseForward(rows, inDim, units, v[0], v[1], v[2], kind, v[3]));
        Rejects("inDim", () => Be.DenseForward(1, -1, 1, new float[1], new float[1], null, ActivationKind.Linear, new float[1]));
    }

    [Fact]
    public void MaxPoolForwardRejectsShortBuffers()
    {
        foreach (var g in PoolGeometries())
        {
            EachShortByOne(["x", "y"], [In(g), Pooled(g)], v => Be.MaxPoolForward(g, v[0], v[1], new int[Pooled(g)]));
            EachShortByOne(["x", "y"], [In(g), Pooled(g)], v => Be.MaxPoolForward(g, v[0], v[1], []));
            var y = new float[Pooled(g)];
            Rejects("argmax", () => Be.MaxPoolForward(g, new float[In(g)], y, new int[Pooled(g) - 1]));
            Assert.All(y, v => Assert.Equal(0f, v));
        }
    }

    [Fact]
    public void MaxPoolBackwardRejectsShortBuffers()
    {
        foreach (var g in PoolGeometries())
        {
            var argmax = new int[Pooled(g)];
            Be.MaxPoolForward(g, new float[In(g)], new float[Pooled(g)], argmax);
            EachShortByOne(["dy", "dx"], [Pooled(g), In(g)], v => Be.MaxPoolBackward(g, v[0], argmax, v[1]));
            var dx = EngineTestUtil.Random((int)In(g), 5); var dx0 = (float[])dx.Clone();
            Rejects("argmax", () => Be.MaxPoolBackward(g, new float[Pooled(g)], argmax[..^1], dx));
            Assert.True(dx.AsSpan().SequenceEqual(dx0));
            argmax[^1] = (int)In(g); // an index past the input: an error, never a write
            Rejects("argmax", () => Be.MaxPoolBackward(g, new float[Pooled(g)], argmax, new float[In(g) + 5]));
        }
    }

    [Fact]
    public void AvgPoolForwardRejectsShortBuffers()
    {
        foreach (var g in PoolGeometries())
            EachShortByOne(["x", "y"], [In(g), Pooled(g)], v => Be.AvgPoolForward(g, v[0], v[1]));
    }

    [Fact]
    public void AvgPoolBackwardRejectsShortBuffers()
    {
        foreach (var g in PoolGeometries())
            EachShortByOne(["dy", "dx"], [Pooled(g), In(g)], v => Be.AvgPoolBackward(g, v[0], v[1]));
    }

    [Fact]
    public void Im2ColRejectsShortBuffers()
    {
        foreach (var g in Geometries)
        {
            EachShortByOne(["x", "col"], [In(g), (long)g.Rows * g.Cols], v => Im2Col.Unfold(g, v[0], v[1]));
            EachShortByOne(["dcol", "dx"], [(long)g.Rows * g.Cols, In(g)], v => Im2Col.Fold(g, v[0], v[1]));
        }
    }

    private static ConvGeometry[] PoolGeometries() =>
    [
        ConvGeometry.Create(2, 8, 7, 16, 2, 2, 2, 2, "valid"),
        ConvGeometry.Create(1, 5, 5, 17, 3, 3, 2, 2, "same"),
        ConvGeometry.Create(3, 4, 6, 3, 2, 3, 1, 2, "same"),
    ];

    // Batch, InH, InW, InC, KH, KW, StrideH, StrideW, PadTop, PadLeft, OutH, OutW.
    public static TheoryData<string, int[]> BadGeometries => new()
    {
        { "stride 0", [1, 4, 4, 1, 2, 2, 0, 2, 0, 0, 2, 2] },
        { "empty kernel", [1, 4, 4, 1, 0, 2, 1, 1, 0, 0, 2, 2] },
        { "negative batch", [-1, 4, 4, 1, 2, 2, 2, 2, 0, 0, 2, 2] },
        { "negative padding", [1, 4, 4, 1, 2, 2, 2, 2, -1, 0, 2, 2] },
        { "a window starting below the image", [1, 4, 4, 1, 2, 2, 2, 2, 0, 0, 3, 2] },
        { "padding as wide as the window", [1, 4, 4, 1, 2, 2, 2, 2, 0, 2, 2, 2] },
        { "1x1 with a wider output than input", [1, 4, 4, 1, 1, 1, 1, 1, 0, 0, 4, 5] },
        { "2^32 input elements", [65536, 256, 256, 1, 1, 1, 1, 1, 0, 0, 256, 256] },
        { "im2col columns past 2^31", [1, 4, 4, 1 << 20, 2048, 2048, 1, 1, 0, 0, 1, 1] },
    };

    [Theory]
    [MemberData(nameof(BadGeometries))]
    public void GeometriesWhoseWindowsLeaveTheImageAreRejectedEverywhere(string what, int[] d)
    {
        var g = new ConvGeometry(d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11]);
        Assert.NotEmpty(what);
        var big = new float[4096]; var ints = new int[4096];
        Rejects("g", () => Be.Conv2DForward(g, big, big, 1, big));
        Rejects("g", () => Be.Conv2DForward(g, big, big, null, ActivationKind.Relu, 1, big, new ConvWorkspace()));
        Rejects("g", () => Be.Conv2DBackwardFilter(g, big, big, 1, big));
        Rejects("g", () => Be.Conv2DBackwardFilter(g, big, big, 1, big, new ConvWorkspace()));
        Rejects("g", () => Be.Conv2DBackwardInput(g, big, big, 1, big));
        Rejects("g", () => Be.MaxPoolForward(g, big, big, ints));
        Rejects("g", () => Be.MaxPoolBackward(g, big, ints, big));
        Rejects("g", () => Be.AvgPoolForward(g, big, big));
        Rejects("g", () => Be.AvgPoolBackward(g, big, big));
        Rejects("g", () => Im2Col.Unfold(g, big, big));
    }

    [Fact]
    public void EveryGeometryThatCreateMakesIsAccepted()
    {
        // The geometry rule must never reject what the layers build: sweep small sizes, kernels, strides, paddings.
        var x = new float[3 * 9 * 9 * 2]; var y = new float[3 * 9 * 9 * 2]; var argmax = new int[y.Length];
        for (int size = 0; size <= 9; size++)
            for (int k = 1; k <= 5; k++)
                for (int s = 1; s <= 4; s++)
                    foreach (var padding in new[] { "valid", "same" })
                    {
                        var g = ConvGeometry.Create(3, size, 9 - size, 2, k, 6 - k, s, 5 - s, padding);
                        Be.MaxPoolForward(g, x, y, argmax);
                        Be.AvgPoolForward(g, x, y);
                        Be.Conv2DForward(g, x, new float[g.Cols], 1, y);
                    }
    }

    [Fact]
    public void ParallelLoopsRejectNullWork()
    {
        Assert.Throws<ArgumentNullException>(() => Threads.Run(null!, 10, 2));
        Assert.Throws<ArgumentNullException>(() => Threads.For(10, 1, (Action<int, int>)null!));
    }

    /// <summary>An update that only counts the elements it is handed (and so leaves the weights alone).</summary>
    internal sealed class CountingUpdate : IWeightUpdate
    {
        public long Count;
        public void Update(int offset, Span<float> w, ReadOnlySpan<float> g) => Interlocked.Add(ref Count, w.Length);
    }
}
