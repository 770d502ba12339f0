#nullable enable
using System.Text.Json;
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Softmax along an axis (default the last), or along several adjacent axes at once (Keras 3's list form:
/// <c>exp(x - logsumexp(x, axes))</c>). Axes count the batch axis as 0, as in Keras; the batch axis itself is refused.
/// Along the last axis the layer may be fused with a categorical cross-entropy loss, as tf.keras fuses its Softmax op.
/// </summary>
[KerasLayer("Softmax")]
public sealed class Softmax : ElementwiseLayer, IActivatedLayer
{
    private static readonly ActivationStage LastAxis = new(ActivationKind.Softmax);
    private static readonly ActivationStage NotFusable = new(ActivationKind.Linear);
    private (int First, int Last) _axes; // normalised, 1-based per-sample axes, after Build

    /// <summary>Creates the layer; axis -1 (the last) as in Keras.</summary>
    /// <param name="axis">The axis normalised over; -1 (Keras's default) is the last.</param>
    /// <include file="../../Docs/Params.xml" path="params/param[@name='inputShape']"/>
    /// <include file="../../Docs/Params.xml" path="params/param[@name='name']"/>
    public Softmax(int axis = -1, Shape? inputShape = null, string? name = null) : this([axis], false, inputShape, name) { }

    /// <summary>Creates the layer over several adjacent axes (Keras 3's <c>axis=[...]</c>).</summary>
    /// <param name="axes">Adjacent axes normalised over together (negative counts from the end).</param>
    /// <include file="../../Docs/Params.xml" path="params/param[@name='inputShape']"/>
    /// <include file="../../Docs/Params.xml" path="params/param[@name='name']"/>
    public Softmax(int[] axes, Shape? inputShape = null, string? name = null) : this(axes, true, inputShape, name) { }

    private Softmax(int[] axes, bool list, Shape? inputShape, string? name) : base(inputShape, name)
    {
        ArgumentNullException.ThrowIfNull(axes);
        if (axes.Length == 0) throw new KerasNetException("Softmax: axis must name at least one axis.");
        Axes = (int[])axes.Clone();
        IsList = list;
    }

    /// <summary>The layer of a Keras config: <c>axis</c> an integer or a list of integers.</summary>
    internal static Softmax FromConfig(LayerConfigReader c)
    {
        try
        {
            if (c.Config["axis"] is JsonArray a)
                return new(a.Select(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out int i)
                    ? i : throw c.Error($"field 'axis' should hold integers, got {a.ToJsonString()}.")).ToArray(), name: c.Name);
            return new(c.OptionalInt("axis") ?? -1, name: c.Name);
        }
        catch (KerasNetException e) when (e is not ModelConfigException) { throw c.Error(e.Message); }
    }

    /// <summary>The axes as given (batch axis 0, negative from the end).</summary>
    public IReadOnlyList<int> Axes { get; }

    /// <summary>Whether the axes were given as a list (written back as one).</summary>
    public bool IsList { get; }

    ActivationStage IActivatedLayer.Stage => Built && _axes.Last == InputShape!.Length && _axes.First == _axes.Last ? LastAxis : NotFusable;

    /// <inheritdoc/>
    public override void Build(int[] inputShape)
    {
        int rank = inputShape.Length;
        var axes = Axes.Select(a =>
        {
            int n = a < 0 ? a + rank + 1 : a;
            if (n < 0 || n > rank) throw new KerasNetException($"Layer '{Name}' (Softmax): axis {a} is out of range for inputs of rank {rank + 1}.");
            if (n == 0) throw new KerasNetException($"Layer '{Name}' (Softmax): softmax over the batch axis is not supported.");
            return n;
        }).Distinct().Order().ToArray();
        if (axes[^1] - axes[0] != axes.Length - 1)
            throw new KerasNetException($"Layer '{Name}' (Softmax): the axes [{string.Join(", ", Axes)}] are not adjacent; only adjacent axes are supported.");
        _axes = (axes[0], axes[^1]);
        base.Build(inputShape);
    }

    // [outer, axis, inner] of a batch: the softmax axes merged into one.
    private (int Outer, int Axis, int Inner) Block(Tensor x)
    {
        var s = InputShape!;
        int outer = x.BatchSize, axis = 1, inner = 1;
        for (int d = 1; d <= s.Length; d++)
        {
            if (d < _axes.First) outer *= s[d - 1];
            else if (d <= _axes.Last) axis *= s[d - 1];
            else inner *= s[d - 1];
        }
        return (outer, axis, inner);
    }

    private protected override void Apply(CallContext ctx, Tensor x, Tensor y)
    {
        // The trainer fuses only a single last axis (IActivatedLayer.Stage); the stage then keeps the logits for the loss.
        if (ctx.FuseActivationWithLoss) { LastAxis.Forward(ctx, x, y); return; }
        var (outer, axis, inner) = Block(x);
        Backend.Current.Softmax(x.Buffer, y.Buffer, outer, axis, inner);
    }

    private protected override void Gradient(CallContext ctx, Tensor x, Tensor y, Tensor gradOut, Tensor gradIn)
    {
        // Fused with the loss, the incoming gradient is already with respect to the logits.
        if (ctx.FuseActivationWithLoss) { gradOut.Span.CopyTo(gradIn.Span); return; }
        var (outer, axis, inner) = Block(x);
        Backend.Current.SoftmaxBackward(y.Buffer, gradOut.Buffer, gradIn.Buffer, outer, axis, inner);
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["axis"] = IsList ? IntArray([.. Axes]) : Axes[0];
        return c;
    }

    /// <summary>
    /// False for now: Keras's Softmax adds -1e9 at masked positions, which KerasNet does not do yet, so an incoming
    /// mask is dropped with the graph's one-time warning instead of being ignored silently.
    /// </summary>
    public override bool SupportsMasking => false;
}
