#nullable enable
using System.Buffers;

namespace KerasNet.Layers;

/// <summary>How a norm constraint rescales one element from the L2 norm of its slice (float32, as Keras computes).</summary>
internal interface INormRule
{
    float Project(float w, float norm);
}

/// <summary>The arithmetic of Keras's constraints on a weight in Keras layout (row-major, last axis fastest).</summary>
internal static class ConstraintMath
{
    /// <summary>Keras's <c>backend.epsilon()</c>, added to norms before dividing by them.</summary>
    public const float Epsilon = 1e-7f;

    /// <summary>Keras's <c>backend.clip</c>: a bound below the lower one is raised to it (never an error).</summary>
    public static float Clip(float x, float lo, float hi)
    {
        if (hi < lo) hi = lo;
        return x < lo ? lo : x > hi ? hi : x;
    }

    /// <summary>Why the axes do not fit a weight of <paramref name="shape"/> (null: each is in range, negative ones from the end).</summary>
    public static string? CheckAxes(int[] axes, int[] shape, string constraint)
    {
        foreach (int a in axes)
            if (a < -shape.Length || a >= shape.Length)
                return $"{constraint} with axis {a}, out of range for a weight of shape ({string.Join(", ", shape)})";
        return null;
    }

    /// <summary>
    /// <c>norms = sqrt(reduce_sum(square(w), axis, keepdims=True))</c>, then <paramref name="rule"/> applied to each
    /// element with its slice's norm (the slices are the elements that differ only along <paramref name="axes"/>).
    /// </summary>
    public static void ScaleByNorms<TRule>(Span<float> w, int[] shape, int[] axes, TRule rule) where TRule : struct, INormRule
    {
        int rank = shape.Length;
        if (rank > 16) throw new KerasNetException($"Constraints support weights of rank up to 16, got rank {rank}.");
        // Each element's slice index, walked with an odometer: stride 0 along the reduced axes.
        Span<int> stride = stackalloc int[rank];
        Span<int> index = stackalloc int[rank];
        int slices = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            bool reduced = false;
            foreach (int a in axes) reduced |= (a < 0 ? a + rank : a) == d;
            stride[d] = reduced ? 0 : slices;
            if (!reduced) slices *= shape[d];
        }
        var sums = ArrayPool<double>.Shared.Rent(slices);
        try
        {
            sums.AsSpan(0, slices).Clear();
            Walk(w, shape, stride, index, sums, square: true, rule);
            Walk(w, shape, stride, index, sums, square: false, rule);
        }
        finally { ArrayPool<double>.Shared.Return(sums); }
    }

    private static void Walk<TRule>(Span<float> w, int[] shape, Span<int> stride, Span<int> index, double[] sums, bool square, TRule rule)
        where TRule : struct, INormRule
    {
        index.Clear();
        int slice = 0;
        for (int i = 0; i < w.Length; i++)
        {
            if (square) sums[slice] += (double)w[i] * w[i];
            else w[i] = rule.Project(w[i], MathF.Sqrt((float)sums[slice]));
            for (int d = shape.Length - 1; d >= 0; d--)
            {
                slice += stride[d];
                if (++index[d] < shape[d]) break;
                slice -= stride[d] * shape[d];
                index[d] = 0;
            }
        }
    }

    /// <summary>Why RadialConstraint cannot constrain a weight of <paramref name="shape"/> as Keras would (null: it can).</summary>
    public static string? RadialRefusal(int[] shape)
    {
        if (shape.Length != 4) return $"RadialConstraint on a weight of rank {shape.Length} (Keras needs a rank-4 Conv2D kernel)";
        if (shape[0] != shape[1] || shape[0] < 2)
            return $"RadialConstraint on a {shape[0]}x{shape[1]} kernel (Keras's fails unless the kernel is square and at least 2x2)";
        return null;
    }

    /// <summary>
    /// tf.keras 2.4's RadialConstraint on a (size, size, in, out) kernel, each (in, out) slice on its own: it keeps
    /// one value per ring, built by padding a core outwards with the diagonal values <c>k[s + i, s + i]</c>
    /// (s = size / 2), the core being <c>k[s - 1, s - 1]</c> (1x1 for an odd size, 2x2 for an even one; for an odd
    /// size that is the corner of the central 3x3, as Keras's code has it).
    /// </summary>
    public static void Radial(Span<float> w, int[] shape)
    {
        int size = shape[0], slices = shape[2] * shape[3], s = size / 2;
        bool odd = size % 2 == 1;
        Span<float> diagonal = size <= 64 ? stackalloc float[size] : new float[size];
        for (int c = 0; c < slices; c++)
        {
            for (int t = 0; t < size; t++) diagonal[t] = w[(t * size + t) * slices + c];
            for (int i = 0; i < size; i++)
                for (int j = 0; j < size; j++)
                {
                    // The ring: 0 for the core, then one more per padding.
                    int ring = odd ? Math.Max(Math.Abs(i - s), Math.Abs(j - s)) : Math.Max(EvenDistance(i, s), EvenDistance(j, s));
                    float value = ring == 0 ? diagonal[s - 1] : diagonal[odd ? s + ring - 1 : s + ring];
                    w[(i * size + j) * slices + c] = value;
                }
        }
    }

    // Distance of row i from the 2x2 core at rows s - 1 and s.
    private static int EvenDistance(int i, int s) => i < s ? s - 1 - i : i - s;
}
