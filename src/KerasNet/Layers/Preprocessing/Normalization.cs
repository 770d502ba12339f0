#nullable enable
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using System.Text.Json;
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Models;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Keras's <c>Normalization</c>: <c>(x - mean) / max(sqrt(variance), 1e-7)</c> (or, with <see cref="Invert"/>,
/// <c>mean + x * max(sqrt(variance), 1e-7)</c>), with one mean and variance per index of the kept
/// <see cref="Axes"/> (axis -1: per feature / channel; no axes: one scalar for everything). The statistics are given
/// to the constructor (no weights then, as in tf.keras 2.6+ and Keras 3) or computed by <see cref="Adapt(Tensor)"/>
/// into the non-trainable weights <c>mean</c>, <c>variance</c> (biased, as numpy's var) and <c>count</c> (the number
/// of values averaged per statistic), Keras's names and order. Keras stores count as int64; KerasNet as float32.
/// </summary>
[KerasLayer("Normalization")]
public sealed class Normalization : Layer
{
    private const float Epsilon = 1e-7f; // Keras's backend.epsilon()
    // Below this many statistics per row (e.g. 3 channels) a vector call per row costs more than a scalar loop.
    private const int RowThreshold = 32;
    private readonly JsonNode? _meanJson, _varianceJson;
    private Variable? _mean, _variance, _count;
    private float[] _givenMean = [], _givenVariance = [];
    private StatLayout? _layout;

    /// <summary>Normalizes per index of one axis (default -1, the last).</summary>
    /// <param name="axis">The axis kept (counted with the batch axis, as Keras: 1 is the first per-sample axis).</param>
    /// <param name="mean">The means (one value, or one per index of the kept axes); null to adapt.</param>
    /// <param name="variance">The variances, given with the means.</param>
    /// <param name="invert">Apply the inverse map (de-normalize).</param>
    /// <param name="inputShape">Keras's input_shape.</param>
    /// <param name="name">The layer name.</param>
    /// <param name="trainable">Keras's trainable flag (the statistics are never trained).</param>
    public Normalization(int axis = -1, double[]? mean = null, double[]? variance = null, bool invert = false, Shape? inputShape = null,
        string? name = null, bool trainable = true)
        : this([axis], mean, variance, invert, inputShape, name, trainable) { }

    /// <summary>Normalizes per index of several axes; null or empty axes is Keras's axis=None (one mean and variance).</summary>
    /// <param name="axes">The axes that keep their own statistics (Keras's <c>axis</c>; default -1 in Keras, the last);
    /// null or empty is <c>axis=None</c>.</param>
    /// <param name="mean">The means, one per index of the kept axes; null (Keras's default) leaves them to <see
    /// cref="Normalization.Adapt(KerasNet.Engine.Tensor)"/>.</param>
    /// <param name="variance">The variances, as <paramref name="mean"/>; given together with it.</param>
    /// <param name="invert">Whether to undo the normalization (<c>x * sqrt(var) + mean</c>; Keras's default
    /// false).</param>
    /// <param name="inputShape">The per-sample input shape (without the batch axis).</param>
    /// <include file="../../Docs/Params.xml" path="params/param[@name='name']"/>
    /// <param name="trainable">Keras's <c>trainable</c> (default true; the statistics are not trained either
    /// way).</param>
    public Normalization(int[]? axes, double[]? mean = null, double[]? variance = null, bool invert = false, Shape? inputShape = null,
        string? name = null, bool trainable = true)
        : this(axes, mean, variance, invert, inputShape, name, trainable, ToJson(mean), ToJson(variance)) { }

    private Normalization(int[]? axes, double[]? mean, double[]? variance, bool invert, Shape? inputShape, string? name, bool trainable,
        JsonNode? meanJson, JsonNode? varianceJson) : base(name, inputShape, trainable)
    {
        if ((mean is null) != (variance is null))
            throw new KerasNetException("Normalization: when setting values directly, both mean and variance must be set.");
        if (variance != null && variance.Any(v => v < 0 || double.IsNaN(v)))
            throw new KerasNetException("Normalization: variance must not be negative.");
        Axes = (axes ?? []).ToArray();
        Mean = mean?.ToArray();
        Variance = variance?.ToArray();
        Invert = invert;
        (_meanJson, _varianceJson) = (meanJson, varianceJson);
    }

