#nullable enable
using System.Buffers;
using System.Numerics.Tensors;
using System.Text.Json.Nodes;

namespace KerasNet.Layers;

/// <summary>
/// Keras 3's (and tf.keras 2.10+'s) OrthogonalRegularizer: pushes the rows (<c>mode="rows"</c>) or the columns
/// (<c>"columns"</c>) of a rank-2 tensor towards orthogonality. With <c>N</c> those vectors L2-normalised, the
/// penalty is <c>factor * 0.5 * sum(|N N^T| off the diagonal) / (n (n - 1) / 2)</c> for n vectors.
/// </summary>
/// <remarks>
/// Normalisation is Keras 3's <c>ops.normalize</c>: <c>x * min(rsqrt(sum(x^2)), 1 / 1e-7)</c> (tf.keras 2.x's
/// <c>l2_normalize</c> clips at 1e-12 instead; they differ only for vectors of norm below 1e-6).
/// </remarks>
public sealed class OrthogonalRegularizer : Regularizer
{
    // Keras 3's backend.epsilon(): the smallest norm a vector is divided by.
    private const float Epsilon = 1e-7f;

    /// <summary>Creates the regularizer with Keras's defaults (factor 0.01, mode "rows").</summary>
    /// <param name="factor">The penalty factor (non-negative).</param>
    /// <param name="mode">"rows" or "columns": which vectors are to be orthogonal. Keras's default:
    /// <c>"rows"</c>.</param>
    public OrthogonalRegularizer(double factor = 0.01, string mode = "rows")
    {
        if (!(factor >= 0) || double.IsInfinity(factor))
            throw new KerasNetException($"OrthogonalRegularizer: factor must be a non-negative number, got {factor}.");
        if (mode is not ("rows" or "columns"))
            throw new KerasNetException($"OrthogonalRegularizer: mode must be \"rows\" or \"columns\", got \"{mode}\".");
        Factor = factor;
        Mode = mode;
    }

    /// <summary>The penalty factor.</summary>
    public double Factor { get; }

    /// <summary>"rows" or "columns".</summary>
    public string Mode { get; }

    /// <inheritdoc/>
    public override string ClassName => "OrthogonalRegularizer";

    /// <inheritdoc/>
    internal override bool IsZero => Factor == 0;

    /// <inheritdoc/>
    public override JsonObject GetConfig() => AsRead(new() { ["factor"] = Factor, ["mode"] = Mode });

    /// <inheritdoc/>
    internal override string? Refusal(ReadOnlySpan<int> shape)
    {
        if (shape.Length != 2) return $"OrthogonalRegularizer on a tensor of rank {shape.Length} (Keras needs rank 2)";
        int n = Mode == "rows" ? shape[0] : shape[1];
        // Keras divides by n (n - 1) / 2 pairs: one vector gives 0 / 0, a NaN loss.
        return n < 2 ? $"OrthogonalRegularizer over {n} {Mode} (Keras's penalty is 0/0, NaN, for fewer than 2)" : null;
    }

    /// <inheritdoc/>
    internal override double Apply(ReadOnlySpan<float> x, ReadOnlySpan<int> shape, Span<float> grad, float scale)
    {
        if (Refusal(shape) is { } why) throw new KerasNetException($"Cannot apply {why}.");
        bool byRows = Mode == "rows";
        int n = byRows ? shape[0] : shape[1], len = byRows ? shape[1] : shape[0];
        int size = n * len;
        var pool = ArrayPool<float>.Shared;
        float[] v = pool.Rent(size), dv = pool.Rent(size), inv = pool.Rent(n);
        try
        {
            // v: the n vectors, each contiguous (a transposed copy in columns mode), normalised in place.
            for (int i = 0; i < n; i++)
                for (int k = 0; k < len; k++) v[i * len + k] = byRows ? x[i * len + k] : x[k * n + i];
            for (int i = 0; i < n; i++)
            {
                var row = v.AsSpan(i * len, len);
                inv[i] = MathF.Min(1f / MathF.Sqrt(TensorPrimitives.SumOfSquares(row)), 1f / Epsilon);
                TensorPrimitives.Multiply(row, inv[i], row);
            }
            double pairs = n * (n - 1.0) / 2.0, c = (float)Factor * 0.5 / pairs;
            bool wantGrad = !grad.IsEmpty;
            if (wantGrad) dv.AsSpan(0, size).Clear();
            double sum = 0;
            float g = (float)(2 * c * scale); // d/dN_i of c * sum_{i != j} |N_i . N_j| = 2c * sum_j sign(P_ij) N_j
            for (int i = 0; i < n; i++)
            {
                var ni = v.AsSpan(i * len, len);
                for (int j = i + 1; j < n; j++)
                {
                    var nj = v.AsSpan(j * len, len);
                    float p = TensorPrimitives.Dot(ni, nj);
                    sum += 2 * Math.Abs(p); // P is symmetric: (i, j) and (j, i)
                    if (!wantGrad || p == 0) continue; // sign(0) = 0, as TensorFlow's abs gradient
                    float s = p > 0 ? g : -g;
                    TensorPrimitives.MultiplyAdd(nj, s, dv.AsSpan(i * len, len), dv.AsSpan(i * len, len));
                    TensorPrimitives.MultiplyAdd(ni, s, dv.AsSpan(j * len, len), dv.AsSpan(j * len, len));
                }
            }
            if (wantGrad) AddNormalizeGradient(v, dv, inv, n, len, byRows, grad);
            return c * sum;
        }
        finally
        {
            pool.Return(v);
            pool.Return(dv);
            pool.Return(inv);
        }
    }

    // Back through N = x * inv, inv = rsqrt(|x|^2): dx = inv * (dN - N (N . dN)); where inv was clipped at 1/eps
    // it is a constant and dx = inv * dN.
    private static void AddNormalizeGradient(float[] v, float[] dv, float[] inv, int n, int len, bool byRows, Span<float> grad)
    {
        for (int i = 0; i < n; i++)
        {
            var ni = v.AsSpan(i * len, len);
            var di = dv.AsSpan(i * len, len);
            if (inv[i] < 1f / Epsilon) TensorPrimitives.MultiplyAdd(ni, -TensorPrimitives.Dot(ni, di), di, di);
            for (int k = 0; k < len; k++) grad[byRows ? i * len + k : k * n + i] += inv[i] * di[k];
        }
    }
}
