#nullable enable
using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// The activation layers with arguments: Keras's general ReLU (negative slope, max value, threshold; also LeakyReLU and
/// ThresholdedReLU), ELU with any alpha, PReLU with a learned alpha per element of a sample, and softmax over any axis.
/// All rules follow tf.keras's graph (K.relu, K.elu, PReLU.call) and TensorFlow's gradients of its ops.
/// </summary>
internal static class ParametricActivationKernels
{
    private static int W => Vector<float>.Count;

    /// <summary>
    /// Keras's relu(x, negative_slope, max_value, threshold): pos = (threshold != 0 ? x * (x &gt; threshold) : relu(x)),
    /// clipped to [0, max_value] when one is given, minus negative_slope * relu(threshold - x). y may be x.
    /// </summary>
    public static void Relu(ReadOnlySpan<float> x, Span<float> y, in ReluOptions o)
    {
        BufferCheck.Count(y.Length, x.Length, nameof(y), nameof(Relu));
        y = y[..x.Length];
        if (o.IsPlainRelu) { TensorPrimitives.Max(x, 0f, y); return; }
        var t = new Vector<float>(o.Threshold);
        var slope = new Vector<float>(o.NegativeSlope);
        var max = new Vector<float>(o.MaxValue ?? float.PositiveInfinity);
        bool clip = o.MaxValue.HasValue;
        for (int i = 0; i < x.Length; i += W)
        {
            var v = Load(x, i);
            var pos = o.Threshold != 0 ? Vector.ConditionalSelect(Vector.GreaterThan(v, t), v, Vector<float>.Zero) : Vector.Max(v, Vector<float>.Zero);
            if (clip) pos = Vector.Min(Vector.Max(pos, Vector<float>.Zero), max);
            if (o.NegativeSlope != 0) pos -= slope * Vector.Max(t - v, Vector<float>.Zero);
            Store(pos, y, i);
        }
    }

