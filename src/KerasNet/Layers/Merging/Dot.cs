#nullable enable
using System.Text.Json;
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// The dot product of two inputs per sample, as <c>keras.layers.Dot</c> (Keras's <c>batch_dot</c>): it sums
/// <c>x[b, ..., k, ...] * y[b, ..., k, ...]</c> over axis <c>axes[0]</c> of x and <c>axes[1]</c> of y. The output's
/// per-sample shape is x's dimensions without its axis followed by y's without its axis, or <c>(1,)</c> when none
/// remain: x (None, 5) and y (None, 5) with axes 1 give (None, 1); x (None, 3, 4) and y (None, 4, 2) with axes
/// (2, 1) give (None, 3, 2). With <see cref="Normalize"/> each input is first L2-normalised along its axis as
/// <c>tf.nn.l2_normalize</c> does (<c>x / sqrt(max(sum(x^2), 1e-12))</c>), so the result is the cosine proximity.
/// Config: <c>{"name", "trainable", "dtype", "axes", "normalize"}</c>.
/// </summary>
[KerasLayer("Dot")]
public sealed partial class Dot : Merge
{
    private const float Epsilon = 1e-12f; // tf.nn.l2_normalize's default
    private readonly bool _singleAxis;
    // Set at build: the contracted length, x's row offsets (one per remaining x position) and step along the axis, same for y.
    private int _k, _xStep, _yStep;
    private int[] _xRows = [], _yRows = [];

    /// <summary>Creates the layer with one axis for both inputs (Keras's <c>Dot(axes=1)</c>).</summary>
    /// <param name="axes">The axis of both inputs to sum over, counted as Keras counts it, batch included: 1 is the
    /// first per-sample axis, -1 the last; negative values count from the end of each input's shape (-rank..-1).
    /// The batch axis (0) is not accepted (Keras's batch_dot refuses it too).</param>
    /// <param name="normalize">Whether to L2-normalise both inputs along the axes first (the output is then the cosine proximity).</param>
    /// <param name="name">The layer name; null picks Keras's automatic name (<c>dot</c>, <c>dot_1</c>, ...).</param>
    /// <param name="trainable">Keras's <c>trainable</c> flag (the layer has no weights; it is kept in the config).</param>
    public Dot(int axes, bool normalize = false, string? name = null, bool trainable = true) : base(name, trainable)
    {
        Axes = (axes, axes);
        _singleAxis = true;
        Normalize = normalize;
    }

    /// <summary>Creates the layer with an axis per input (Keras's <c>Dot(axes=(2, 1))</c>).</summary>
    /// <param name="axes">The axis of the first input and the axis of the second input, each counted as in
    /// <see cref="Dot(int, bool, string?, bool)"/>; their dimensions must be equal.</param>
    /// <param name="normalize">Whether to L2-normalise both inputs along the axes first.</param>
    /// <param name="name">The layer name; null picks Keras's automatic name.</param>
    /// <param name="trainable">Keras's <c>trainable</c> flag.</param>
    public Dot((int, int) axes, bool normalize = false, string? name = null, bool trainable = true) : base(name, trainable)
    {
        Axes = axes;
        Normalize = normalize;
    }

    /// <summary>The axes of the first and second input, as given (an int given once appears twice).</summary>
    public (int First, int Second) Axes { get; }

    /// <summary>Whether the inputs are L2-normalised along the axes before the product.</summary>
    public bool Normalize { get; }

    private protected override int MinInputs => 2;

    private protected override int MaxInputs => 2;

    /// <summary>Keras axis (batch included, may be negative) to a per-sample axis (0 = first after the batch).</summary>
    private int SampleAxis(int axis, int[] shape, int[] other, bool first)
    {
        int full = shape.Length + 1, a = axis < 0 ? axis + full : axis;
        var shapes = first ? FormatPair(shape, other) : FormatPair(other, shape);
        if (a < 0 || a >= full)
            throw new ShapeMismatchException($"Layer '{Name}' (Dot): axis {axis} is out of range for an input of rank {full} (batch included). Layer shapes: {shapes}.");
        if (a == 0)
            throw new KerasNetException($"Layer '{Name}' (Dot): cannot perform batch_dot over axis 0 (the batch axis). Layer shapes: {shapes}.");
        return a - 1;
    }

    private static string FormatPair(int[] a, int[] b) => $"{ShapeUtil.FormatWithNone(a)}, {ShapeUtil.FormatWithNone(b)}";

