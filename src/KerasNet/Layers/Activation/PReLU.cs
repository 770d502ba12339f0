#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Engine.Kernels;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Parametric rectifier: x for x &gt;= 0, <c>alpha * x</c> below, with a learned alpha per element of a sample
/// (shared along <see cref="SharedAxes"/>, e.g. <c>[1, 2]</c> for one alpha per channel of an image).
/// </summary>
/// <remarks>
/// The regularizer and constraint are kept in the config but not applied yet: training refuses a PReLU that has one
/// (set it to null to train without it); inference is not affected.
/// </remarks>
[KerasLayer("PReLU")]
public sealed class PReLU : Layer, IKeras3Config
{
    /// <summary>What one call keeps: alpha expanded to a whole sample, and alpha's gradient before the sum over shared axes.</summary>
    private sealed class Saved
    {
        public float[] Alpha = Array.Empty<float>();
        public float[] GradAlpha = Array.Empty<float>();
    }

    private int[] _alphaShape = Array.Empty<int>();

    /// <summary>Creates the layer with Keras's defaults (zero alpha, no regularizer, constraint or shared axes).</summary>
    /// <param name="alphaInitializer">Initializer of alpha (default <c>zeros</c>). A Keras name
    /// (<c>"glorot_uniform"</c>, <c>"he_normal"</c>, <c>"orthogonal"</c>, <c>"zeros"</c>, ...: see <see
    /// cref="KerasNet.Layers.Initializer.Get(string)"/>) or an initializer object; null is Keras's default
    /// <c>"zeros"</c>.</param>
    /// <param name="alphaRegularizer">Kept in the config; training refuses it. A Keras name (<c>"l1"</c>, <c>"l2"</c>,
    /// <c>"l1_l2"</c>: see <see cref="KerasNet.Layers.Regularizer.Get(string)"/>) or a regularizer object; null
    /// (Keras's default) for none.</param>
    /// <param name="alphaConstraint">Kept in the config; training refuses it. A Keras name (<c>"max_norm"</c>,
    /// <c>"non_neg"</c>, <c>"unit_norm"</c>, <c>"min_max_norm"</c>: see <see
    /// cref="KerasNet.Layers.Constraint.Get(string)"/>) or a constraint object; null (Keras's default) for
    /// none.</param>
    /// <param name="sharedAxes">Axes (1-based, the batch axis being 0) along which one alpha is shared.</param>
    /// <param name="inputShape">Keras's <c>input_shape</c>.</param>
    /// <param name="name">The layer name.</param>
    /// <param name="trainable">Whether alpha is trained.</param>
    public PReLU(Initializer? alphaInitializer = null, Regularizer? alphaRegularizer = null, Constraint? alphaConstraint = null,
        int[]? sharedAxes = null, Shape? inputShape = null, string? name = null, bool trainable = true)
        : base(name, inputShape, trainable)
    {
        AlphaInitializer = alphaInitializer ?? new Zeros();
        AlphaRegularizer = alphaRegularizer;
        AlphaConstraint = alphaConstraint;
        if (sharedAxes != null && sharedAxes.Any(a => a < 1))
            throw new KerasNetException($"PReLU: shared_axes must be axes of a sample (1 or more; 0 is the batch), got [{string.Join(", ", sharedAxes)}].");
        SharedAxes = sharedAxes?.ToArray();
    }

    /// <summary>The layer of a Keras config (Keras 1's <c>init</c> for the initializer; shared_axes an int or a list).</summary>
    internal static PReLU FromConfig(LayerConfigReader c)
    {
        int[]? shared = c.Config["shared_axes"] switch
        {
            null => null,
            JsonArray a => a.Select(n => n is JsonValue v && v.TryGetValue<int>(out int i) ? i : throw c.Error($"field 'shared_axes' should hold integers, got {a.ToJsonString()}.")).ToArray(),
            _ => [c.Int("shared_axes")],
        };
        try
        {
            return new(c.Initializer("zeros", "alpha_initializer", "init"), c.Regularizer("alpha_regularizer"), c.Constraint("alpha_constraint"),
                shared, name: c.Name, trainable: c.Bool(true, "trainable"));
        }
        catch (KerasNetException e) when (e is not ModelConfigException) { throw c.Error(e.Message); }
    }

    /// <summary>Initializer of alpha.</summary>
    public Initializer AlphaInitializer { get; }

    /// <summary>Keras's <c>alpha_regularizer</c>: kept in the config; training refuses it (set null to train without it).</summary>
    public Regularizer? AlphaRegularizer { get; set; }

    /// <summary>Keras's <c>alpha_constraint</c>: kept in the config; training refuses it (set null to train without it).</summary>
    public Constraint? AlphaConstraint { get; set; }

    /// <summary>The shared axes, or null.</summary>
    public IReadOnlyList<int>? SharedAxes { get; }