    /// <summary>
    /// gradIn = gradOut * (1 where the positive part passes (x &gt; threshold, and inside [0, max_value] when clipped)
    /// + negative_slope where x &lt; threshold). gradIn may be gradOut.
    /// </summary>
    public static void ReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> gradOut, Span<float> gradIn, in ReluOptions o)
    {
        BufferCheck.Count(gradOut.Length, x.Length, nameof(gradOut), nameof(ReluBackward));
        BufferCheck.Count(gradIn.Length, x.Length, nameof(gradIn), nameof(ReluBackward));
        gradIn = gradIn[..x.Length];
        var t = new Vector<float>(o.Threshold);
        // The clip passes values inside [0, max]: below 0 (a negative threshold lets x in (t, 0) through) it stops them.
        var low = new Vector<float>(o.MaxValue.HasValue ? MathF.Max(o.Threshold, 0f) : o.Threshold);
        var max = new Vector<float>(o.MaxValue ?? float.PositiveInfinity);
        var slope = new Vector<float>(o.NegativeSlope);
        for (int i = 0; i < x.Length; i += W)
        {
            var v = Load(x, i);
            var g = Load(gradOut, i);
            var d = Vector.ConditionalSelect(Vector.GreaterThan(v, low) & Vector.LessThan(v, max), Vector<float>.One, Vector<float>.Zero);
            if (o.NegativeSlope != 0) d += Vector.ConditionalSelect(Vector.LessThan(v, t), slope, Vector<float>.Zero);
            Store(g * d, gradIn, i);
        }
    }

    /// <summary>tf.keras's K.elu(x, alpha): x for x &gt; 0, alpha (exp(x) - 1) otherwise. y may be x.</summary>
    public static void Elu(ReadOnlySpan<float> x, Span<float> y, float alpha)
    {
        BufferCheck.Count(y.Length, x.Length, nameof(y), nameof(Elu));
        y = y[..x.Length];
        var a = new Vector<float>(alpha);
        for (int i = 0; i < x.Length; i += W)
        {
            var v = Load(x, i);
            Store(Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<float>.Zero), v, a * (Vector.Exp(v) - Vector<float>.One)), y, i);
        }
    }

    /// <summary>gradIn = gradOut where x &gt; 0, gradOut * alpha * exp(x) elsewhere. gradIn may be gradOut.</summary>
    public static void EluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> gradOut, Span<float> gradIn, float alpha)
    {
        BufferCheck.Count(gradOut.Length, x.Length, nameof(gradOut), nameof(EluBackward));
        BufferCheck.Count(gradIn.Length, x.Length, nameof(gradIn), nameof(EluBackward));
        gradIn = gradIn[..x.Length];
        var a = new Vector<float>(alpha);
        for (int i = 0; i < x.Length; i += W)
        {
            var v = Load(x, i);
            var g = Load(gradOut, i);
            Store(Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<float>.Zero), g, g * a * Vector.Exp(v)), gradIn, i);
        }
    }

    /// <summary>PReLU on [rows, cols]: y = relu(x) - alpha relu(-x) with alpha[cols] (one per element of a sample).</summary>
    public static void PRelu(ReadOnlySpan<float> x, ReadOnlySpan<float> alpha, Span<float> y, int rows, int cols)
    {
        CheckMatrix(x.Length, y.Length, alpha.Length, rows, cols, nameof(PRelu));
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * cols, cols);
            var yr = y.Slice(r * cols, cols);
            for (int j = 0; j < cols; j += W)
            {
                var v = Load(xr, j);
                Store(Vector.Max(v, Vector<float>.Zero) - Load(alpha, j) * Vector.Max(-v, Vector<float>.Zero), yr, j);
            }
        }
    }

    /// <summary>
    /// PReLU's gradients: gradIn = gradOut * (x &gt; 0 ? 1 : x &lt; 0 ? alpha : 0) (skipped when null) and
    /// gradAlpha[j] = sum over rows of -gradOut relu(-x) (skipped when null; rows added in order).
    /// </summary>
    public static void PReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> alpha, ReadOnlySpan<float> gradOut,
        Span<float> gradIn, Span<float> gradAlpha, bool wantIn, bool wantAlpha, int rows, int cols)
    {
        CheckMatrix(x.Length, gradOut.Length, alpha.Length, rows, cols, nameof(PReluBackward));
        if (wantIn) BufferCheck.Count(gradIn.Length, (long)rows * cols, nameof(gradIn), nameof(PReluBackward));
        if (wantAlpha)
        {
            BufferCheck.Count(gradAlpha.Length, cols, nameof(gradAlpha), nameof(PReluBackward));
            gradAlpha = gradAlpha[..cols];
            gradAlpha.Clear();
        }
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * cols, cols);
            var gr = gradOut.Slice(r * cols, cols);
            for (int j = 0; j < cols; j += W)
            {
                var v = Load(xr, j);
                var g = Load(gr, j);
                if (wantIn)
                {
                    var d = Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<float>.Zero), Vector<float>.One,
                        Vector.ConditionalSelect(Vector.LessThan(v, Vector<float>.Zero), Load(alpha, j), Vector<float>.Zero));
                    Store(g * d, gradIn.Slice(r * cols, cols), j);
                }
                if (wantAlpha) Store(Load(gradAlpha, j) - g * Vector.Max(-v, Vector<float>.Zero), gradAlpha, j);
            }
        }
    }

    /// <summary>
    /// Softmax along the middle axis of an [outer, axis, inner] block (max subtracted first, as TensorFlow does).
    /// inner == 1 is the row softmax. y may be x.
    /// </summary>
    public static void Softmax(ReadOnlySpan<float> x, Span<float> y, int outer, int axis, int inner)
    {
        CheckBlock(x.Length, y.Length, outer, axis, inner, nameof(Softmax));
        int block = axis * inner;
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++) ActivationKernels.SoftmaxRow(x.Slice(o * block, block), y.Slice(o * block, block), log: false);
            return;
        }
        float[] rented = ArrayPool<float>.Shared.Rent(2 * inner);
        try
        {
            var m = rented.AsSpan(0, inner);
            var s = rented.AsSpan(inner, inner);
            for (int o = 0; o < outer; o++)
            {
                var xb = x.Slice(o * block, block);
                var yb = y.Slice(o * block, block);
                xb[..inner].CopyTo(m);
                for (int k = 1; k < axis; k++) TensorPrimitives.Max(m, xb.Slice(k * inner, inner), m);
                s.Clear();
                for (int k = 0; k < axis; k++)
                {
                    var yk = yb.Slice(k * inner, inner);
                    TensorPrimitives.Subtract(xb.Slice(k * inner, inner), m, yk);
                    TensorPrimitives.Exp(yk, yk);
                    TensorPrimitives.Add(s, yk, s);
                }
                for (int k = 0; k < axis; k++) TensorPrimitives.Divide(yb.Slice(k * inner, inner), s, yb.Slice(k * inner, inner));
            }
        }
        finally { ArrayPool<float>.Shared.Return(rented); }
    }

    /// <summary>gradIn = y (gradOut - sum over the axis of gradOut y), along the middle axis of [outer, axis, inner].</summary>
    public static void SoftmaxBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> gradOut, Span<float> gradIn, int outer, int axis, int inner)
    {
        CheckBlock(y.Length, gradOut.Length, outer, axis, inner, nameof(SoftmaxBackward));
        BufferCheck.Count(gradIn.Length, (long)outer * axis * inner, nameof(gradIn), nameof(SoftmaxBackward));
        if (!gradOut.Overlaps(gradIn)) gradOut[..(outer * axis * inner)].CopyTo(gradIn);
        int block = axis * inner;
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++) ActivationKernels.SoftmaxRowBackward(gradIn.Slice(o * block, block), y.Slice(o * block, block), log: false);
            return;
        }
        float[] rented = ArrayPool<float>.Shared.Rent(inner);
        try
        {
            var dot = rented.AsSpan(0, inner);
            for (int o = 0; o < outer; o++)
            {
                var yb = y.Slice(o * block, block);
                var gb = gradIn.Slice(o * block, block);
                dot.Clear();
                for (int k = 0; k < axis; k++) TensorPrimitives.MultiplyAdd(gb.Slice(k * inner, inner), yb.Slice(k * inner, inner), dot, dot);
                for (int k = 0; k < axis; k++)
                {
                    var gk = gb.Slice(k * inner, inner);
                    TensorPrimitives.Subtract(gk, dot, gk);
                    TensorPrimitives.Multiply(gk, yb.Slice(k * inner, inner), gk);
                }
            }
        }
        finally { ArrayPool<float>.Shared.Return(rented); }
    }

    private static void CheckMatrix(int xLength, int otherLength, int alphaLength, int rows, int cols, string op)
    {
        BufferCheck.Dim(rows, nameof(rows), op);
        BufferCheck.Dim(cols, nameof(cols), op);
        BufferCheck.Count(xLength, (long)rows * cols, "x", op);
        BufferCheck.Count(otherLength, (long)rows * cols, "y", op);
        BufferCheck.Count(alphaLength, cols, "alpha", op);
    }

    private static void CheckBlock(int xLength, int yLength, int outer, int axis, int inner, string op)
    {
        BufferCheck.Dim(outer, nameof(outer), op);
        BufferCheck.Dim(axis, nameof(axis), op);
        BufferCheck.Dim(inner, nameof(inner), op);
        if (axis == 0 && (long)outer * inner > 0) throw new ArgumentOutOfRangeException(nameof(axis), axis, $"{op}: the softmax axis is empty.");
        BufferCheck.Count(xLength, (long)outer * axis * inner, "x", op);
        BufferCheck.Count(yLength, (long)outer * axis * inner, "y", op);
    }

    private static Vector<float> Load(ReadOnlySpan<float> s, int i) => VectorMap.Load(s, i);

    private static void Store(Vector<float> v, Span<float> s, int i) => VectorMap.Store(v, s, i);
}
