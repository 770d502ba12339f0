#nullable enable
namespace KerasNet.Preprocessing.Image;

/// <summary>
/// tf.image.resize's "bicubic" (antialias off): TensorFlow's ResizeBicubic with half-pixel centres, in its float32
/// arithmetic. Keys' cubic (a = -0.5) is read from TensorFlow's 1024-step table (delta rounded with lrintf); taps
/// outside the image get weight 0 and the four weights are renormalised (as scale_and_translate does); each of the
/// four columns is interpolated vertically first (<c>v0 w0 + v1 w1 + v2 w2 + v3 w3</c>), then those horizontally.
/// </summary>
internal static class TfBicubic
{
    private const int TableSize = 1 << 10; // TensorFlow's kTableSize
    private static readonly float[] Table = BuildTable(-0.5);
    private const float FloatMinNormal = 1.17549435e-38f; // std::numeric_limits<float>::min(), TensorFlow's renormalisation floor

    // InitCoeffsTable: x is a float, the polynomial is evaluated in double (a is a double) and stored as float.
    private static float[] BuildTable(double a)
    {
        var t = new float[(TableSize + 1) * 2];
        for (int i = 0; i <= TableSize; i++)
        {
            float x = (float)(i * 1.0 / TableSize);
            t[i * 2] = (float)(((a + 2) * x - (a + 3)) * x * x + 1);
            x += 1.0f;
            t[i * 2 + 1] = (float)(((a * x - 5 * a) * x + 8 * a) * x - 4 * a);
        }
        return t;
    }

    /// <summary>The four source indices and weights of each output position along one axis.</summary>
    private static (int[] Index, float[] Weight) Taps(int inSize, int outSize)
    {
        float scale = (float)inSize / outSize;
        var index = new int[outSize * 4];
        var weight = new float[outSize * 4];
        for (int o = 0; o < outSize; o++)
        {
            float inLoc = (o + 0.5f) * scale - 0.5f; // HalfPixelScaler
            int loc = (int)MathF.Floor(inLoc);
            float delta = inLoc - loc;
            int offset = (int)MathF.Round(delta * TableSize, MidpointRounding.ToEven); // lrintf
            Span<float> w = [Table[offset * 2 + 1], Table[offset * 2], Table[(TableSize - offset) * 2], Table[(TableSize - offset) * 2 + 1]];
            for (int k = 0; k < 4; k++)
            {
                int at = loc - 1 + k, bounded = Math.Clamp(at, 0, inSize - 1);
                index[o * 4 + k] = bounded;
                if (bounded != at) w[k] = 0;
            }
            float sum = w[0] + w[1] + w[2] + w[3];
            if (MathF.Abs(sum) >= 1000.0f * FloatMinNormal)
            {
                float inv = 1.0f / sum;
                for (int k = 0; k < 4; k++) w[k] *= inv;
            }
            for (int k = 0; k < 4; k++) weight[o * 4 + k] = w[k];
        }
        return (index, weight);
    }

    /// <summary>Resizes the region <paramref name="box"/> of a (height, width, bands) byte image into (outH, outW, bands) floats.</summary>
    public static void Resize(ReadOnlySpan<byte> src, int width, int bands, (int Y, int X, int H, int W) box, int outH, int outW, Span<float> dst)
    {
        var (yi, yw) = Taps(box.H, outH);
        var (xi, xw) = Taps(box.W, outW);
        Span<float> col = stackalloc float[4];
        for (int y = 0; y < outH; y++)
        {
            int r0 = Row(yi[y * 4]), r1 = Row(yi[y * 4 + 1]), r2 = Row(yi[y * 4 + 2]), r3 = Row(yi[y * 4 + 3]);
            float w0 = yw[y * 4], w1 = yw[y * 4 + 1], w2 = yw[y * 4 + 2], w3 = yw[y * 4 + 3];
            for (int x = 0; x < outW; x++)
                for (int c = 0; c < bands; c++)
                {
                    for (int k = 0; k < 4; k++)
                    {
                        int at = xi[x * 4 + k] * bands + c;
                        col[k] = (float)src[r0 + at] * w0 + (float)src[r1 + at] * w1 + (float)src[r2 + at] * w2 + (float)src[r3 + at] * w3;
                    }
                    dst[(y * outW + x) * bands + c] = col[0] * xw[x * 4] + col[1] * xw[x * 4 + 1] + col[2] * xw[x * 4 + 2] + col[3] * xw[x * 4 + 3];
                }
        }

        int Row(int iy) => ((box.Y + iy) * width + box.X) * bands;
    }
}