    private protected override int[] MergedShape(IReadOnlyList<int[]> inputShapes)
    {
        int[] sx = inputShapes[0], sy = inputShapes[1];
        int p = SampleAxis(Axes.First, sx, sy, true), q = SampleAxis(Axes.Second, sy, sx, false);
        if (sx[p] != sy[q])
            throw new ShapeMismatchException(
                $"Layer '{Name}' (Dot): dimension incompatibility {sx[p]} != {sy[q]} (axes {p + 1} and {q + 1}). Layer shapes: {FormatPair(sx, sy)}.");
        var output = sx.Where((_, d) => d != p).Concat(sy.Where((_, d) => d != q)).ToArray();
        return output.Length == 0 ? [1] : output;
    }

    private protected override void OnBuild(IReadOnlyList<int[]> inputShapes, int[] outputShape)
    {
        int[] sx = inputShapes[0], sy = inputShapes[1];
        int p = SampleAxis(Axes.First, sx, sy, true), q = SampleAxis(Axes.Second, sy, sx, false);
        _k = sx[p];
        (_xRows, _xStep) = Rows(sx, p);
        (_yRows, _yStep) = Rows(sy, q);
    }

    /// <summary>For a shape (pre..., K, post...): the offset of element k = 0 of each (pre, post) position, and the step along K.</summary>
    private static (int[] rows, int step) Rows(int[] shape, int axis)
    {
        int pre = ShapeUtil.Product(shape.AsSpan(0, axis)), post = ShapeUtil.Product(shape.AsSpan(axis + 1)), k = shape[axis];
        var rows = new int[pre * post];
        for (int a = 0; a < pre; a++)
            for (int c = 0; c < post; c++) rows[a * post + c] = a * k * post + c;
        return (rows, post);
    }

    private sealed class State
    {
        public Tensor? Xn, Yn, Gx, Gy;  // normalised inputs (when Normalize) and the input gradients
        public float[] Rx = [], Ry = [], Sx = [], Sy = []; // per (sample, row): 1 / norm and the squared sum
    }

    internal override void ForwardNode(CallContext ctx)
    {
        CheckInputs(ctx);
        Tensor x = ctx.Inputs[0], y = ctx.Inputs[1];
        int batch = x.BatchSize;
        var st = ctx.StateOf<State>();
        if (Normalize)
        {
            x = L2Normalize(x, st.Xn = Tensor.EnsureBatch(st.Xn, batch, InputShapes![0]), _xRows, _xStep, ref st.Rx, ref st.Sx);
            y = L2Normalize(y, st.Yn = Tensor.EnsureBatch(st.Yn, batch, InputShapes![1]), _yRows, _yStep, ref st.Ry, ref st.Sy);
        }
        var output = ctx.Scratch(CallContext.OutputSlot, batch, OutputShape!);
        var o = output.Span;
        ReadOnlySpan<float> xs = x.Span, ys = y.Span;
        int sizeX = x.SampleSize, sizeY = y.SampleSize, nI = _xRows.Length, nJ = _yRows.Length, idx = 0;
        for (int b = 0; b < batch; b++)
        {
            var xb = xs.Slice(b * sizeX, sizeX);
            var yb = ys.Slice(b * sizeY, sizeY);
            for (int i = 0; i < nI; i++)
            {
                int xr = _xRows[i];
                for (int j = 0; j < nJ; j++)
                {
                    int yr = _yRows[j];
                    float s = 0;
                    for (int k = 0; k < _k; k++) s += xb[xr + k * _xStep] * yb[yr + k * _yStep];
                    o[idx++] = s;
                }
            }
        }
        ctx.Outputs[0] = output;
    }

    /// <summary>tf.nn.l2_normalize along the axis: x * rsqrt(max(sum(x^2), 1e-12)); keeps 1/norm and the sums for backward.</summary>
    private Tensor L2Normalize(Tensor x, Tensor into, int[] rows, int step, ref float[] inv, ref float[] sums)
    {
        int batch = x.BatchSize, size = x.SampleSize, n = batch * rows.Length;
        if (inv.Length < n) { inv = new float[n]; sums = new float[n]; }
        ReadOnlySpan<float> src = x.Span;
        var dst = into.Span;
        for (int b = 0, r = 0; b < batch; b++)
            for (int i = 0; i < rows.Length; i++, r++)
            {
                int o = b * size + rows[i];
                float s = 0;
                for (int k = 0; k < _k; k++) { float v = src[o + k * step]; s += v * v; }
                float scale = 1f / MathF.Sqrt(MathF.Max(s, Epsilon));
                for (int k = 0; k < _k; k++) dst[o + k * step] = src[o + k * step] * scale;
                inv[r] = scale;
                sums[r] = s;
            }
        return into;
    }

