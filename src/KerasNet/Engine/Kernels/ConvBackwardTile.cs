#nullable enable
using System.Runtime.CompilerServices;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// The register-blocked micro-kernel of the implicit filter gradient (<see cref="ConvBackwardFilter"/>), written once
/// over the vector width: an R x NR tile of dW (R kernel taps, NR = 2 * TS.Lanes filters) summed over the output pixels
/// of a few output rows, x read straight from the NHWC image through each tap's offset and the output gradient one
/// pixel (two vectors) at a time. The accumulators stay in registers across every row of the block, so the only memory
/// traffic per pixel is the gradient row (L1-resident for the block) and one broadcast per tap. Hand-unrolled (as
/// <see cref="GemmTile"/>) so the JIT keeps all sixteen accumulators in registers; the IRows type argument removes the
/// unused rows.
/// </summary>
internal static unsafe class ConvBackwardTile
{
    /// <summary>What every tile of one pixel block shares: the image, its strides and the block's rows.</summary>
    internal readonly struct Block(float* image, nint imageStride, nint rowStride, nint step, int outH, int outW, int row0, int rows, float* g, nint ldg)
    {
        /// <summary>First (padded) image of the batch; one image is <see cref="ImageStride"/> floats.</summary>
        public readonly float* Image = image;
        public readonly nint ImageStride = imageStride, RowStride = rowStride, Step = step, Ldg = ldg;
        public readonly int OutH = outH, OutW = outW, Row0 = row0, Rows = rows;
        /// <summary>The output gradient of the block's first pixel (at this panel's first filter); pixel p at G + p * Ldg.</summary>
        public readonly float* G = g;
    }

