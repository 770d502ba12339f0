#nullable enable
using System.Numerics.Tensors;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// Row gathers and scatter-adds of an embedding table. Both are bound by memory traffic (one row copied or added per
/// id, rows of tens to hundreds of floats), so they run on one thread with vectorised row copies and adds; the
/// scatter-add must also keep repeated ids' contributions in order, which a split over ids would not.
/// </summary>
internal static class EmbeddingKernels
{
    /// <summary>output[i, :] = table[ids[i], :] (ids checked by the caller).</summary>
    public static void Lookup(ReadOnlySpan<int> ids, float[] table, int dim, float[] output)
    {
        for (int i = 0; i < ids.Length; i++)
            table.AsSpan(ids[i] * dim, dim).CopyTo(output.AsSpan(i * dim, dim));
    }

    /// <summary>grad[ids[i], :] += gradOutput[i, :] in id order (ids checked by the caller).</summary>
    public static void ScatterAdd(ReadOnlySpan<int> ids, float[] gradOutput, int dim, float[] grad)
    {
        for (int i = 0; i < ids.Length; i++)
        {
            var row = grad.AsSpan(ids[i] * dim, dim);
            TensorPrimitives.Add(row, gradOutput.AsSpan(i * dim, dim), row);
        }
    }
}
