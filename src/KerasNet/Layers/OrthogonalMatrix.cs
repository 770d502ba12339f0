#nullable enable
using System.Numerics.Tensors;
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>
/// The Q of a random normal matrix's QR decomposition, R's diagonal positive (what Keras's
/// <c>q * sign(diag(r))</c> makes of any QR), by block Gram-Schmidt with reorthogonalisation (CGS2): each block of
/// columns is projected off the finished ones by two GEMMs, twice, then orthonormalised within itself. The GEMMs
/// carry the O(n k^2) work, so a 12544 x 3137 kernel takes seconds, not minutes. float32, as Keras's own QR.
/// </summary>
internal static class OrthogonalMatrix
{
    private const int Block = 32;

    /// <summary>Fills a row-major rows x cols matrix: orthonormal columns when tall, orthonormal rows when wide, times gain.</summary>
    public static void Fill(Span<float> dest, int rows, int cols, double gain, Random rng)
    {
        int n = Math.Max(rows, cols), k = Math.Min(rows, cols);
        // Keras draws the (max, min) normal matrix; Q (n x k, row-major) is orthonormalised in place, block by block.
        var q = new float[n * k];
        for (int i = 0; i < q.Length; i++) q[i] = (float)Initializer.StandardNormal(rng);
        var v = new float[n * Block];        // the current block, row-major n x jb (for the GEMMs)
        var cols1 = new float[Block][];      // the same block column by column (for the inner Gram-Schmidt)
        for (int c = 0; c < Block; c++) cols1[c] = new float[n];
        var t = new float[k * Block];
        var p = new float[n * Block];
        var be = Backend.Current;
        for (int j0 = 0; j0 < k; j0 += Block)
        {
            int jb = Math.Min(Block, k - j0);
            for (int r = 0; r < n; r++) q.AsSpan(r * k + j0, jb).CopyTo(v.AsSpan(r * jb, jb));
            for (int pass = 0; pass < 2 && j0 > 0; pass++)
            {
                // T = Q0^T V, then V -= Q0 T, with Q0 the j0 finished columns.
                be.Gemm(true, false, j0, jb, n, q, k, v, jb, t, jb, false);
                be.Gemm(false, false, n, jb, j0, q, k, t, jb, p, jb, false);
                TensorPrimitives.Subtract(v.AsSpan(0, n * jb), p.AsSpan(0, n * jb), v.AsSpan(0, n * jb));
            }
            for (int c = 0; c < jb; c++)
                for (int r = 0; r < n; r++) cols1[c][r] = v[r * jb + c];
            for (int c = 0; c < jb; c++)
            {
                var col = cols1[c];
                for (int pass = 0; pass < 2; pass++)
                    for (int e = 0; e < c; e++) TensorPrimitives.MultiplyAdd(cols1[e], -TensorPrimitives.Dot(cols1[e], col), col, col);
                float norm = TensorPrimitives.Norm(col);
                if (!(norm > 0)) throw new KerasNetException("Orthogonal initializer: degenerate random matrix; try another seed.");
                TensorPrimitives.Divide(col, norm, col);
                for (int r = 0; r < n; r++) q[r * k + j0 + c] = col[r];
            }
        }
        float g = (float)gain;
        if (rows >= cols)
        {
            TensorPrimitives.Multiply(q, g, dest);
            return;
        }
        // Wide: the weight is Q transposed, so its rows are orthonormal.
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) dest[r * cols + c] = g * q[c * k + r];
    }
}
