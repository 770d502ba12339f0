#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Repeats a (features) vector <see cref="N"/> times into (n, features), as <c>keras.layers.RepeatVector</c>; the
/// gradient is the sum over the copies. Config: <c>{"n"}</c>.
/// </summary>
[KerasLayer("RepeatVector")]
public sealed class RepeatVector : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="n">How many times to repeat the input (at least 1).</param>
    /// <param name="inputShape">Keras's <c>input_shape</c>, (features,).</param>
    /// <param name="name">The layer name; null picks Keras's automatic name (<c>repeat_vector</c>, ...).</param>
    public RepeatVector(int n, Shape? inputShape = null, string? name = null) : base(name, inputShape) =>
        N = LayerShapes.AtLeast(n, 1, "RepeatVector", "n");

    /// <summary>The layer of a Keras config (Keras 1 and 2 write <c>n</c> alike).</summary>
    internal static RepeatVector FromConfig(LayerConfigReader c) => new(c.Int("n"), name: c.Name);

    /// <summary>The repetition factor.</summary>
    public int N { get; }

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        LayerShapes.Rank(this, inputShape, 1);
        return LayerShapes.Output(this, inputShape, [N, inputShape[0]], $"n={N}");
    }

    // A (features) vector is a 1 x 1 image of `features` channels; repeating it n times is nearest upsampling by (n, 1).

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor inputs)
    {
        CheckInput(inputs);
        var output = ctx.Scratch(CallContext.OutputSlot, inputs.BatchSize, OutputShape!);
        Backend.Current.UpsampleNearest(inputs.BatchSize, 1, 1, InputShape![0], N, 1, inputs.Buffer, output.Buffer);
        return output;
    }

    /// <inheritdoc/>
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        if (!needInputGrad) return null;
        var gradIn = ctx.Scratch(CallContext.GradInSlot, gradOutput.BatchSize, InputShape!);
        Backend.Current.UpsampleNearestBackward(gradOutput.BatchSize, 1, 1, InputShape![0], N, 1, gradOutput.Buffer, gradIn.Buffer);
        return gradIn;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["n"] = N;
        return c;
    }
}
