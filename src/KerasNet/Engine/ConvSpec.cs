#nullable enable
namespace KerasNet.Engine;

/// <summary>
/// A 2-D convolution over an NHWC batch in full generality: <see cref="ConvGeometry"/>'s window, strides and
/// padding plus a dilation (taps <c>DilationH</c> rows / <c>DilationW</c> columns apart) and channel groups (input
/// channels and filters split into <c>Groups</c> equal parts, group g's filters reading only group g's channels; the
/// kernel is stored (KH, KW, InC / Groups, filters) as Keras does). 1-D convolutions are the case InH = KH = 1.
/// Paddings follow TensorFlow: 'same' gives ceil(size / stride) outputs with the odd pixel of padding at the
/// bottom/right, 'causal' pads only on the left by the dilated kernel's reach. A depthwise convolution is the case
/// Groups = InC (filters = InC * depth multiplier, kernel (KH, KW, InC, multiplier) in the same memory order).
/// </summary>
internal readonly record struct ConvSpec(
    int Batch, int InH, int InW, int InC,
    int KH, int KW, int StrideH, int StrideW,
    int DilationH, int DilationW, int PadTop, int PadLeft, int OutH, int OutW, int Groups = 1)
{
    /// <summary>
    /// The convolution of a batch of h x w x c images with a kh x kw kernel: padding "valid", "same" or "causal"
    /// ('causal' pads the width only, as Keras's Conv1D does along its time axis).
    /// </summary>
    public static ConvSpec Create(int batch, int h, int w, int c, int kh, int kw, int sh, int sw, int dh, int dw, int groups, string padding)
    {
        var (oh, pt) = Axis(h, kh, sh, dh, padding == "causal" ? "valid" : padding);
        var (ow, pl) = Axis(w, kw, sw, dw, padding);
        return new ConvSpec(batch, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, groups);
    }

    /// <summary>
    /// The convolution whose input gradient is a transposed convolution of a batch of h x w x c images: its input is
    /// the transposed convolution's output (outH x outW x filters, see <see cref="TransposeOutputLength"/>), its output
    /// the h x w image, and its padding what TensorFlow's conv2d_transpose computes for that output size.
    /// </summary>
    public static ConvSpec ForTranspose(int batch, int h, int w, int outH, int outW, int filters, int kh, int kw, int sh, int sw,
        int dh, int dw, string padding)
    {
        var (oh, pt) = Axis(outH, kh, sh, dh, padding);
        var (ow, pl) = Axis(outW, kw, sw, dw, padding);
        if (oh != h || ow != w)
            throw new ArgumentException($"A transposed convolution to {outH} x {outW} does not invert a '{padding}' convolution of stride ({sh}, {sw}) to {h} x {w}.");
        return new ConvSpec(batch, outH, outW, filters, kh, kw, sh, sw, dh, dw, pt, pl, h, w, 1);
    }

    /// <summary>Outputs along one axis, as Keras's conv_utils.conv_output_length (padding valid, same, causal or full).</summary>
    public static int OutputLength(int size, int kernel, int stride, int dilation, string padding)
    {
        int k = Effective(kernel, dilation);
        long n = padding switch
        {
            "same" or "causal" => size,
            "valid" => (long)size - k + 1,
            "full" => (long)size + k - 1,
            _ => throw new ArgumentException($"Unknown padding '{padding}': expected 'valid', 'same', 'causal' or 'full'."),
        };
        return n <= 0 ? 0 : (int)((n + stride - 1) / stride);
    }

    /// <summary>
    /// Output length of a transposed convolution along one axis, as Keras's conv_utils.deconv_output_length: without
    /// output padding, size * stride (+ max(kernel - stride, 0) for 'valid'); with it, (size - 1) * stride + kernel
    /// - 2 * pad + outputPadding where pad is 0 ('valid') or kernel / 2 ('same').
    /// </summary>
    public static int TransposeOutputLength(int size, int kernel, int stride, int dilation, string padding, int? outputPadding)
    {
        long k = Effective(kernel, dilation), n;
        if (outputPadding is not { } op)
            n = padding switch
            {
                "valid" => (long)size * stride + Math.Max(k - stride, 0),
                "same" => (long)size * stride,
                "full" => (long)size * stride - (stride + k - 2),
                _ => throw new ArgumentException($"Unknown padding '{padding}' for a transposed convolution."),
            };
        else
        {
            long pad = padding switch
            {
                "valid" => 0,
                "same" => k / 2,
                "full" => k - 1,
                _ => throw new ArgumentException($"Unknown padding '{padding}' for a transposed convolution."),
            };
            n = ((long)size - 1) * stride + k - 2 * pad + op;
        }
        return (int)Math.Clamp(n, 0, int.MaxValue);
    }

    /// <summary>The reach of a dilated kernel: (k - 1) * d + 1 (saturating, so absurd values cannot wrap).</summary>
    public static int Effective(int kernel, int dilation) => (int)Math.Min(((long)kernel - 1) * dilation + 1, int.MaxValue);

    // TensorFlow's windowed output size and leading padding along one axis.
    private static (int Out, int PadBefore) Axis(int size, int kernel, int stride, int dilation, string padding)
    {
        int k = Effective(kernel, dilation);
        int n = OutputLength(size, kernel, stride, dilation, padding);
        int pad = padding switch
        {
            "same" => (int)(Math.Max(((long)n - 1) * stride + k - size, 0) / 2),
            "causal" => k - 1,
            "valid" => 0,
            _ => throw new ArgumentException($"Unknown padding '{padding}': expected 'valid', 'same' or 'causal'."),
        };
        return (n, pad);
    }

    /// <summary>Input channels per group.</summary>
    public int GroupChannels => InC / Math.Max(Groups, 1);

    /// <summary>Rows of the unfolded matrix (one per output pixel over the batch).</summary>
    public int Rows => Batch * OutH * OutW;

    /// <summary>Columns of one group's unfolded matrix (one per kernel tap and channel of the group).</summary>
    public int GroupCols => KH * KW * GroupChannels;

    /// <summary>Whether this is the plain convolution of <see cref="Geometry"/> (no dilation, one group).</summary>
    public bool IsPlain => DilationH == 1 && DilationW == 1 && Groups == 1;

    /// <summary>Whether every group holds one input channel (a depthwise convolution).</summary>
    public bool IsDepthwise => Groups == InC && Groups > 1;

    /// <summary>The undilated, ungrouped window arithmetic (meaningful when <see cref="IsPlain"/>).</summary>
    public ConvGeometry Geometry => new(Batch, InH, InW, InC, KH, KW, StrideH, StrideW, PadTop, PadLeft, OutH, OutW);

    /// <summary>Elements of the NHWC input.</summary>
    public long InputLength => (long)Batch * InH * InW * InC;

    /// <summary>Elements of the kernel for <paramref name="filters"/> filters: (KH, KW, InC / Groups, filters).</summary>
    public long KernelLength(int filters) => (long)GroupCols * filters;

    /// <summary>Elements of the NHWC output for <paramref name="filters"/> filters.</summary>
    public long OutputLengthFor(int filters) => (long)Rows * filters;
}
