#nullable enable
namespace KerasNet.Engine.Kernels;

/// <summary>
/// Transposition, zero padding and cropping of row-major batches. They only move data, so they copy whole contiguous
/// runs with <see cref="Span{T}.CopyTo"/> (vectorised memmove) and run on the calling thread: a second core adds no
/// memory bandwidth worth a hand-off for the sizes these layers see, and the kernels allocate nothing.
/// </summary>
internal static class ReshapeKernels
{
    /// <summary>Axes a transposition may have (batch included); Keras models permute 2-5 axes.</summary>
    private const int MaxRank = 16;

    /// <summary>Per sample, output axis i is input axis perm[i].</summary>
    public static void Transpose(int batch, int[] shape, int[] perm, float[] x, float[] y)
    {
        const string op = "Transpose";
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(perm);
        BufferCheck.Dim(batch, nameof(batch), op);
        int r = shape.Length;
        if (perm.Length != r || r + 1 > MaxRank)
            throw new ArgumentException($"{op}: perm has {perm.Length} axes for a sample of {r} (at most {MaxRank - 1}).", nameof(perm));
        long size = batch;
        Span<bool> seen = stackalloc bool[r];
        for (int i = 0; i < r; i++)
        {
            BufferCheck.Dim(shape[i], nameof(shape), op);
            if ((uint)perm[i] >= (uint)r || seen[perm[i]]) throw new ArgumentException($"{op}: perm [{string.Join(", ", perm)}] is not a permutation of 0..{r - 1}.", nameof(perm));
            seen[perm[i]] = true;
            size *= shape[i];
        }
        if (size > int.MaxValue) throw new ArgumentException($"{op}: {size} elements is more than 2^31.");
        BufferCheck.Length(x, size, nameof(x), op);
        BufferCheck.Length(y, size, nameof(y), op);
        if (size == 0) return;

        // Input strides with the batch as axis 0 (inStride[e] is the stride of axis e, sample axis a being e = a + 1),
        // then the output's axes with their input strides, dropping size-1 axes and merging neighbours that stay
        // neighbours in the input (so an identity becomes one copy and (0, 2, 1) of (a, b, c) a transposed pair).
        Span<int> inStride = stackalloc int[r + 1];
        inStride[r] = 1;
        for (int i = r - 1; i >= 0; i--) inStride[i] = inStride[i + 1] * shape[i];
        Span<int> dims = stackalloc int[r + 1], strides = stackalloc int[r + 1];
        int k = 0;
        for (int i = -1; i < r; i++)
        {
            int axis = i < 0 ? 0 : perm[i] + 1, d = i < 0 ? batch : shape[perm[i]], stride = inStride[axis];
            if (d == 1) continue;
            // Two output neighbours are one axis when the outer one's stride is the inner one's whole extent.
            if (k > 0 && strides[k - 1] == (long)stride * d) { dims[k - 1] *= d; strides[k - 1] = stride; }
            else { dims[k] = d; strides[k] = stride; k++; }
        }
        if (k <= 1) { x.AsSpan(0, (int)size).CopyTo(y); return; }
        Gather(dims[..k], strides[..k], x, y);
    }

    /// <summary>Writes y in order, reading x through the strides; the innermost axis is one run when its stride is 1.</summary>
    private static void Gather(ReadOnlySpan<int> dims, ReadOnlySpan<int> strides, float[] x, float[] y)
    {
        int k = dims.Length, inner = dims[k - 1], innerStride = strides[k - 1];
        Span<int> index = stackalloc int[k - 1];
        int src = 0, dst = 0;
        while (true)
        {
            if (innerStride == 1) x.AsSpan(src, inner).CopyTo(y.AsSpan(dst, inner));
            else
            {
                var d = y.AsSpan(dst, inner);
                for (int j = 0, s = src; j < d.Length; j++, s += innerStride) d[j] = x[s];
            }
            dst += inner;
            // Odometer over the outer axes.
            int a = k - 2;
            for (; a >= 0; a--)
            {
                src += strides[a];
                if (++index[a] < dims[a]) break;
                src -= strides[a] * dims[a];
                index[a] = 0;
            }
            if (a < 0) return;
        }
    }

    /// <summary>Checks the NHWC operands of a pad or crop between (h, w) and (oh, ow).</summary>
    private static void CheckBox(int batch, int h, int w, int c, int top, int bottom, int left, int right, float[] x, float[] y,
        int xh, int xw, int yh, int yw, string op)
    {
        BufferCheck.Dim(batch, nameof(batch), op); BufferCheck.Dim(h, nameof(h), op); BufferCheck.Dim(w, nameof(w), op);
        BufferCheck.Dim(c, nameof(c), op); BufferCheck.Dim(top, nameof(top), op); BufferCheck.Dim(bottom, nameof(bottom), op);
        BufferCheck.Dim(left, nameof(left), op); BufferCheck.Dim(right, nameof(right), op);
        BufferCheck.Dim(yh, "h - top - bottom", op); BufferCheck.Dim(yw, "w - left - right", op);
        long xn = (long)batch * xh * xw * c, yn = (long)batch * yh * yw * c;
        if (xn > int.MaxValue || yn > int.MaxValue) throw new ArgumentException($"{op}: more than 2^31 elements.");
        BufferCheck.Length(x, xn, nameof(x), op);
        BufferCheck.Length(y, yn, nameof(y), op);
    }

    public static void ZeroPad2D(int batch, int h, int w, int c, int top, int bottom, int left, int right, float[] x, float[] y)
    {
        long oh = (long)h + top + bottom, ow = (long)w + left + right;
        if (oh > int.MaxValue || ow > int.MaxValue) throw new ArgumentException("ZeroPad2D: the padded size is more than 2^31.");
        CheckBox(batch, h, w, c, top, bottom, left, right, x, y, h, w, (int)oh, (int)ow, "ZeroPad2D");
        int rowIn = w * c, rowOut = (int)ow * c, sampleOut = (int)oh * rowOut;
        for (int n = 0; n < batch; n++)
        {
            var sample = y.AsSpan(n * sampleOut, sampleOut);
            sample[..(top * rowOut)].Clear();
            sample[((top + h) * rowOut)..].Clear();
            for (int i = 0; i < h; i++)
            {
                var row = sample.Slice((top + i) * rowOut, rowOut);
                row[..(left * c)].Clear();
                x.AsSpan((n * h + i) * rowIn, rowIn).CopyTo(row[(left * c)..]);
                row[(left * c + rowIn)..].Clear();
            }
        }
    }

    public static void Crop2D(int batch, int h, int w, int c, int top, int bottom, int left, int right, float[] x, float[] y)
    {
        long ohLong = (long)h - top - bottom, owLong = (long)w - left - right;
        int oh = (int)Math.Max(ohLong, -1), ow = (int)Math.Max(owLong, -1); // -1: too much cropped, refused by the check
        CheckBox(batch, h, w, c, top, bottom, left, right, x, y, h, w, oh, ow, "Crop2D");
        int run = ow * c;
        for (int n = 0; n < batch; n++)
            for (int i = 0; i < oh; i++)
                x.AsSpan(((n * h + top + i) * w + left) * c, run).CopyTo(y.AsSpan((n * oh + i) * run, run));
    }
}
