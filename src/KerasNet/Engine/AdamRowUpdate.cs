#nullable enable
using KerasNet.Engine.Kernels;

namespace KerasNet.Engine;

/// <summary>
/// Adam as an <see cref="IWeightUpdate"/> over one weight's m and v slots. The fused dense backward pass recognises it
/// and applies the update inside its own loop; anything else calls <see cref="Update"/> per row.
/// </summary>
internal sealed unsafe class AdamRowUpdate : IWeightUpdate
{
    internal readonly float[] M, V;
    internal AdamMath Math;

    /// <summary>Wraps the slots (same length as the weight).</summary>
    public AdamRowUpdate(float[] m, float[] v)
    {
        ArgumentNullException.ThrowIfNull(m);
        ArgumentNullException.ThrowIfNull(v);
        M = m; V = v;
    }

    /// <summary>Sets this step's coefficients (lr_t with bias correction, 1 - beta1, 1 - beta2, epsilon).</summary>
    public void SetStep(float lrT, float oneMinusB1, float oneMinusB2, float eps) => Math = new AdamMath(lrT, oneMinusB1, oneMinusB2, eps);

    /// <inheritdoc/>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Update(int offset, Span<float> w, ReadOnlySpan<float> g)
    {
        // The step runs on raw pointers into the slots: the range must lie inside both, and g must cover w.
        BufferCheck.Dim(offset, nameof(offset), nameof(Update));
        BufferCheck.Count(g.Length, w.Length, nameof(g), nameof(Update));
        BufferCheck.Count(M.Length, (long)offset + w.Length, "m", nameof(Update));
        BufferCheck.Count(V.Length, (long)offset + w.Length, "v", nameof(Update));
        fixed (float* pw = w, pg = g, pm = M, pv = V) Math.Run(pw, pg, pm + offset, pv + offset, w.Length);
    }
}
