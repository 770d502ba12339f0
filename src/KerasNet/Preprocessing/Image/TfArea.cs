#nullable enable
using System.Buffers;

namespace KerasNet.Preprocessing.Image;

/// <summary>
/// tf.image.resize's "area": TensorFlow's ResizeArea (align_corners off), in its float32 arithmetic. With
/// scale = in / out per axis, output cell x covers the source interval [x * scale, (x + 1) * scale); each source
/// pixel it touches weighs the length it overlaps (1 inside, a fraction at the two ends, indices clamped to the
/// image). Per output pixel and source row: <c>p[start] * startWeight + p[start+1] + ... + p[end-1] * endWeight</c>;
/// those row sums times their row weights are added from 0 in row order, and the total is multiplied by
/// <c>1 / (scaleY * scaleX)</c>.
/// </summary>
internal static class TfArea
{
    /// <summary>The source cells [Start, End) of one output position and the weights of the first and the last.</summary>
    private readonly record struct Cell(int Start, int End, float StartWeight, float EndWeight);

    /// <summary>Resizes the region <paramref name="box"/> of a (height, width, bands) byte image into (outH, outW, bands) floats.</summary>
    public static void Resize(ReadOnlySpan<byte> src, int width, int bands, (int Y, int X, int H, int W) box, int outH, int outW, Span<float> dst)
    {
        float scaleY = (float)box.H / outH, scaleX = (float)box.W / outW; // CalculateResizeScale without align_corners
        float norm = (float)(1.0 / (scaleY * scaleX)); // the product is a float, the quotient a double rounded to float
        var cells = new Cell[outW];
        for (int x = 0; x < outW; x++)
        {
            float lo = x * scaleX, hi = (x + 1) * scaleX;
            int start = (int)MathF.Floor(lo), end = (int)MathF.Ceiling(hi);
            cells[x] = new Cell(start, end, Overlap(start, lo, hi, scaleX), Overlap(end - 1, lo, hi, scaleX));
        }
        int outRow = outW * bands;
        // The horizontal sums of every source row of the box, computed once and shared by the output rows.
        float[] sums = ArrayPool<float>.Shared.Rent(box.H * outRow);
        try
        {
            for (int r = 0; r < box.H; r++)
            {
                var line = src.Slice(((box.Y + r) * width + box.X) * bands, box.W * bands);
                var to = sums.AsSpan(r * outRow, outRow);
                for (int x = 0; x < outW; x++)
                {
                    var cell = cells[x];
                    for (int c = 0; c < bands; c++)
                    {
                        float sum = line[Bound(cell.Start, box.W) * bands + c] * cell.StartWeight;
                        if (cell.Start + 1 != cell.End)
                        {
                            for (int i = cell.Start + 1; i < cell.End - 1; i++) sum += line[Bound(i, box.W) * bands + c];
                            sum += line[Bound(cell.End - 1, box.W) * bands + c] * cell.EndWeight;
                        }
                        to[x * bands + c] = sum;
                    }
                }
            }
            for (int y = 0; y < outH; y++)
            {
                float lo = y * scaleY, hi = (y + 1) * scaleY;
                int start = (int)MathF.Floor(lo), end = (int)MathF.Ceiling(hi);
                var acc = dst.Slice(y * outRow, outRow);
                acc.Clear();
                for (int i = start; i < end; i++)
                    TfScaleAndTranslate.AddScaled(sums.AsSpan(Bound(i, box.H) * outRow, outRow), Overlap(i, lo, hi, scaleY), acc);
                for (int k = 0; k < outRow; k++) acc[k] *= norm;
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(sums);
        }
    }

    // How much of source cell [v, v + 1) lies in [lo, hi): the whole output cell's length when it lies inside one
    // source cell, the part past lo for the first, the part before hi for the last, 1 between (ints compared as floats).
    private static float Overlap(int v, float lo, float hi, float scale) =>
        v < lo ? (v + 1 > hi ? scale : v + 1 - lo) : (v + 1 > hi ? hi - v : 1.0f);

    private static int Bound(int v, int limit) => Math.Min(limit - 1, Math.Max(0, v));
}
