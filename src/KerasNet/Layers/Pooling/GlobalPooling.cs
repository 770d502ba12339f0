#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Mean or max over every spatial position of a sample, as Keras's GlobalPooling1D/2D: (steps, c) or (h, w, c) to (c)
/// (channels_first: (c, steps) or (c, h, w) to (c)); with <see cref="Keepdims"/> (Keras 2.6+ and 3) the spatial axes
/// stay with length 1. Max pooling's gradient is TensorFlow's reduce_max gradient: tied maxima share it equally.
/// Config: <c>{"data_format"}</c>, plus <c>"keepdims": true</c> when set (tf.keras 2.4 has no such field and writes
/// none; Keras 3 reads a missing one as false).
/// </summary>
public abstract class GlobalPooling : Layer
{
    private readonly bool _max;
    private readonly int _rank;

    /// <summary>The input and output of a max pooling call: its gradient goes where the input equals the output.</summary>
    private sealed class Saved
    {
        public Tensor Input = null!, Output = null!;
    }

    private protected GlobalPooling(int rank, bool max, string dataFormat, bool keepdims, Shape? inputShape, string? name)
        : base(name, inputShape)
    {
        (_rank, _max, Keepdims) = (rank, max, keepdims);
        DataFormat = LayerShapes.DataFormat(dataFormat, ClassName);
    }

    /// <summary>data_format (Keras 1's dim_ordering) and keepdims of a config.</summary>
    private protected static (string DataFormat, bool Keepdims) ArgsOf(LayerConfigReader c) => (c.DataFormat(), c.Bool(false, "keepdims"));

    /// <summary>"channels_last" or "channels_first".</summary>
    public string DataFormat { get; }

    /// <summary>Whether the pooled spatial axes stay, with length 1.</summary>
    public bool Keepdims { get; }

    private bool Last => DataFormat == "channels_last";

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        LayerShapes.Rank(this, inputShape, _rank + 1);
        int c = Last ? inputShape[^1] : inputShape[0];
        if (!Keepdims) return [c];
        var output = Enumerable.Repeat(1, _rank + 1).ToArray();
        output[Last ? _rank : 0] = c;
        return output;
    }

    /// <summary>The batch as (outer, steps, inner): channels are the inner axis (channels_last) or part of the outer one.</summary>
    private (int outer, int steps, int inner) View(int batch)
    {
        var s = InputShape!;
        int c = Last ? s[^1] : s[0], steps = ShapeUtil.Product(s) / c;
        return Last ? (batch, steps, c) : (batch * c, steps, 1);
    }

    // Each sample summed (or maxed) over its steps in order, element-wise across channels (a float Sum is never
    // re-ordered for alignment); a masked call is excluded with every graph that has masks.
    internal override int InferenceInvariantSamples => int.MaxValue;

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor inputs)
    {
        CheckInput(inputs);
        var output = ctx.Scratch(CallContext.OutputSlot, inputs.BatchSize, OutputShape!);
        if (MaskedSteps(ctx) is { } mask)
        {
            var (t, c) = StepsAndChannels();
            MaskedTemporalPooling.AverageForward(inputs.Span, mask.Span, inputs.BatchSize, t, c, !Last, output.Span);
            return output;
        }
        var (outer, steps, inner) = View(inputs.BatchSize);
        if (_max)
        {
            Backend.Current.GlobalMaxPool(outer, steps, inner, inputs.Buffer, output.Buffer);
            var saved = ctx.StateOf<Saved>();
            (saved.Input, saved.Output) = (inputs, output);
        }
        else Backend.Current.GlobalAvgPool(outer, steps, inner, inputs.Buffer, output.Buffer);
        return output;
    }

    /// <inheritdoc/>
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        if (!needInputGrad) return null;
        var gradIn = ctx.Scratch(CallContext.GradInSlot, gradOutput.BatchSize, InputShape!);
        if (MaskedSteps(ctx) is { } mask)
        {
            var (t, c) = StepsAndChannels();
            MaskedTemporalPooling.AverageBackward(gradOutput.Span, mask.Span, gradOutput.BatchSize, t, c, !Last, gradIn.Span);
            return gradIn;
        }
        var (outer, steps, inner) = View(gradOutput.BatchSize);
        if (_max)
        {
            var saved = ctx.StateOf<Saved>();
            Backend.Current.GlobalMaxPoolBackward(outer, steps, inner, saved.Input.Buffer, saved.Output.Buffer, gradOutput.Buffer, gradIn.Buffer);
        }
        else Backend.Current.GlobalAvgPoolBackward(outer, steps, inner, gradOutput.Buffer, gradIn.Buffer);
        return gradIn;
    }

    /// <summary>
    /// The (batch, steps) mask of a GlobalAveragePooling1D call, when it has one: tf.keras 2.4 then averages over the
    /// unmasked steps only (see <see cref="MaskedTemporalPooling"/>). Max and 2-D pooling do not support masking.
    /// </summary>
    private Tensor? MaskedSteps(CallContext ctx) => !_max && _rank == 1 && SupportsMasking ? ctx.InputMask : null;

    /// <summary>Steps and channels of a 1-D input, in either data format.</summary>
    private (int Steps, int Channels) StepsAndChannels() => Last ? (InputShape![0], InputShape[1]) : (InputShape![1], InputShape[0]);

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["data_format"] = DataFormat;
        if (Keepdims) c["keepdims"] = true;
        return c;
    }
}