    /// <summary>dw[r, 0..NR) = (load ? dw : 0) + sum over the block's pixels of x[pixel + off[r]] * g[pixel, 0..NR).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Full<TR, TS, TV>(in Block blk, int* off, float* c, nint ldc, bool load)
        where TR : struct, IRows where TS : struct, ISimd<TV> where TV : struct
    {
        TV c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        if (load)
        {
            { c00 = TS.Load(c + 0 * ldc); c01 = TS.Load(c + 0 * ldc + TS.Lanes); }
            if (TR.R > 1) { c10 = TS.Load(c + 1 * ldc); c11 = TS.Load(c + 1 * ldc + TS.Lanes); }
            if (TR.R > 2) { c20 = TS.Load(c + 2 * ldc); c21 = TS.Load(c + 2 * ldc + TS.Lanes); }
            if (TR.R > 3) { c30 = TS.Load(c + 3 * ldc); c31 = TS.Load(c + 3 * ldc + TS.Lanes); }
            if (TR.R > 4) { c40 = TS.Load(c + 4 * ldc); c41 = TS.Load(c + 4 * ldc + TS.Lanes); }
            if (TR.R > 5) { c50 = TS.Load(c + 5 * ldc); c51 = TS.Load(c + 5 * ldc + TS.Lanes); }
            if (TR.R > 6) { c60 = TS.Load(c + 6 * ldc); c61 = TS.Load(c + 6 * ldc + TS.Lanes); }
            if (TR.R > 7) { c70 = TS.Load(c + 7 * ldc); c71 = TS.Load(c + 7 * ldc + TS.Lanes); }
        }
        nint o0 = off[0], o1 = TR.R > 1 ? off[1] : 0, o2 = TR.R > 2 ? off[2] : 0, o3 = TR.R > 3 ? off[3] : 0;
        nint o4 = TR.R > 4 ? off[4] : 0, o5 = TR.R > 5 ? off[5] : 0, o6 = TR.R > 6 ? off[6] : 0, o7 = TR.R > 7 ? off[7] : 0;
        nint step = blk.Step, ldg = blk.Ldg;
        int outW = blk.OutW;
        float* g = blk.G;
        for (int r = 0; r < blk.Rows; r++)
        {
            int row = blk.Row0 + r, n = row / blk.OutH;
            float* x = blk.Image + n * blk.ImageStride + (row - n * blk.OutH) * blk.RowStride;
            float* a0 = x + o0, a1 = x + o1, a2 = x + o2, a3 = x + o3, a4 = x + o4, a5 = x + o5, a6 = x + o6, a7 = x + o7;
            for (int ow = 0; ow < outW; ow++)
            {
                var b0 = TS.Load(g); var b1 = TS.Load(g + TS.Lanes);
                { var v = TS.Splat(*a0); c00 = TS.Fma(v, b0, c00); c01 = TS.Fma(v, b1, c01); a0 += step; }
                if (TR.R > 1) { var v = TS.Splat(*a1); c10 = TS.Fma(v, b0, c10); c11 = TS.Fma(v, b1, c11); a1 += step; }
                if (TR.R > 2) { var v = TS.Splat(*a2); c20 = TS.Fma(v, b0, c20); c21 = TS.Fma(v, b1, c21); a2 += step; }
                if (TR.R > 3) { var v = TS.Splat(*a3); c30 = TS.Fma(v, b0, c30); c31 = TS.Fma(v, b1, c31); a3 += step; }
                if (TR.R > 4) { var v = TS.Splat(*a4); c40 = TS.Fma(v, b0, c40); c41 = TS.Fma(v, b1, c41); a4 += step; }
                if (TR.R > 5) { var v = TS.Splat(*a5); c50 = TS.Fma(v, b0, c50); c51 = TS.Fma(v, b1, c51); a5 += step; }
                if (TR.R > 6) { var v = TS.Splat(*a6); c60 = TS.Fma(v, b0, c60); c61 = TS.Fma(v, b1, c61); a6 += step; }
                if (TR.R > 7) { var v = TS.Splat(*a7); c70 = TS.Fma(v, b0, c70); c71 = TS.Fma(v, b1, c71); a7 += step; }
                g += ldg;
            }
        }
        { TS.Store(c00, c + 0 * ldc); TS.Store(c01, c + 0 * ldc + TS.Lanes); }
        if (TR.R > 1) { TS.Store(c10, c + 1 * ldc); TS.Store(c11, c + 1 * ldc + TS.Lanes); }
        if (TR.R > 2) { TS.Store(c20, c + 2 * ldc); TS.Store(c21, c + 2 * ldc + TS.Lanes); }
        if (TR.R > 3) { TS.Store(c30, c + 3 * ldc); TS.Store(c31, c + 3 * ldc + TS.Lanes); }
        if (TR.R > 4) { TS.Store(c40, c + 4 * ldc); TS.Store(c41, c + 4 * ldc + TS.Lanes); }
        if (TR.R > 5) { TS.Store(c50, c + 5 * ldc); TS.Store(c51, c + 5 * ldc + TS.Lanes); }
        if (TR.R > 6) { TS.Store(c60, c + 6 * ldc); TS.Store(c61, c + 6 * ldc + TS.Lanes); }
        if (TR.R > 7) { TS.Store(c70, c + 7 * ldc); TS.Store(c71, c + 7 * ldc + TS.Lanes); }
    }

    /// <summary>
    /// One tile of up to MR taps x NR filters at c; a tile narrower than NR filters (the last panel of a filter count
    /// that is not a multiple of NR: its gradient columns are zero-padded by the caller) goes through a stack tile.
    /// </summary>
    internal static void Tile<TS, TV>(int taps, int cols, in Block blk, int* off, float* c, nint ldc, bool load)
        where TS : struct, ISimd<TV> where TV : struct
    {
        int nr = 2 * TS.Lanes;
        if (cols == nr) { RowsDispatch.Run(taps, new Call<TS, TV>(blk, off, c, ldc, load)); return; }
        float* t = stackalloc float[Gemm.MR * Gemm.NR]; // the largest tile of any width
        if (load)
            for (int r = 0; r < taps; r++)
                for (int j = 0; j < cols; j++) t[r * nr + j] = c[r * ldc + j];
        RowsDispatch.Run(taps, new Call<TS, TV>(blk, off, t, nr, load));
        for (int r = 0; r < taps; r++)
            for (int j = 0; j < cols; j++) c[r * ldc + j] = t[r * nr + j];
    }

    private readonly struct Call<TS, TV>(Block blk, int* off, float* c, nint ldc, bool load) : IRowsCall
        where TS : struct, ISimd<TV> where TV : struct
    {
        public void Run<TR>() where TR : struct, IRows => Full<TR, TS, TV>(blk, off, c, ldc, load);
    }
}