    internal override void BackwardNode(CallContext ctx, ReadOnlySpan<Tensor> gradOutputs, bool needInputGrads, GradientSink sink)
    {
        var grads = ctx.InputGrads;
        if (!needInputGrads) { Array.Clear(grads); return; }
        var st = ctx.StateOf<State>();
        Tensor x = Normalize ? st.Xn! : ctx.Inputs[0], y = Normalize ? st.Yn! : ctx.Inputs[1];
        int batch = x.BatchSize;
        var gx = st.Gx = Tensor.EnsureBatch(st.Gx, batch, InputShapes![0]);
        var gy = st.Gy = Tensor.EnsureBatch(st.Gy, batch, InputShapes![1]);
        ReadOnlySpan<float> g = gradOutputs[0].Span, xs = x.Span, ys = y.Span;
        Span<float> gxs = gx.Span, gys = gy.Span;
        gys.Clear();
        int sizeX = x.SampleSize, sizeY = y.SampleSize, nI = _xRows.Length, nJ = _yRows.Length;
        for (int b = 0; b < batch; b++)
        {
            var xb = xs.Slice(b * sizeX, sizeX);
            var yb = ys.Slice(b * sizeY, sizeY);
            var gxb = gxs.Slice(b * sizeX, sizeX);
            var gyb = gys.Slice(b * sizeY, sizeY);
            var gb = g.Slice(b * nI * nJ, nI * nJ);
            for (int i = 0; i < nI; i++)
            {
                int xr = _xRows[i];
                var gRow = gb.Slice(i * nJ, nJ);
                for (int k = 0; k < _k; k++)
                {
                    // dL/dx[i, k] = sum_j G[i, j] y[k, j]
                    float s = 0;
                    for (int j = 0; j < nJ; j++) s += gRow[j] * yb[_yRows[j] + k * _yStep];
                    gxb[xr + k * _xStep] = s;
                    // dL/dy[k, j] += G[i, j] x[i, k]
                    float xv = xb[xr + k * _xStep];
                    for (int j = 0; j < nJ; j++) gyb[_yRows[j] + k * _yStep] += gRow[j] * xv;
                }
            }
        }
        if (Normalize)
        {
            L2NormalizeBackward(gx, st.Xn!, _xRows, _xStep, st.Rx, st.Sx);
            L2NormalizeBackward(gy, st.Yn!, _yRows, _yStep, st.Ry, st.Sy);
        }
        grads[0] = gx;
        grads[1] = gy;
    }

    /// <summary>In place: the gradient w.r.t. the normalised x to the gradient w.r.t. x (TF's maximum passes the sum's gradient where sum &gt;= eps).</summary>
    private void L2NormalizeBackward(Tensor grad, Tensor normalized, int[] rows, int step, float[] inv, float[] sums)
    {
        int batch = grad.BatchSize, size = grad.SampleSize;
        var g = grad.Span;
        ReadOnlySpan<float> xn = normalized.Span;
        for (int b = 0, r = 0; b < batch; b++)
            for (int i = 0; i < rows.Length; i++, r++)
            {
                int o = b * size + rows[i];
                float scale = inv[r];
                float dot = 0;
                if (sums[r] >= Epsilon)
                    for (int k = 0; k < _k; k++) dot += g[o + k * step] * xn[o + k * step];
                for (int k = 0; k < _k; k++) g[o + k * step] = scale * (g[o + k * step] - xn[o + k * step] * dot);
            }
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["axes"] = _singleAxis ? JsonValue.Create(Axes.First) : IntArray(Axes.First, Axes.Second);
        c["normalize"] = Normalize;
        return c;
    }

    /// <summary>The layer from a Keras config: <c>"axes"</c> an int or a list of two ints, <c>"normalize"</c> a bool (default false).</summary>
    internal static Dot FromConfig(LayerConfigReader c)
    {
        bool normalize = c.Bool(false, "normalize");
        bool trainable = c.Bool(true, "trainable");
        static int? Int(JsonNode? n) =>
            n is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue
                ? (int)d : null;
        return c.Config["axes"] switch
        {
            null => throw c.Error("missing field 'axes'."),
            JsonArray { Count: 2 } a when Int(a[0]) is int a0 && Int(a[1]) is int a1 => new Dot((a0, a1), normalize, c.Name, trainable),
            var n when Int(n) is int single => new Dot(single, normalize, c.Name, trainable),
            var n => throw c.Error($"field 'axes' should be an integer or a list of two integers, got {n.ToJsonString()}."),
        };
    }
}
