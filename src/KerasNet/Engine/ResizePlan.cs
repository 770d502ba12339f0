#nullable enable
namespace KerasNet.Engine;

/// <summary>
/// Where each output pixel of an NHWC resize (or crop) reads the input: per output row and per output column the
/// lower and upper source index and the interpolation weight of the upper one, computed once for fixed shapes. The
/// coordinates follow TensorFlow 2's <c>tf.image.resize</c> kernels in float32 arithmetic (ResizeBilinear and
/// ResizeNearestNeighbor with half_pixel_centers=True, align_corners=False), applied to an optional crop window of
/// the input first (what Keras's <c>smart_resize</c> slices out before resizing).
/// </summary>
internal sealed class ResizePlan
{
    private ResizePlan(int inH, int inW, int outH, int outW, bool nearest, Axis rows, Axis cols)
    {
        (InH, InW, OutH, OutW, Nearest) = (inH, inW, outH, outW, nearest);
        (RowLo, RowHi, RowFrac) = (rows.Lo, rows.Hi, rows.Frac);
        (ColLo, ColHi, ColFrac) = (cols.Lo, cols.Hi, cols.Frac);
    }

    /// <summary>Input height and width (the whole image, before any crop window).</summary>
    public int InH { get; }
    /// <summary>Input width.</summary>
    public int InW { get; }
    /// <summary>Output height.</summary>
    public int OutH { get; }
    /// <summary>Output width.</summary>
    public int OutW { get; }
    /// <summary>Whether every output pixel copies one input pixel (nearest neighbour or a plain crop).</summary>
    public bool Nearest { get; }

    internal int[] RowLo { get; }
    internal int[] RowHi { get; }
    internal float[] RowFrac { get; }
    internal int[] ColLo { get; }
    internal int[] ColHi { get; }
    internal float[] ColFrac { get; }

    private readonly record struct Axis(int[] Lo, int[] Hi, float[] Frac);

    /// <summary>A resize of the crop window (top, left, cropH x cropW) of an inH x inW image to outH x outW.</summary>
    /// <param name="inH">Input height.</param>
    /// <param name="inW">Input width.</param>
    /// <param name="top">First row of the window.</param>
    /// <param name="left">First column of the window.</param>
    /// <param name="cropH">Window height.</param>
    /// <param name="cropW">Window width.</param>
    /// <param name="outH">Output height.</param>
    /// <param name="outW">Output width.</param>
    /// <param name="nearest">Nearest neighbour (TF2 rounding) instead of bilinear.</param>
    public static ResizePlan Resize(int inH, int inW, int top, int left, int cropH, int cropW, int outH, int outW, bool nearest)
    {
        CheckWindow(inH, inW, top, left, cropH, cropW, outH, outW);
        CheckOutput(outH, outW);
        return new ResizePlan(inH, inW, outH, outW, nearest,
            nearest ? NearestAxis(top, cropH, outH) : BilinearAxis(top, cropH, outH),
            nearest ? NearestAxis(left, cropW, outW) : BilinearAxis(left, cropW, outW));
    }

    /// <summary>The outH x outW window of an inH x inW image starting at (top, left), copied as it is.</summary>
    public static ResizePlan Crop(int inH, int inW, int top, int left, int outH, int outW)
    {
        CheckWindow(inH, inW, top, left, outH, outW, outH, outW);
        CheckOutput(outH, outW);
        return new ResizePlan(inH, inW, outH, outW, true, CropAxis(top, outH), CropAxis(left, outW));
    }

    private static void CheckWindow(int inH, int inW, int top, int left, int cropH, int cropW, int outH, int outW)
    {
        if (inH <= 0 || inW <= 0 || outH <= 0 || outW <= 0 || cropH <= 0 || cropW <= 0)
            throw new ArgumentException($"ResizePlan: sizes must be positive (input {inH}x{inW}, window {cropH}x{cropW}, output {outH}x{outW}).");
        if (top < 0 || left < 0 || top + cropH > inH || left + cropW > inW)
            throw new ArgumentException($"ResizePlan: the window {cropH}x{cropW} at ({top}, {left}) does not fit in {inH}x{inW}.");
    }

    // A layer built in code with height 2^31 - 1: a clear refusal instead of the runtime's OutOfMemoryException.
    private static void CheckOutput(int outH, int outW)
    {
        if ((long)outH * outW > int.MaxValue)
            throw new TensorSizeException($"a resized image of {outH} x {outW} pixels has more than the {int.MaxValue:N0} values one tensor can hold.");
    }

    private static Axis CropAxis(int start, int outSize)
    {
        var lo = new int[outSize];
        for (int i = 0; i < outSize; i++) lo[i] = start + i;
        return new Axis(lo, lo, new float[outSize]);
    }

    // TF's compute_interpolation_weights with HalfPixelScaler: in = (i + 0.5) * scale - 0.5 in float32, lower =
    // max(floor(in), 0), upper = min(ceil(in), size - 1), lerp = in - floor(in) (not in - lower).
    private static Axis BilinearAxis(int start, int inSize, int outSize)
    {
        float scale = (float)inSize / outSize;
        var lo = new int[outSize];
        var hi = new int[outSize];
        var frac = new float[outSize];
        for (int i = 0; i < outSize; i++)
        {
            float v = ((float)i + 0.5f) * scale - 0.5f;
            float f = MathF.Floor(v);
            lo[i] = start + Math.Max((int)f, 0);
            hi[i] = start + Math.Min((int)MathF.Ceiling(v), inSize - 1);
            frac[i] = v - f;
        }
        return new Axis(lo, hi, frac);
    }

    // TF's ResizeNearestNeighbor with HalfPixelScalerForNN: floor((i + 0.5) * scale) in float32, clamped to [0, size - 1].
    private static Axis NearestAxis(int start, int inSize, int outSize)
    {
        float scale = (float)inSize / outSize;
        var lo = new int[outSize];
        for (int i = 0; i < outSize; i++)
            lo[i] = start + Math.Max(0, Math.Min((int)MathF.Floor(((float)i + 0.5f) * scale), inSize - 1));
        return new Axis(lo, lo, new float[outSize]);
    }
}
