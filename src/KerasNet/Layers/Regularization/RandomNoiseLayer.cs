#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Engine.Kernels;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// What the dropout and noise layers share: identity at inference; in training, y = x * mul + add with random
/// mul/add of a noise shape (the input's, or one with 1 on the axes the noise is shared along) broadcast over the
/// input, and the gradient dL/dx = mul * dL/dy. The numbers come from one 64-bit key per call, drawn from the layer's
/// seeded stream (<see cref="KerasRandom"/>): with a seed, or after <see cref="KerasRandom.SetRandomSeed"/>, runs repeat.
/// </summary>
public abstract class RandomNoiseLayer : Layer
{
    /// <summary>One call's noise: its multiplier (and offset) of the noise shape, and the shapes it broadcasts between.</summary>
    private protected sealed class Noise
    {
        public float[] Mul = Array.Empty<float>();
        public float[] Add = Array.Empty<float>();
        public int[] Shape = Array.Empty<int>();
        public int[] NoiseShape = Array.Empty<int>();
        public bool Active, HasMul, HasAdd;
        public int Length;

        public void Reset(bool active)
        {
            Active = active;
            HasMul = HasAdd = false;
        }
    }

    private readonly string _stream;
    private Random? _rng;

    /// <summary>Sets the seed and the name of the <see cref="KerasRandom"/> stream used without one.</summary>
    private protected RandomNoiseLayer(int? seed, string stream, Shape? inputShape, string? name) : base(name, inputShape)
    {
        Seed = seed;
        _stream = stream;
    }

    /// <summary>Optional seed of the noise.</summary>
    public int? Seed { get; }

