#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Permutes the per-sample axes, as <c>keras.layers.Permute</c>: <see cref="Dims"/> counts from 1 (the batch axis is
/// never moved), so <c>new Permute([2, 1])</c> turns (steps, features) into (features, steps). The gradient is the
/// inverse permutation. Config: <c>{"dims": [...]}</c>.
/// </summary>
[KerasLayer("Permute")]
public sealed class Permute : Layer
{
    private readonly int[] _dims, _perm, _inverse;
    private readonly bool _identity; // (1, 2, ...): the output is the input itself

    /// <summary>Creates the layer.</summary>
    /// <param name="dims">A permutation of 1..rank: output axis i is input axis dims[i].</param>
    /// <param name="inputShape">Keras's <c>input_shape</c>.</param>
    /// <param name="name">The layer name; null picks Keras's automatic name (<c>permute</c>, ...).</param>
    public Permute(int[] dims, Shape? inputShape = null, string? name = null) : base(name, inputShape)
    {
        ArgumentNullException.ThrowIfNull(dims);
        if (dims.Length == 0 || !dims.Order().SequenceEqual(Enumerable.Range(1, dims.Length)))
            throw new KerasNetException($"Permute: invalid permutation argument dims={ShapeUtil.Format(dims)}. The set of indices in dims must be consecutive and start from 1.");
        _dims = (int[])dims.Clone();
        _perm = _dims.Select(d => d - 1).ToArray();
        _inverse = new int[_perm.Length];
        for (int i = 0; i < _perm.Length; i++) _inverse[_perm[i]] = i;
        _identity = _perm.Select((p, i) => p == i).All(same => same);
    }

    /// <summary>The layer of a Keras config (Keras 1, 2 and 3 write dims alike).</summary>
    internal static Permute FromConfig(LayerConfigReader c) =>
        new(c.IntList("dims") ?? throw c.Error("missing field 'dims'."), name: c.Name);

    /// <summary>The permutation, counted from 1.</summary>
    public IReadOnlyList<int> Dims => _dims;

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        LayerShapes.Rank(this, inputShape, _dims.Length);
        return _perm.Select(p => inputShape[p]).ToArray();
    }

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor inputs)
    {
        CheckInput(inputs);
        if (_identity) return inputs;
        var output = ctx.Scratch(CallContext.OutputSlot, inputs.BatchSize, OutputShape!);
        Backend.Current.Transpose(inputs.BatchSize, InputShape!, _perm, inputs.Buffer, output.Buffer);
        return output;
    }

    /// <inheritdoc/>
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        if (!needInputGrad) return null;
        if (_identity) return gradOutput;
        var gradIn = ctx.Scratch(CallContext.GradInSlot, gradOutput.BatchSize, InputShape!);
        Backend.Current.Transpose(gradOutput.BatchSize, OutputShape!, _inverse, gradOutput.Buffer, gradIn.Buffer);
        return gradIn;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["dims"] = IntArray(_dims);
        return c;
    }
}