    /// <summary>The learned slopes, after <see cref="Build(int[])"/>: the sample shape with 1 on the shared axes.</summary>
    public Variable? Alpha { get; private set; }

    /// <inheritdoc/>
    public override bool SupportsMasking => true;

    /// <inheritdoc/>
    public override void Build(int[] inputShape)
    {
        var shape = (int[])inputShape.Clone();
        foreach (int a in SharedAxes ?? [])
        {
            if (a > shape.Length) throw new KerasNetException($"Layer '{Name}' (PReLU): shared axis {a} is out of range for inputs of rank {shape.Length + 1}.");
            shape[a - 1] = 1;
        }
        _alphaShape = shape;
        Alpha = AddWeight("alpha", shape, AlphaInitializer);
        base.Build(inputShape);
    }

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape) => inputShape;

    /// <summary>Why training must stop (a regularizer or constraint KerasNet does not apply), or null.</summary>
    internal string? TrainingRefusal()
    {
        KerasObject? what = AlphaRegularizer is { IsZero: false } r ? r : AlphaConstraint;
        if (what is null) return null;
        string field = what is Regularizer ? "alpha_regularizer" : "alpha_constraint";
        string property = what is Regularizer ? nameof(AlphaRegularizer) : nameof(AlphaConstraint);
        return $"Layer '{Name}' has {field} {what.ClassName}, which KerasNet does not apply in training yet; set the layer's {property} to null to train without it (inference is not affected).";
    }

    // Alpha for every element of a sample (alpha itself when nothing is shared).
    private float[] AlphaPerElement(Saved saved)
    {
        if (SharedAxes is null || SharedAxes.Count == 0) return Alpha!.Value.Buffer;
        int n = InputShape!.Aggregate(1, (a, d) => a * d);
        if (saved.Alpha.Length < n) saved.Alpha = new float[n];
        BroadcastKernels.Expand(Alpha!.Value.Span, saved.Alpha.AsSpan(0, n), InputShape, _alphaShape);
        return saved.Alpha;
    }

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor inputs)
    {
        CheckInput(inputs);
        // Checked before any work of the step, so a refused step changes no weight.
        if (ctx.Training && Trainable && TrainingRefusal() is { } why) throw new KerasNetException(why);
        var saved = ctx.StateOf<Saved>();
        var output = ctx.Scratch(CallContext.OutputSlot, inputs.Shape);
        int cols = inputs.SampleSize;
        Backend.Current.PRelu(inputs.Buffer, AlphaPerElement(saved), output.Buffer, inputs.BatchSize, cols);
        return output;
    }

    /// <inheritdoc/>
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        var saved = ctx.StateOf<Saved>();
        var x = ctx.Inputs[0];
        int rows = x.BatchSize, cols = x.SampleSize;
        bool wantAlpha = sink.Wants(Alpha!);
        if (!wantAlpha && !needInputGrad) return null;
        var gradIn = needInputGrad ? ctx.Scratch(CallContext.GradInSlot, gradOutput.Shape) : null;
        bool shared = SharedAxes is { Count: > 0 };
        float[]? gradAlpha = null;
        if (wantAlpha)
        {
            if (shared && saved.GradAlpha.Length < cols) saved.GradAlpha = new float[cols];
            gradAlpha = shared ? saved.GradAlpha : sink.GradientFor(Alpha!);
        }
        var alpha = shared ? saved.Alpha : Alpha!.Value.Buffer; // expanded by this call's forward pass
        Backend.Current.PReluBackward(x.Buffer, alpha, gradOutput.Buffer, gradIn?.Buffer, gradAlpha, rows, cols);
        if (wantAlpha)
        {
            if (shared) BroadcastKernels.SumTo(saved.GradAlpha.AsSpan(0, cols), sink.GradientFor(Alpha!), InputShape!, _alphaShape);
            sink.Commit(Alpha!);
        }
        return gradIn;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["alpha_initializer"] = AlphaInitializer.ToKeras2Json();
        c["alpha_regularizer"] = AlphaRegularizer?.ToKeras2Json();
        c["alpha_constraint"] = AlphaConstraint?.ToKeras2Json();
        c["shared_axes"] = SharedAxes is null ? null : IntArray([.. SharedAxes]);
        return c;
    }

    /// <summary>Keras 3's config: the same fields with Keras 3's initializer, regularizer and constraint objects.</summary>
    JsonObject IKeras3Config.GetKeras3Config()
    {
        var c = GetConfig();
        c["alpha_initializer"] = AlphaInitializer.ToKeras3Json();
        c["alpha_regularizer"] = AlphaRegularizer?.ToKeras3Json();
        c["alpha_constraint"] = AlphaConstraint?.ToKeras3Json();
        return c;
    }
}