    /// <summary>
    /// The layer of a Keras config: axis as an int (tf.keras 2.4), a list or null; mean and variance as null, a number
    /// or (nested) lists; invert (tf.keras 2.10+, Keras 3).
    /// </summary>
    internal static Normalization FromConfig(LayerConfigReader c)
    {
        int[] axes = c.Config["axis"] switch
        {
            null => [],
            JsonValue v when v.GetValueKind() == JsonValueKind.Number => [c.Int("axis")],
            JsonArray a => a.Select(e => e is JsonValue ev && ev.TryGetValue<int>(out int i) ? i : throw c.Error($"field 'axis' should hold integers, got {a.ToJsonString()}.")).ToArray(),
            var n => throw c.Error($"field 'axis' should be an integer, a list of integers or null, got {n.ToJsonString()}."),
        };
        var meanJson = c.Config["mean"]?.DeepClone();
        var varianceJson = c.Config["variance"]?.DeepClone();
        return new Normalization(axes, Flatten(c, meanJson, "mean"), Flatten(c, varianceJson, "variance"), c.Bool(false, "invert"),
            null, c.Name, c.Bool(true, "trainable"), meanJson, varianceJson);
    }

    /// <summary>The kept axes, counted with the batch axis (negative from the end); empty is axis=None.</summary>
    public IReadOnlyList<int> Axes { get; }

    /// <summary>The means given to the constructor (flattened), or null when the layer is adapted.</summary>
    public IReadOnlyList<double>? Mean { get; }

    /// <summary>The variances given to the constructor (flattened), or null when the layer is adapted.</summary>
    public IReadOnlyList<double>? Variance { get; }

    /// <summary>Whether the inverse map is applied.</summary>
    public bool Invert { get; }

    /// <summary>Keras 3 sets supports_masking: a mask passes through unchanged.</summary>
    public override bool SupportsMasking => true;

    /// <inheritdoc/>
    public override void Build(int[] inputShape)
    {
        var layout = StatLayout.For(this, inputShape);
        if (Mean is null)
        {
            _mean = AddWeight("mean", layout.StatShape, Initializer.Get("zeros"), trainable: false);
            _variance = AddWeight("variance", layout.StatShape, Initializer.Get("ones"), trainable: false);
            _count = AddWeight("count", [], Initializer.Get("zeros"), trainable: false);
        }
        else
        {
            _givenMean = Broadcast(Mean, layout.StatCount, "mean");
            _givenVariance = Broadcast(Variance!, layout.StatCount, "variance");
        }
        _layout = layout;
        base.Build(inputShape);
    }

    private float[] Broadcast(IReadOnlyList<double> values, int count, string argument)
    {
        if (values.Count == 1) return Enumerable.Repeat((float)values[0], count).ToArray();
        if (values.Count == count) return values.Select(v => (float)v).ToArray();
        throw new KerasNetException($"Layer '{Name}' (Normalization): {argument} has {values.Count} values, which do not broadcast to the {count} statistics of axis {AxisText}.");
    }

