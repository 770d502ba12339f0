#nullable enable
namespace KerasNet.Engine;

/// <summary>
/// The arithmetic of a 2-D sliding window over an NHWC batch (convolution or pooling), with TensorFlow's
/// padding rules: 'valid' drops incomplete windows, 'same' gives ceil(size / stride) outputs and puts an
/// odd extra padding pixel at the bottom/right.
/// </summary>
internal readonly record struct ConvGeometry(
    int Batch, int InH, int InW, int InC,
    int KH, int KW, int StrideH, int StrideW,
    int PadTop, int PadLeft, int OutH, int OutW)
{
    /// <summary>Computes the geometry for a window of kh x kw with the given strides and padding ("valid" or "same").</summary>
    public static ConvGeometry Create(int batch, int h, int w, int c, int kh, int kw, int sh, int sw, string padding)
    {
        int oh, ow, pt = 0, pl = 0;
        // 64-bit: absurd windows or strides (a layer built in code with kernel_size 2^31 - 1) must not wrap around.
        if ((long)kh * kw * Math.Max(c, 1) > int.MaxValue || (long)kh + h > int.MaxValue || (long)kw + w > int.MaxValue)
            throw new ShapeMismatchException($"a window of ({kh}, {kw}) over {c} channels is too large for KerasNet's 2^31-element buffers.");
        if (padding == "same")
        {
            oh = (int)(((long)h + sh - 1) / sh);
            ow = (int)(((long)w + sw - 1) / sw);
            pt = (int)(Math.Max((long)(oh - 1) * sh + kh - h, 0) / 2);
            pl = (int)(Math.Max((long)(ow - 1) * sw + kw - w, 0) / 2);
        }
        else if (padding == "valid")
        {
            oh = h >= kh ? (h - kh) / sh + 1 : 0;
            ow = w >= kw ? (w - kw) / sw + 1 : 0;
        }
        else throw new ArgumentException($"Unknown padding '{padding}': expected 'valid' or 'same'.");
        return new ConvGeometry(batch, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow);
    }

    /// <summary>Output spatial size for a window, as Keras's conv_utils.conv_output_length (0 when a 'valid' window does not fit).</summary>
    public static int OutputLength(int size, int window, int stride, string padding) =>
        padding == "same" ? (int)(((long)size + stride - 1) / stride) : (size >= window ? (size - window) / stride + 1 : 0);

    /// <summary>Rows of the im2col matrix (one per output pixel over the batch).</summary>
    public int Rows => Batch * OutH * OutW;

    /// <summary>Columns of the im2col matrix (one per kernel tap and input channel).</summary>
    public int Cols => KH * KW * InC;
}