    /// <inheritdoc/>
    public override bool SupportsMasking => true;

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape) => inputShape;

    /// <summary>
    /// This call's key. Without an explicit seed the context's stream is looked up on every call, so SetRandomSeed also
    /// re-seeds layers that already exist. Random is not thread-safe: the draw is made under the stream's lock.
    /// </summary>
    private protected ulong NextKey()
    {
        var rng = Seed is null ? KerasRandom.Stream(_stream) : (_rng ??= KerasRandom.For(Seed, _stream));
        lock (rng) return NoiseKernels.NextKey(rng);
    }

    /// <summary>
    /// The call's noise state for <paramref name="inputs"/>: its shape and the noise shape (Keras's noise_shape, null
    /// entries or no noise_shape meaning the input's size), with buffers for the multiplier and offset. The state's arrays
    /// are reused from call to call.
    /// </summary>
    private protected Noise Prepare(CallContext ctx, Tensor inputs, IReadOnlyList<int?>? noiseShape, bool mul, bool add)
    {
        var n = ctx.StateOf<Noise>();
        n.Reset(active: true);
        var shape = inputs.Shape;
        if (n.Shape.Length != shape.Length) { n.Shape = new int[shape.Length]; n.NoiseShape = new int[shape.Length]; }
        shape.CopyTo(n.Shape, 0);
        if (noiseShape != null && noiseShape.Count != shape.Length)
            throw new KerasNetException($"Layer '{Name}' ({ClassName}): noise_shape has {noiseShape.Count} dimensions, its input {shape.Length} (batch included).");
        for (int d = 0; d < shape.Length; d++)
        {
            int v = noiseShape?[d] ?? shape[d];
            if (v != 1 && v != shape[d])
                throw new KerasNetException($"Layer '{Name}' ({ClassName}): noise_shape {NoiseShapeText(noiseShape!)} does not broadcast to the input {ShapeUtil.Format(shape)}: each size must be null, 1 or the input's.");
            n.NoiseShape[d] = v;
        }
        n.Length = 1;
        foreach (int d in n.NoiseShape) n.Length *= d;
        n.HasMul = mul;
        n.HasAdd = add;
        if (mul && n.Mul.Length < n.Length) n.Mul = new float[n.Length];
        if (add && n.Add.Length < n.Length) n.Add = new float[n.Length];
        return n;
    }

    /// <summary>Marks the call as inactive (inference, or no noise): forward and backward are the identity.</summary>
    private protected static Tensor Identity(CallContext ctx, Tensor inputs)
    {
        ctx.StateOf<Noise>().Reset(active: false);
        return inputs;
    }

    /// <summary>y = x * mul + add with the call's noise, broadcast from its noise shape.</summary>
    private protected static Tensor Apply(CallContext ctx, Tensor inputs, Noise n)
    {
        var output = ctx.Scratch(CallContext.OutputSlot, inputs.Shape);
        if (!n.HasMul) System.Numerics.Tensors.TensorPrimitives.Add(inputs.Span, n.Add.AsSpan(0, inputs.Length), output.Span);
        else Backend.Current.BroadcastAffine(inputs.Buffer, n.Mul, n.HasAdd ? n.Add : null, output.Buffer, n.Shape, n.NoiseShape);
        return output;
    }

    /// <summary>
    /// Inverted dropout as Keras computes it, for a mask of the noise shape: kept (uniform &gt;= rate) inputs scaled by
    /// 1 / (1 - rate), the others zero.
    /// </summary>
    private protected Tensor DropoutCall(CallContext ctx, Tensor inputs, double rate, IReadOnlyList<int?>? noiseShape)
    {
        var n = Prepare(ctx, inputs, noiseShape, mul: true, add: false);
        Backend.Current.BernoulliMask(n.Mul, n.Length, NextKey(), (float)rate, (float)(1.0 / (1.0 - rate)), 0f);
        return Apply(ctx, inputs, n);
    }

    /// <inheritdoc/>
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        if (!needInputGrad) return null;
        var n = ctx.StateOf<Noise>();
        if (!n.Active || !n.HasMul) return gradOutput; // additive noise passes the gradient through
        var gradIn = ctx.Scratch(CallContext.GradInSlot, gradOutput.Shape);
        Backend.Current.BroadcastAffine(gradOutput.Buffer, n.Mul, null, gradIn.Buffer, n.Shape, n.NoiseShape);
        return gradIn;
    }

    /// <summary>Checks a noise_shape argument (sizes positive or null), naming the layer class.</summary>
    private protected static int?[]? CheckNoiseShape(int?[]? noiseShape, string layer)
    {
        if (noiseShape is null) return null;
        if (noiseShape.Any(d => d is <= 0))
            throw new KerasNetException($"{layer}: noise_shape sizes must be positive or null, got {NoiseShapeText(noiseShape)}.");
        return (int?[])noiseShape.Clone();
    }

    /// <summary>A noise_shape field: null, or a list of integers and nulls.</summary>
    private protected static int?[]? ReadNoiseShape(LayerConfigReader c) => c.Config["noise_shape"] switch
    {
        null => null,
        JsonArray a => a.Select(n => n is null ? (int?)null
            : n is JsonValue v && v.TryGetValue<int>(out int i) ? i
            : throw c.Error($"field 'noise_shape' should hold integers or nulls, got {a.ToJsonString()}.")).ToArray(),
        var other => throw c.Error($"field 'noise_shape' should be a list, got {other.ToJsonString()}."),
    };

    /// <summary>A noise_shape as JSON (null stays null).</summary>
    private protected static JsonNode? NoiseShapeJson(IReadOnlyList<int?>? noiseShape) =>
        noiseShape is null ? null : new JsonArray(noiseShape.Select(d => d is int i ? (JsonNode)i : null).ToArray());

    private static string NoiseShapeText(IReadOnlyList<int?> s) => $"[{string.Join(", ", s.Select(d => d?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "None"))}]";

    /// <summary>Refuses a rate outside [0, 1), naming the layer class.</summary>
    private protected static double CheckRate(double rate, string layer) =>
        rate >= 0 && rate < 1 ? rate : throw new KerasNetException($"{layer}: rate must be in [0, 1), got {rate}.");

    /// <summary>A required number of a config (the first key is the Keras 2/3 name, the others older aliases).</summary>
    private protected static double RequiredDouble(LayerConfigReader c, params string[] keys) =>
        c.Has(keys) ? c.Double(0, keys) : throw c.Error($"missing field '{keys[0]}'.");

    /// <summary>Runs a reader's layer construction, turning argument errors into config errors that name the layer.</summary>
    private protected static T Read<T>(LayerConfigReader c, Func<T> create)
    {
        try { return create(); }
        catch (KerasNetException e) when (e is not ModelConfigException) { throw c.Error(e.Message); }
    }
}