    private string AxisText => Axes.Count == 0 ? "None" : Axes.Count == 1 ? Axes[0].ToString(System.Globalization.CultureInfo.InvariantCulture) : "(" + string.Join(", ", Axes) + ")";

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape) => inputShape;

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor input)
    {
        CheckInput(input);
        var (mean, scale) = Statistics(ctx);
        var output = ctx.Scratch(CallContext.OutputSlot, input.Shape);
        var x = input.Span;
        var y = output.Span;
        var layout = _layout!;
        if (layout.Trailing && layout.StatCount < RowThreshold)
        {
            // Few statistics (channels): element by element with a running statistic index.
            for (int i = 0, k = 0, n = layout.StatCount; i < x.Length; i++, k = k + 1 == n ? 0 : k + 1)
                y[i] = Invert ? mean[k] + x[i] * scale[k] : (x[i] - mean[k]) / scale[k];
            return output;
        }
        if (layout.Trailing)
        {
            // One statistic per element of each row of StatCount values: whole rows at a time.
            int n = layout.StatCount;
            for (int r = 0; r < x.Length; r += n)
            {
                var xr = x.Slice(r, n);
                var yr = y.Slice(r, n);
                if (Invert) { TensorPrimitives.Multiply(xr, scale, yr); TensorPrimitives.Add(yr, mean, yr); }
                else { TensorPrimitives.Subtract(xr, mean, yr); TensorPrimitives.Divide(yr, scale, yr); }
            }
            return output;
        }
        for (int i = 0, sample = input.SampleSize; i < x.Length; i++)
        {
            int k = layout.Of(i % sample);
            y[i] = Invert ? mean[k] + x[i] * scale[k] : (x[i] - mean[k]) / scale[k];
        }
        return output;
    }

    /// <inheritdoc/>
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        if (!needInputGrad) return null;
        var (_, scale) = Statistics(ctx);
        var gradIn = ctx.Scratch(CallContext.GradInSlot, gradOutput.Shape);
        var g = gradOutput.Span;
        var dx = gradIn.Span;
        var layout = _layout!;
        if (layout.Trailing && layout.StatCount < RowThreshold)
        {
            for (int i = 0, k = 0, n = layout.StatCount; i < g.Length; i++, k = k + 1 == n ? 0 : k + 1)
                dx[i] = Invert ? g[i] * scale[k] : g[i] / scale[k];
            return gradIn;
        }
        if (layout.Trailing)
        {
            int n = layout.StatCount;
            for (int r = 0; r < g.Length; r += n)
            {
                if (Invert) TensorPrimitives.Multiply(g.Slice(r, n), scale, dx.Slice(r, n));
                else TensorPrimitives.Divide(g.Slice(r, n), scale, dx.Slice(r, n));
            }
            return gradIn;
        }
        for (int i = 0, sample = gradOutput.SampleSize; i < g.Length; i++)
        {
            int k = layout.Of(i % sample);
            dx[i] = Invert ? g[i] * scale[k] : g[i] / scale[k];
        }
        return gradIn;
    }

    /// <summary>The call's means and max(sqrt(variance), eps), from the weights as they are now (they may be set or loaded).</summary>
    private (float[] Mean, float[] Scale) Statistics(CallContext ctx)
    {
        var s = ctx.StateOf<Stats>();
        int n = _layout!.StatCount;
        if (s.Mean.Length != n) (s.Mean, s.Scale) = (new float[n], new float[n]);
        var mean = _mean is null ? _givenMean : _mean.Value.Buffer;
        var variance = _variance is null ? _givenVariance : _variance.Value.Buffer;
        for (int k = 0; k < n; k++)
        {
            s.Mean[k] = mean[k];
            s.Scale[k] = MathF.Max(MathF.Sqrt(variance[k]), Epsilon);
        }
        return (s.Mean, s.Scale);
    }

    private sealed class Stats
    {
        public float[] Mean = [], Scale = [];
    }

    /// <summary>
    /// Computes the mean and the (biased) variance of <paramref name="data"/> (batch first) for each index of the
    /// kept axes, over all other axes, and stores them with the count of values per statistic, replacing any earlier
    /// state (Keras's adapt resets it). Builds the layer for the data's sample shape when it is not built.
    /// </summary>
    /// <param name="data">The data, batch axis first, with the per-sample shape the layer will see.</param>
    public void Adapt(Tensor data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (Mean != null)
            throw new KerasNetException($"Layer '{Name}' (Normalization): cannot adapt a layer initialized with static mean and variance.");
        if (data.Rank < 2 || data.BatchSize == 0)
            throw new ShapeMismatchException($"Layer '{Name}' (Normalization): adapt needs a batch of at least one sample, got data of shape {ShapeUtil.Format(data.Shape)}.");
        if (!Built) Build(data.Shape[1..]);
        var layout = StatLayout.For(this, data.Shape[1..]);
        if (!layout.StatShape.SequenceEqual(_layout!.StatShape))
            throw new ShapeMismatchException($"Layer '{Name}' (Normalization) was built with input {ShapeUtil.FormatWithNone(InputShape!)} but adapt is called with data of an incompatible shape {ShapeUtil.Format(data.Shape)}.");
        int n = layout.StatCount, sample = data.SampleSize;
        var sum = new double[n];
        var x = data.Span;
        for (int i = 0; i < x.Length; i++) sum[layout.Of(i % sample)] += x[i];
        double count = (double)x.Length / n;
        var mean = sum.Select(s => s / count).ToArray();
        var squares = new double[n];
        for (int i = 0; i < x.Length; i++)
        {
            int k = layout.Of(i % sample);
            double d = x[i] - mean[k];
            squares[k] += d * d;
        }
        _mean!.Assign(mean.Select(m => (float)m).ToArray());
        _variance!.Assign(squares.Select(s => (float)(s / count)).ToArray());
        _count!.Assign([(float)count]);
    }

    /// <summary>As <see cref="Adapt(Tensor)"/>, for a NumPy-style array.</summary>
    /// <param name="data">The data, batch axis first, with the per-sample shape the layer will see.</param>
    public void Adapt(NumSharp.NDArray data) => Adapt(NDArrays.ToTensor(data));

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["axis"] = IntArray([.. Axes]);
        c["mean"] = _meanJson?.DeepClone();
        c["variance"] = _varianceJson?.DeepClone();
        // invert is tf.keras 2.10+'s and Keras 3's: written only when set, so older tf.keras can read the config.
        if (Invert) c["invert"] = true;
        return c;
    }

    private static JsonNode? ToJson(double[]? values) => values is null ? null : new JsonArray(values.Select(v => (JsonNode)v).ToArray());

    private static double[]? Flatten(LayerConfigReader c, JsonNode? node, string key)
    {
        if (node is null) return null;
        var values = new List<double>();
        void Walk(JsonNode? n)
        {
            switch (n)
            {
                case JsonArray a: foreach (var e in a) Walk(e); break;
                case JsonValue v when v.GetValueKind() == JsonValueKind.Number: values.Add(v.GetValue<double>()); break;
                default: throw c.Error($"field '{key}' should be null, a number or a list of numbers, got {node.ToJsonString()}.");
            }
        }
        Walk(node);
        return values.ToArray();
    }

    /// <summary>Which statistic each element of a sample uses.</summary>
    private sealed class StatLayout
    {
        private readonly int[]? _map; // null: the kept axes are the trailing ones, so the statistic is i % StatCount

        private StatLayout(int[] statShape, int[]? map) => (StatShape, StatCount, _map) = (statShape, ShapeUtil.Product(statShape), map);

        public int[] StatShape { get; }
        public int StatCount { get; }

        /// <summary>The statistic of element <paramref name="element"/> of a sample (any element of a batch when <see cref="Trailing"/>).</summary>
        public int Of(int element) => _map is null ? element % StatCount : _map[element];

        public bool Trailing => _map is null;

        /// <summary>Keras's build: kept axes (with the batch axis counted, sorted), which must not include the batch axis.</summary>
        public static StatLayout For(Normalization layer, int[] sampleShape)
        {
            int rank = sampleShape.Length + 1;
            var keep = new SortedSet<int>();
            foreach (int a in layer.Axes)
            {
                if (a < -rank || a >= rank)
                    throw new ShapeMismatchException($"Layer '{layer.Name}' (Normalization): all axis values must be in the range [-{rank}, {rank}) for inputs of rank {rank}, got axis {layer.AxisText}.");
                int d = a < 0 ? a + rank : a;
                if (d == 0) throw new KerasNetException($"Layer '{layer.Name}' (Normalization): axis {a} is the batch axis, whose size is unknown; keep a per-sample axis or use axis=None.");
                keep.Add(d - 1);
            }
            var statShape = keep.Select(d => sampleShape[d]).ToArray();
            bool trailing = keep.Count == 0 || keep.SequenceEqual(Enumerable.Range(sampleShape.Length - keep.Count, keep.Count));
            if (trailing) return new StatLayout(statShape, null);
            int size = ShapeUtil.Product(sampleShape);
            var map = new int[size];
            var strides = new int[sampleShape.Length];
            for (int d = sampleShape.Length - 1, s = 1; d >= 0; s *= sampleShape[d], d--) strides[d] = s;
            for (int i = 0; i < size; i++)
            {
                int k = 0;
                foreach (int d in keep) k = k * sampleShape[d] + i / strides[d] % sampleShape[d];
                map[i] = k;
            }
            return new StatLayout(statShape, map);
        }
    }
}
