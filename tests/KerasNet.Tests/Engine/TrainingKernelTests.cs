using KerasNet.Engine;
using KerasNet.Engine.Kernels;

namespace KerasNet.Tests.Engine;

/// <summary>
/// The training kernels past the few-row case: the blocked dense backward (input gradient from the kernel's rows
/// against dY^T, weight gradient per block of kernel rows handed to the update) against plain double-precision loops,
/// and the vectorised max-pooling backward's refusal of an argmax outside its window.
/// </summary>
public class TrainingKernelTests
{
    /// <summary>Records each gradient piece the kernel hands over and applies w -= 0.5 g (so the old weights matter).</summary>
    private sealed class Recording(int size) : IWeightUpdate
    {
        public readonly float[] G = new float[size];
        public readonly int[] Seen = new int[size];

        public void Update(int offset, Span<float> w, ReadOnlySpan<float> g)
        {
            for (int i = 0; i < w.Length; i++)
            {
                G[offset + i] = g[i];
                Seen[offset + i]++;
                w[i] -= 0.5f * g[i];
            }
        }
    }

    [Theory]
    [InlineData(17, 37, 33)]
    [InlineData(64, 9, 70)]
    [InlineData(40, 1, 5)]
    [InlineData(33, 20, 1)]
    [InlineData(100, 65, 31)]
    public void BlockedDenseBackwardMatchesPlainLoops(int rows, int inDim, int units) => CheckBlocked(rows, inDim, units);

    /// <summary>One blocked pass (input gradient + recorded update) and one input-gradient-only pass against double loops.</summary>
    internal static void CheckBlocked(int rows, int inDim, int units)
    {
        var x = EngineTestUtil.Random(rows * inDim, 1);
        var dy = EngineTestUtil.Random(rows * units, 2);
        var w0 = EngineTestUtil.Random(inDim * units, 3);
        var w = (float[])w0.Clone();
        var dx = new float[rows * inDim];
        var update = new Recording(inDim * units);
        DenseBackwardBlocked.Run(rows, inDim, units, x, dy, w, dx, update);
        double worst = 0;
        for (int i = 0; i < rows; i++)
            for (int k = 0; k < inDim; k++)
            {
                double e = 0;
                for (int j = 0; j < units; j++) e += (double)dy[i * units + j] * w0[k * units + j];
                worst = Math.Max(worst, Math.Abs(e - dx[i * inDim + k]) / (1 + Math.Abs(e)));
            }
        Assert.True(worst < 1e-5, $"dx differs from dy w^T (old weights) by {worst:G3}");
        for (int k = 0; k < inDim; k++)
            for (int j = 0; j < units; j++)
            {
                double e = 0;
                for (int i = 0; i < rows; i++) e += (double)x[i * inDim + k] * dy[i * units + j];
                int at = k * units + j;
                Assert.Equal(1, update.Seen[at]);
                Assert.True(Math.Abs(e - update.G[at]) / (1 + Math.Abs(e)) < 1e-5, $"dW[{k},{j}] = {update.G[at]} vs {e}");
                Assert.Equal(w0[at] - 0.5f * update.G[at], w[at]);
            }
        // The input gradient alone leaves the kernel as it was.
        var w1 = (float[])w.Clone();
        var dx2 = new float[rows * inDim];
        DenseBackwardBlocked.Run(rows, inDim, units, x, dy, w, dx2, null);
        Assert.Equal(w1, w);
    }

    [Fact]
    public void VectorisedMaxPoolBackwardRefusesAnArgmaxOutsideItsWindow()
    {
        // The vectorised kernel runs at every width (16 channels are whole vectors of each); 1 x 4 x 4 x 16, pool 2 stride 2: output (0, 0, 0) names a pixel of the window at (0, 1).
        var g = new ConvGeometry(1, 4, 4, 16, 2, 2, 2, 2, 0, 0, 2, 2);
        var x = EngineTestUtil.Random(4 * 4 * 16, 5);
        var y = new float[2 * 2 * 16];
        var argmax = new int[y.Length];
        var be = Backend.Current;
        be.MaxPoolForward(g, x, y, argmax);
        var dy = EngineTestUtil.Random(y.Length, 6);
        var dx = new float[x.Length];
        be.MaxPoolBackward(g, dy, argmax, dx);
        Assert.Equal(dy.Sum(), dx.Sum(), 3);
        argmax[0] = (0 * 4 + 2) * 16; // pixel (0, 2): the next window's
        Assert.Throws<ArgumentException>(() => be.MaxPoolBackward(g, dy, argmax, dx));
    }
}
