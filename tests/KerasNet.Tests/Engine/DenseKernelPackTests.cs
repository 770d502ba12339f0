using KerasNet.Engine;
using KerasNet.Engine.Kernels;
using KerasNet.Layers;
using KerasNet.Models;

namespace KerasNet.Tests.Engine;

/// <summary>
/// A wide dense kernel packed once per weight version for inference (DenseKernelPack, Gemm.RunPacked): bit for bit the
/// training forward's tiles on the kernel in place, and never stale: a Dense layer's Predict after SetWeights, after a
/// direct write with MarkChanged, and after a training step gives the new weights' answer (the double reference here).
/// </summary>
public class DenseKernelPackTests
{
    // Few rows (batch 1 included) run the tiles on the pack where the training forward streams the kernel in place:
    // the same chain over the inner dimension, so the same bits with FMA hardware (Gemm.SmallM); a product whose
    // tiles would split the inner dimension (a long one over few panels) keeps the stream (2500 x 128).
    [Theory]
    [InlineData(1, 1152, 3137)]
    [InlineData(1, 2500, 128)]
    [InlineData(3, 300, 130)]
    [InlineData(8, 70, 700)]
    [InlineData(16, 1152, 640)]
    [InlineData(17, 300, 128)]
    [InlineData(32, 1152, 3137)]
    [InlineData(64, 70, 700)]
    public void PackedInferenceEqualsTheTrainingForwardBitForBit(int rows, int inDim, int units)
    {
        if (rows <= Gemm.SmallM && !System.Runtime.Intrinsics.X86.Fma.IsSupported && !System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported)
            return; // without FMA the stream rounds its ragged columns once where the tiles round twice
        var be = new CpuBackend();
        var x = EngineTestUtil.Random(rows * inDim, 1); var w = EngineTestUtil.Random(inDim * units, 2); var b = EngineTestUtil.Random(units, 3);
        var pack = new DenseKernelPack();
        foreach (var act in new[] { ActivationKind.Relu, ActivationKind.Linear, ActivationKind.Sigmoid })
        {
            var packed = new float[rows * units]; var plain = new float[rows * units];
            be.DenseInfer(rows, inDim, units, x, w, b, act, packed, pack, weightsVersion: 0);
            be.DenseForward(rows, inDim, units, x, w, b, act, plain);
            Assert.True(EngineTestUtil.BitEqual(plain, packed), $"{rows}x{inDim}->{units} {act}: the packed kernel differs from the kernel in place");
        }
    }

    [Fact]
    public void FewRowsRunOnThePackUnlessTheTilesWouldSplitTheInnerDimension()
    {
        Assert.True(DenseKernelPack.Pays(1, 3137, 3137), "batch 1 on the tutorial's dense_1 should read the pack");
        Assert.True(DenseKernelPack.Pays(8, 1152, 3137));
        Assert.False(DenseKernelPack.Pays(1, 3137, 100), "a kernel narrower than GemmJob.WideLdb is streamed");
        Assert.Equal(!GemmJob.TilesSplitK(1, 128, 2500), DenseKernelPack.Pays(1, 2500, 128));
    }

    [Fact]
    public void ANewVersionIsRepackedIntoTheSameArrayWithTheNewValues()
    {
        int inDim = 300, units = 130;
        var w = EngineTestUtil.Random(inDim * units, 2);
        var pack = new DenseKernelPack();
        var first = pack.PanelsFor(w, 0, inDim, units);
        Assert.Same(first, pack.PanelsFor(w, 0, inDim, units));
        var before = (float[])first.Clone();
        for (int i = 0; i < w.Length; i++) w[i] = -w[i];
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        var second = pack.PanelsFor(w, 1, inDim, units);
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Assert.Same(first, second);
        Assert.True(allocated < 1024, $"repacking allocated {allocated} bytes: the panels' array should be refilled");
        Assert.Equal(Gemm.PackPanels(inDim, units, w, units), second);
        Assert.NotEqual(before, second);
    }

    [Fact]
    public void PredictFollowsEveryChangeOfTheKernel()
    {
        var model = new Sequential();
        model.Add(new Dense(160, inputShape: new Shape(40)));
        model.Compile(optimizer: "sgd", loss: "mse");
        var x = new Tensor(32, 40);
        var rng = new Random(5);
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextSingle() - 0.5f;
        var dense = (Dense)model.Layers[0];

        AssertMatchesReference(model, dense, x, "as built");
        var w = dense.GetWeights();
        for (int i = 0; i < w[0].Length; i++) w[0][i] = -w[0][i] * 0.5f + 0.01f;
        dense.SetWeights(w);
        AssertMatchesReference(model, dense, x, "after SetWeights");
        var kernel = dense.Weights[0];
        kernel.Value.Span[7] += 1f;
        kernel.MarkChanged();
        AssertMatchesReference(model, dense, x, "after a direct write and MarkChanged");
        model.TrainOnBatch(new KerasNet.Data.Batch(x, new Tensor(32, 160)));
        AssertMatchesReference(model, dense, x, "after a training step");
    }

    private static void AssertMatchesReference(Sequential model, Dense dense, Tensor x, string when)
    {
        var y = model.Predict(x);
        var w = dense.GetWeights();
        int inDim = 40, units = 160;
        for (int r = 0; r < 32; r++)
            for (int j = 0; j < units; j++)
            {
                double s = w[1][j];
                for (int p = 0; p < inDim; p++) s += (double)x[r * inDim + p] * w[0][p * units + j];
                Assert.True(Math.Abs(s - y[r * units + j]) <= 1e-4, $"{when}: row {r} unit {j}: {y[r * units + j]} vs {s}");
            }
    }
}
