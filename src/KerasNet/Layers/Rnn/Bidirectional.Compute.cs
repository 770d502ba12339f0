#nullable enable
using KerasNet.Engine;

namespace KerasNet.Layers;

// One call: both layers in contexts of their own, the backward sequence reversed back, the merge and its gradient.
public sealed partial class Bidirectional
{
    private sealed class BiCall
    {
        public CallContext? Forward, Backward;
        public Tensor? Merged, GradForward, GradBackward, GradX;
        public Tensor?[] StateGrads = [];
        public Tensor[] ForwardGrads = [], BackwardGrads = [];
    }

    /// <summary>
    /// Keras's Bidirectional.compute_mask: the input's mask for the merged output (each of the two with merge_mode
    /// null) when the layers return sequences, none otherwise and none for the states.
    /// </summary>
    internal override Tensor? ComputeMask(CallContext ctx, Tensor? inputMask) => Sequences ? inputMask : null;

    internal override void ComputeMasks(CallContext ctx)
    {
        var outs = ctx.OutputMasks;
        Array.Clear(outs);
        if (!Sequences) return;
        outs[0] = ctx.InputMask;
        if (MergeMode is null) outs[1] = ctx.InputMask;
    }

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor input)
    {
        ctx.Inputs[0] = input;
        ForwardNode(ctx);
        return ctx.Outputs[0];
    }

    /// <inheritdoc/>
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        BackwardNode(ctx, [gradOutput], needInputGrad, sink);
        return ctx.InputGrads[0];
    }

    private bool Sequences => ForwardLayer.ReturnSequences;

    internal override void ForwardNode(CallContext ctx)
    {
        var call = ctx.StateOf<BiCall>();
        for (int i = 0; i < ctx.Inputs.Length; i++) CheckInput(ctx.Inputs[i], i);
        int half = ctx.Inputs.Length > 1 ? States : 0;
        var f = call.Forward ??= new CallContext(1 + half, ForwardLayer.OutputShapes!.Count);
        var b = call.Backward ??= new CallContext(1 + half, BackwardLayer.OutputShapes!.Count);
        // The sequence goes to both; initial states, when given, are the forward layer's then the backward layer's.
        f.Inputs[0] = b.Inputs[0] = ctx.Inputs[0];
        for (int i = 0; i < half; i++)
        {
            f.Inputs[1 + i] = ctx.Inputs[1 + i];
            b.Inputs[1 + i] = ctx.Inputs[1 + half + i];
        }
        Run(ForwardLayer, f, ctx.Training, ctx.InputMask);
        Run(BackwardLayer, b, ctx.Training, ctx.InputMask);
        var y = f.Outputs[0];
        var yRev = b.Outputs[0];
        int batch = y.BatchSize, steps = Sequences ? y.Shape[1] : 1, u = ForwardLayer.Units;
        int o = 0;
        if (MergeMode is null)
        {
            ctx.Outputs[o++] = y;
            var rev = call.Merged = Tensor.EnsureBatch(call.Merged, batch, OutputShapes![1]);
            for (int n = 0; n < batch; n++)
                for (int t = 0; t < steps; t++)
                    yRev.Span.Slice(Row(n, t, steps, u, Reverse(t, steps)), u).CopyTo(rev.Span.Slice(Row(n, t, steps, u, t), u));
            ctx.Outputs[o++] = rev;
        }
        else
        {
            var m = call.Merged = Tensor.EnsureBatch(call.Merged, batch, OutputShapes![0]);
            int width = MergeMode == "concat" ? 2 * u : u;
            for (int n = 0; n < batch; n++)
                for (int t = 0; t < steps; t++)
                {
                    var a = y.Span.Slice(Row(n, t, steps, u, t), u);
                    var r = yRev.Span.Slice(Row(n, t, steps, u, Reverse(t, steps)), u);
                    var dst = m.Span.Slice((n * steps + t) * width, width);
                    switch (MergeMode)
                    {
                        case "concat": a.CopyTo(dst); r.CopyTo(dst[u..]); break;
                        case "sum": System.Numerics.Tensors.TensorPrimitives.Add(a, r, dst); break;
                        case "mul": System.Numerics.Tensors.TensorPrimitives.Multiply(a, r, dst); break;
                        default:
                            System.Numerics.Tensors.TensorPrimitives.Add(a, r, dst);
                            System.Numerics.Tensors.TensorPrimitives.Multiply(dst, 0.5f, dst);
                            break;
                    }
                }
            ctx.Outputs[o++] = m;
        }
        for (int i = 1; i < f.Outputs.Length; i++) ctx.Outputs[o++] = f.Outputs[i];
        for (int i = 1; i < b.Outputs.Length; i++) ctx.Outputs[o++] = b.Outputs[i];
    }

    private static void Run(RnnLayer layer, CallContext ctx, bool training, Tensor? mask)
    {
        ctx.Training = training;
        if (mask != null || ctx.InputMask != null) ctx.InputMasks[0] = mask;
        layer.ForwardNode(ctx);
    }

    // The backward layer's step s is time T-1-s of the sequence (its outputs come in processing order).
    private int Reverse(int t, int steps) => Sequences ? steps - 1 - t : t;

    private static int Row(int n, int t, int steps, int u, int at) => (n * steps + at) * u;

    internal override void BackwardNode(CallContext ctx, ReadOnlySpan<Tensor> gradOutputs, bool needInputGrads, GradientSink sink)
    {
        var call = ctx.StateOf<BiCall>();
        var f = call.Forward ?? throw new KerasNetException($"Layer '{Name}' (Bidirectional): backward needs a forward pass of the same call first.");
        var b = call.Backward!;
        var y = f.Outputs[0];
        var yRev = b.Outputs[0];
        int batch = y.BatchSize, steps = Sequences ? y.Shape[1] : 1, u = ForwardLayer.Units;
        var gf = call.GradForward = Tensor.EnsureBatch(call.GradForward, batch, ForwardLayer.OutputShapes![0]);
        var gb = call.GradBackward = Tensor.EnsureBatch(call.GradBackward, batch, BackwardLayer.OutputShapes![0]);
        int width = MergeMode == "concat" ? 2 * u : u;
        for (int n = 0; n < batch; n++)
            for (int t = 0; t < steps; t++)
            {
                var df = gf.Span.Slice(Row(n, t, steps, u, t), u);
                var db = gb.Span.Slice(Row(n, t, steps, u, Reverse(t, steps)), u);
                if (MergeMode is null)
                {
                    gradOutputs[0].Span.Slice(Row(n, t, steps, u, t), u).CopyTo(df);
                    gradOutputs[1].Span.Slice(Row(n, t, steps, u, t), u).CopyTo(db);
                    continue;
                }
                var g = gradOutputs[0].Span.Slice((n * steps + t) * width, width);
                switch (MergeMode)
                {
                    case "concat": g[..u].CopyTo(df); g[u..].CopyTo(db); break;
                    case "sum": g.CopyTo(df); g.CopyTo(db); break;
                    case "mul":
                        System.Numerics.Tensors.TensorPrimitives.Multiply(g, yRev.Span.Slice(Row(n, t, steps, u, Reverse(t, steps)), u), df);
                        System.Numerics.Tensors.TensorPrimitives.Multiply(g, y.Span.Slice(Row(n, t, steps, u, t), u), db);
                        break;
                    default:
                        System.Numerics.Tensors.TensorPrimitives.Multiply(g, 0.5f, df);
                        df.CopyTo(db);
                        break;
                }
            }
        // The states' gradients: after the merged output(s), the forward layer's, then the backward layer's.
        int first = MergeMode is null ? 2 : 1, k = States;
        int count = 1 + (ForwardLayer.ReturnState ? k : 0);
        if (call.ForwardGrads.Length != count) (call.ForwardGrads, call.BackwardGrads) = (new Tensor[count], new Tensor[count]);
        var fg = call.ForwardGrads;
        var bg = call.BackwardGrads;
        fg[0] = gf;
        bg[0] = gb;
        for (int i = 1; i < fg.Length; i++)
        {
            fg[i] = gradOutputs.Length > first + i - 1 ? gradOutputs[first + i - 1] : ZeroState(ref call.StateGrads, i - 1, batch, ForwardLayer.StateShape);
            bg[i] = gradOutputs.Length > first + k + i - 1 ? gradOutputs[first + k + i - 1] : ZeroState(ref call.StateGrads, k + i - 1, batch, ForwardLayer.StateShape);
        }
        ForwardLayer.BackwardNode(f, fg, needInputGrads, sink);
        BackwardLayer.BackwardNode(b, bg, needInputGrads, sink);
        Array.Clear(ctx.InputGrads);
        if (!needInputGrads) return;
        var dx = call.GradX = Tensor.EnsureBatch(call.GradX, batch, InputShape!);
        System.Numerics.Tensors.TensorPrimitives.Add(f.InputGrads[0]!.Span, b.InputGrads[0]!.Span, dx.Span);
        ctx.InputGrads[0] = dx;
        for (int i = 1; i < f.InputGrads.Length; i++) ctx.InputGrads[i] = f.InputGrads[i];
        for (int i = 1; i < b.InputGrads.Length; i++) ctx.InputGrads[f.InputGrads.Length - 1 + i] = b.InputGrads[i];
    }

    private static Tensor ZeroState(ref Tensor?[] cache, int i, int batch, int[] stateShape)
    {
        if (cache.Length <= i) Array.Resize(ref cache, i + 1);
        var z = cache[i] = Tensor.EnsureBatch(cache[i], batch, stateShape);
        z.Clear();
        return z;
    }
}
