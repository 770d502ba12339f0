#nullable enable
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>
/// The shared base of the element-wise merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum), with
/// Keras's shape rules (<c>_compute_elemwise_op_output_shape</c>): the per-sample shapes are aligned on the right,
/// a missing leading dimension or a dimension of size 1 broadcasts against the other input's, and any other
/// difference is an error. Inputs of a lower rank are expanded at axis 1 (after the batch) as Keras's
/// <c>call</c> does, which is the same right alignment. All inputs hold the same number of samples. The inputs are
/// folded left to right (<c>((x0 op x1) op x2) ...</c>), as Keras's <c>_merge_function</c> does. Gradients of a
/// broadcast input are summed over the dimensions it was broadcast along.
/// </summary>
public abstract class ElementwiseMerge : Merge
{
    // Per input: the per-sample offset into the input of each per-sample output element, or null where the input
    // has the output's shape (no broadcasting). Computed once at build.
    private int[]?[] _maps = [];
    private int[] _inputSizes = [];

    private protected ElementwiseMerge(string? name, bool trainable) : base(name, trainable) { }

    /// <summary>The per-call state: the gradient buffers of broadcast or computed input gradients, and winners.</summary>
    private protected sealed class State
    {
        public Tensor?[] Grads = [];
        public int[] Winners = [];
    }

    /// <summary>Keras's _compute_elemwise_op_output_shape folded over the inputs.</summary>
    private protected override int[] MergedShape(IReadOnlyList<int[]> inputShapes)
    {
        var output = inputShapes[0];
        for (int i = 1; i < inputShapes.Count; i++) output = Broadcast(output, inputShapes[i], inputShapes);
        return (int[])output.Clone();
    }

    private int[] Broadcast(int[] a, int[] b, IReadOnlyList<int[]> all)
    {
        if (a.Length < b.Length) (a, b) = (b, a);
        var o = (int[])a.Clone();
        int shift = a.Length - b.Length;
        for (int k = 0; k < b.Length; k++)
        {
            int i = a[shift + k], j = b[k];
            if (i == 1) o[shift + k] = j;
            else if (j != 1 && i != j)
                throw new ShapeMismatchException(
                    $"Layer '{Name}' ({ClassName}): operands could not be broadcast together with shapes {ShapeUtil.FormatWithNone(a)} and {ShapeUtil.FormatWithNone(b)} (input shapes {FormatShapes(all)}).");
        }
        return o;
    }

    private protected sealed override void OnBuild(IReadOnlyList<int[]> inputShapes, int[] outputShape)
    {
        _maps = new int[]?[inputShapes.Count];
        _inputSizes = new int[inputShapes.Count];
        for (int i = 0; i < inputShapes.Count; i++)
        {
            _inputSizes[i] = ShapeUtil.Product(inputShapes[i]);
            _maps[i] = ShapeUtil.Equal(inputShapes[i], outputShape) ? null : BroadcastMap(inputShapes[i], outputShape);
        }
    }

    /// <summary>For each per-sample output element (row-major), its offset in an input of shape <paramref name="input"/>.</summary>
    private static int[] BroadcastMap(int[] input, int[] output)
    {
        int rank = output.Length, shift = rank - input.Length;
        var strides = new int[rank]; // the input's row-major strides, 0 along broadcast (and missing) dimensions
        int s = 1;
        for (int d = rank - 1; d >= shift; d--)
        {
            int dim = input[d - shift];
            strides[d] = dim == 1 ? 0 : s;
            s *= dim;
        }
        var map = new int[ShapeUtil.Product(output)];
        var index = new int[rank];
        int offset = 0;
        for (int k = 0; k < map.Length; k++)
        {
            map[k] = offset;
            for (int d = rank - 1; d >= 0; d--) // odometer
            {
                offset += strides[d];
                if (++index[d] < output[d]) break;
                offset -= strides[d] * index[d];
                index[d] = 0;
            }
        }
        return map;
    }

    /// <summary>Whether input <paramref name="i"/> is broadcast to the output shape.</summary>
    private protected bool IsBroadcast(int i) => _maps[i] != null;

    /// <summary>Input <paramref name="i"/> laid out in the output's shape: the tensor itself, or its broadcast copy in <paramref name="into"/>.</summary>
    private protected ReadOnlySpan<float> Expanded(Tensor input, int i, Tensor into)
    {
        var map = _maps[i];
        if (map is null) return input.Span;
        var src = input.Span;
        var dst = into.Span;
        int size = _inputSizes[i], o = 0;
        for (int b = 0, bo = 0; b < input.BatchSize; b++, bo += size)
            for (int k = 0; k < map.Length; k++) dst[o++] = src[bo + map[k]];
        return dst;
    }

    /// <summary>dst *= input <paramref name="i"/> laid out in the output's shape (dst is output-shaped).</summary>
    private protected void MultiplyBy(Span<float> dst, Tensor input, int i)
    {
        var map = _maps[i];
        if (map is null) { TensorPrimitives.Multiply(dst, input.Span, dst); return; }
        var src = input.Span;
        int size = _inputSizes[i], o = 0;
        for (int b = 0, bo = 0; b < input.BatchSize; b++, bo += size)
            for (int k = 0; k < map.Length; k++) dst[o++] *= src[bo + map[k]];
    }

    // ---- forward ----

