#nullable enable
using KerasNet.Engine.Kernels;

namespace KerasNet.Engine;

internal sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void EmbeddingLookup(int[] ids, int count, float[] table, int rows, int dim, float[] output)
    {
        CheckEmbedding(ids, count, rows, dim, nameof(EmbeddingLookup));
        BufferCheck.Length(table, (long)rows * dim, nameof(table), nameof(EmbeddingLookup));
        BufferCheck.Length(output, (long)count * dim, nameof(output), nameof(EmbeddingLookup));
        EmbeddingKernels.Lookup(ids.AsSpan(0, count), table, dim, output);
    }

    /// <inheritdoc/>
    public void EmbeddingGradient(int[] ids, int count, float[] gradOutput, int rows, int dim, float[] grad)
    {
        CheckEmbedding(ids, count, rows, dim, nameof(EmbeddingGradient));
        BufferCheck.Length(gradOutput, (long)count * dim, nameof(gradOutput), nameof(EmbeddingGradient));
        BufferCheck.Length(grad, (long)rows * dim, nameof(grad), nameof(EmbeddingGradient));
        grad.AsSpan(0, rows * dim).Clear();
        EmbeddingKernels.ScatterAdd(ids.AsSpan(0, count), gradOutput, dim, grad);
    }

    private static void CheckEmbedding(int[] ids, int count, int rows, int dim, string op)
    {
        BufferCheck.Dim(count, nameof(count), op);
        BufferCheck.Dim(rows, nameof(rows), op);
        BufferCheck.Dim(dim, nameof(dim), op);
        BufferCheck.Length(ids, count, nameof(ids), op);
        for (int i = 0; i < count; i++)
            if ((uint)ids[i] >= (uint)rows)
                throw new ArgumentOutOfRangeException(nameof(ids), ids[i], $"{op}: ids[{i}] = {ids[i]} is not in [0, {rows}).");
    }
}
