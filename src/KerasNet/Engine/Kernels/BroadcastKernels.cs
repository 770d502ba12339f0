#nullable enable
using System.Numerics.Tensors;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// Broadcasting between a tensor's shape and a smaller shape that has 1 on some axes (Keras's noise_shape, PReLU's
/// shared_axes): y = x * mul + add with mul/add broadcast, expanding a small tensor, and summing back onto it.
/// Adjacent axes that are both broadcast or both kept are merged first, so the loops run over long contiguous rows.
/// </summary>
internal static class BroadcastKernels
{
    /// <summary>The merged axes of (shape, small): sizes and whether each is broadcast; checks the small shape fits.</summary>
    private static int Merge(ReadOnlySpan<int> shape, ReadOnlySpan<int> small, Span<int> dims, Span<bool> bcast, out long full, out long part, string op)
    {
        if (small.Length != shape.Length) throw new ArgumentException($"{op}: shapes of rank {shape.Length} and {small.Length}.", nameof(small));
        full = 1; part = 1;
        int rank = 0;
        for (int d = 0; d < shape.Length; d++)
        {
            if (small[d] != 1 && small[d] != shape[d])
                throw new ArgumentException($"{op}: dimension {d} of the broadcast shape is {small[d]}, must be 1 or {shape[d]}.", nameof(small));
            full *= shape[d];
            part *= small[d];
            if (shape[d] == 1) continue;
            bool b = small[d] == 1;
            if (rank > 0 && bcast[rank - 1] == b) dims[rank - 1] *= shape[d];
            else { dims[rank] = shape[d]; bcast[rank] = b; rank++; }
        }
        if (rank == 0) { dims[0] = 1; bcast[0] = false; rank = 1; }
        return rank;
    }

    /// <summary>y = x * mul + add (add may be empty), mul and add of shape <paramref name="small"/>; y may be x.</summary>
    public static void Affine(ReadOnlySpan<float> x, ReadOnlySpan<float> mul, ReadOnlySpan<float> add, Span<float> y,
        ReadOnlySpan<int> shape, ReadOnlySpan<int> small)
    {
        Span<int> dims = stackalloc int[Math.Max(1, shape.Length)];
        Span<bool> bcast = stackalloc bool[Math.Max(1, shape.Length)];
        int rank = Merge(shape, small, dims, bcast, out long full, out long part, nameof(Affine));
        BufferCheck.Count(x.Length, full, nameof(x), nameof(Affine));
        BufferCheck.Count(y.Length, full, nameof(y), nameof(Affine));
        BufferCheck.Count(mul.Length, part, nameof(mul), nameof(Affine));
        if (!add.IsEmpty) BufferCheck.Count(add.Length, part, nameof(add), nameof(Affine));
        Walk(new Job(x, mul, add, y, Op.Affine), dims[..rank], bcast[..rank], 0, 0, 0);
    }

    /// <summary>dst (full shape) = src (shape <paramref name="small"/>) repeated along the broadcast axes.</summary>
    public static void Expand(ReadOnlySpan<float> src, Span<float> dst, ReadOnlySpan<int> shape, ReadOnlySpan<int> small)
    {
        Span<int> dims = stackalloc int[Math.Max(1, shape.Length)];
        Span<bool> bcast = stackalloc bool[Math.Max(1, shape.Length)];
        int rank = Merge(shape, small, dims, bcast, out long full, out long part, nameof(Expand));
        BufferCheck.Count(src.Length, part, nameof(src), nameof(Expand));
        BufferCheck.Count(dst.Length, full, nameof(dst), nameof(Expand));
        Walk(new Job(default, src, default, dst, Op.Expand), dims[..rank], bcast[..rank], 0, 0, 0);
    }

    /// <summary>dst (shape <paramref name="small"/>, overwritten) = src (full shape) summed over the broadcast axes, in index order.</summary>
    public static void SumTo(ReadOnlySpan<float> src, Span<float> dst, ReadOnlySpan<int> shape, ReadOnlySpan<int> small)
    {
        Span<int> dims = stackalloc int[Math.Max(1, shape.Length)];
        Span<bool> bcast = stackalloc bool[Math.Max(1, shape.Length)];
        int rank = Merge(shape, small, dims, bcast, out long full, out long part, nameof(SumTo));
        BufferCheck.Count(src.Length, full, nameof(src), nameof(SumTo));
        BufferCheck.Count(dst.Length, part, nameof(dst), nameof(SumTo));
        dst[..(int)part].Clear();
        Walk(new Job(src, default, default, dst, Op.Sum), dims[..rank], bcast[..rank], 0, 0, 0);
    }

    private enum Op { Affine, Expand, Sum }

    // Full is the full-shape operand (x for Affine, src for Sum), Small the small one (mul, or src for Expand), Out the
    // destination (full shape for Affine/Expand, small for Sum).
    private readonly ref struct Job(ReadOnlySpan<float> full, ReadOnlySpan<float> small, ReadOnlySpan<float> add, Span<float> output, Op op)
    {
        public readonly ReadOnlySpan<float> Full = full, Small = small, Add = add;
        public readonly Span<float> Out = output;
        public readonly Op Op = op;
    }

    // Recursion over the merged axes: position p in the full shape, q in the small one.
    private static void Walk(in Job j, ReadOnlySpan<int> dims, ReadOnlySpan<bool> bcast, int axis, long p, long q)
    {
        int n = dims[axis];
        if (axis == dims.Length - 1)
        {
            Row(j, n, bcast[axis], (int)p, (int)q);
            return;
        }
        long pStride = 1, qStride = 1;
        for (int d = axis + 1; d < dims.Length; d++)
        {
            pStride *= dims[d];
            if (!bcast[d]) qStride *= dims[d];
        }
        for (int k = 0; k < n; k++) Walk(j, dims, bcast, axis + 1, p + k * pStride, bcast[axis] ? q : q + k * qStride);
    }

    private static void Row(in Job j, int n, bool bcast, int p, int q)
    {
        switch (j.Op)
        {
            case Op.Affine:
                var x = j.Full.Slice(p, n);
                var y = j.Out.Slice(p, n);
                if (!bcast)
                {
                    if (j.Add.IsEmpty) TensorPrimitives.Multiply(x, j.Small.Slice(q, n), y);
                    else TensorPrimitives.MultiplyAdd(x, j.Small.Slice(q, n), j.Add.Slice(q, n), y);
                }
                else
                {
                    TensorPrimitives.Multiply(x, j.Small[q], y);
                    if (!j.Add.IsEmpty) TensorPrimitives.Add(y, j.Add[q], y);
                }
                break;
            case Op.Expand:
                if (!bcast) j.Small.Slice(q, n).CopyTo(j.Out.Slice(p, n));
                else j.Out.Slice(p, n).Fill(j.Small[q]);
                break;
            case Op.Sum:
                if (!bcast) TensorPrimitives.Add(j.Out.Slice(q, n), j.Full.Slice(p, n), j.Out.Slice(q, n));
                else j.Out[q] += TensorPrimitives.Sum(j.Full.Slice(p, n));
                break;
        }
    }
}