    internal sealed override void ForwardNode(CallContext ctx)
    {
        CheckInputs(ctx);
        var ins = ctx.Inputs;
        int batch = ins[0].BatchSize;
        var state = ctx.StateOf<State>();
        var output = ctx.Scratch(CallContext.OutputSlot, batch, OutputShape!);
        var acc = output.Span;
        Expanded(ins[0], 0, output).CopyTo(acc); // a no-op copy when input 0 is broadcast into the output itself
        Tensor? temp = null;
        for (int i = 1; i < ins.Length; i++)
        {
            var x = IsBroadcast(i) ? Expanded(ins[i], i, temp ??= ctx.Scratch(CallContext.ExtraSlot, batch, OutputShape!)) : ins[i].Span;
            Combine(acc, x, i, state);
        }
        Finish(acc, ins.Length);
        ctx.Outputs[0] = output;
    }

    /// <summary>acc = acc op x, element-wise (x already in the output's shape); <paramref name="index"/> is x's input index (1, 2, ...).</summary>
    private protected abstract void Combine(Span<float> acc, ReadOnlySpan<float> x, int index, State state);

    /// <summary>A last step on the folded result (Average divides by the number of inputs).</summary>
    private protected virtual void Finish(Span<float> acc, int inputs) { }

    // ---- backward ----

    internal sealed override void BackwardNode(CallContext ctx, ReadOnlySpan<Tensor> gradOutputs, bool needInputGrads, GradientSink sink)
    {
        var grads = ctx.InputGrads;
        if (!needInputGrads) { Array.Clear(grads); return; }
        var state = ctx.StateOf<State>();
        if (state.Grads.Length != grads.Length) state.Grads = new Tensor?[grads.Length];
        InputGradients(ctx, gradOutputs[0], state);
    }

    /// <summary>Sets every <see cref="CallContext.InputGrads"/> from the output gradient (read-only; it may be passed on as is).</summary>
    private protected abstract void InputGradients(CallContext ctx, Tensor gradOutput, State state);

    /// <summary>
    /// Where to write input <paramref name="i"/>'s gradient in the output's shape: the input gradient buffer itself
    /// when the input is not broadcast, else an output-shaped scratch that <see cref="Reduced"/> then sums.
    /// </summary>
    private protected Tensor LocalGradient(CallContext ctx, int i, State state, int batch) =>
        IsBroadcast(i) ? ctx.Scratch(CallContext.ExtraSlot, batch, OutputShape!) : GradBuffer(state, i, batch);

    /// <summary>Input <paramref name="i"/>'s gradient from its output-shaped form: itself, or summed over the broadcast dimensions.</summary>
    private protected Tensor Reduced(Tensor local, int i, State state)
    {
        var map = _maps[i];
        if (map is null) return local;
        int batch = local.BatchSize, size = _inputSizes[i];
        var g = GradBuffer(state, i, batch);
        var dst = g.Span;
        dst.Clear();
        var src = local.Span;
        int o = 0;
        for (int b = 0, bo = 0; b < batch; b++, bo += size)
            for (int k = 0; k < map.Length; k++) dst[bo + map[k]] += src[o++];
        return g;
    }

    private Tensor GradBuffer(State state, int i, int batch) =>
        state.Grads[i] = Tensor.EnsureBatch(state.Grads[i], batch, InputShapes![i]);

    /// <summary>Gradients that pass the output gradient (or one tensor computed from it) to every input unchanged.</summary>
    private protected void PassThrough(CallContext ctx, Tensor local, State state)
    {
        for (int i = 0; i < ctx.InputGrads.Length; i++) ctx.InputGrads[i] = Reduced(local, i, state);
    }

    /// <summary>Max/Min: the gradient of each output element goes to the input that won it, the others get 0.</summary>
    private protected void RouteToWinners(CallContext ctx, Tensor gradOutput, State state)
    {
        var g = gradOutput.Span;
        var winners = state.Winners.AsSpan(0, g.Length);
        for (int i = 0; i < ctx.InputGrads.Length; i++)
        {
            var local = LocalGradient(ctx, i, state, gradOutput.BatchSize);
            var l = local.Span;
            for (int k = 0; k < l.Length; k++) l[k] = winners[k] == i ? g[k] : 0f;
            ctx.InputGrads[i] = Reduced(local, i, state);
        }
    }

    /// <summary>Max/Min fold step: keeps acc where <typeparamref name="TKeep"/> says so (TF's gradient mask), else takes x and records the winner.</summary>
    private protected static void Select<TKeep>(Span<float> acc, ReadOnlySpan<float> x, int index, State state) where TKeep : struct, IKeep
    {
        if (state.Winners.Length < acc.Length) state.Winners = new int[acc.Length];
        var w = state.Winners.AsSpan(0, acc.Length);
        if (index == 1) w.Clear();
        var keep = default(TKeep);
        for (int k = 0; k < acc.Length; k++)
        {
            if (keep.Keep(acc[k], x[k])) continue;
            acc[k] = x[k];
            w[k] = index;
        }
    }

    /// <summary>The comparison of a Max/Min fold: whether the running value stays.</summary>
    private protected interface IKeep
    {
        bool Keep(float acc, float x);
    }

    /// <summary>Adds <paramref name="x"/> into <paramref name="acc"/>.</summary>
    private protected static void AddInto(Span<float> acc, ReadOnlySpan<float> x) => TensorPrimitives.Add(acc, x, acc);
}
