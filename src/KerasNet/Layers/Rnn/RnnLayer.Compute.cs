#nullable enable
using KerasNet.Engine;

namespace KerasNet.Layers;

// One call: forward and backward through the engine, dropout masks, initial and stateful states.
public abstract partial class RnnLayer
{
    /// <summary>What one call keeps: the engine's tape, the arrays it ran with, the outputs and the gradients.</summary>
    internal sealed class RnnCall
    {
        public readonly RnnTape Tape = new();
        public RnnGeometry Geometry;
        public RnnArrays Arrays;
        public Tensor? Output, FinalH, FinalC, GradX, GradH0, GradC0;
        public float[] InputDropout = [], RecurrentDropout = [], TimeMask = [];
        public bool Trained;
    }

    private readonly object _stateGate = new();
    private int[]? _stateShape;

    /// <summary>(units,): a state's per-sample shape, kept so that calls do not allocate it.</summary>
    internal int[] StateShape => _stateShape ??= [Units];
    private float[]? _stateH, _stateC;
    private Random? _rng;

    /// <summary>
    /// The states a stateful layer carries to its next batch (h, then c for an LSTM), each (batch, units); null
    /// before the first call.
    /// </summary>
    public IReadOnlyList<Tensor>? States
    {
        get
        {
            lock (_stateGate)
            {
                if (_stateH is null || BatchSize is not int b) return null;
                var h = new Tensor((float[])_stateH.Clone(), b, Units);
                return _stateC is null ? [h] : [h, new Tensor((float[])_stateC.Clone(), b, Units)];
            }
        }
    }

    /// <summary>
    /// Keras's <c>reset_states()</c>: sets a stateful layer's states to zeros, or to <paramref name="states"/> (h, then
    /// c for an LSTM; each batch * units values).
    /// </summary>
    /// <exception cref="KerasNetException">The layer is not stateful, or the values do not fit.</exception>
    /// <param name="states">The new states (h, then c for an LSTM), each batch * units values; null (Keras's default)
    /// sets zeros.</param>
    public void ResetStates(IReadOnlyList<float[]>? states = null)
    {
        if (!Stateful) throw new KerasNetException($"Layer '{Name}' ({ClassName}) must be stateful to reset its states.");
        lock (_stateGate)
        {
            if (states is null)
            {
                if (_stateH != null) Array.Clear(_stateH);
                if (_stateC != null) Array.Clear(_stateC);
                return;
            }
            if (states.Count != StateCount)
                throw new KerasNetException($"Layer '{Name}' ({ClassName}) expects {StateCount} state(s), got {states.Count}.");
            int batch = BatchSize ?? states[0].Length / Units;
            for (int i = 0; i < states.Count; i++)
                if (states[i].Length != batch * Units || batch == 0)
                    throw new KerasNetException($"Layer '{Name}' ({ClassName}): state {i} should hold batch * units = {batch} * {Units} values, got {states[i].Length}.");
            BatchSize = batch;
            _stateH = (float[])states[0].Clone();
            _stateC = StateCount > 1 ? (float[])states[1].Clone() : null;
        }
    }

    /// <summary>
    /// Keras's RNN.compute_mask: the sequence output keeps the input's mask when the layer returns sequences (in the
    /// input's time order even with go_backwards, as Keras); the last output and the states have none.
    /// </summary>
    internal override Tensor? ComputeMask(CallContext ctx, Tensor? inputMask) => ReturnSequences ? inputMask : null;

    internal override void ComputeMasks(CallContext ctx)
    {
        var outs = ctx.OutputMasks;
        Array.Clear(outs);
        if (ReturnSequences) outs[0] = ctx.InputMask;
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

    internal override void ForwardNode(CallContext ctx)
    {
        var call = ctx.StateOf<RnnCall>();
        var x = ctx.Inputs[0];
        if (InputShapes is { } built && built.Count != ctx.Inputs.Length)
            throw new KerasNetException($"Layer '{Name}' ({ClassName}) was built for {built.Count} input(s) (the sequence and its initial states) but is called on {ctx.Inputs.Length}.");
        for (int i = 0; i < ctx.Inputs.Length; i++) CheckInput(ctx.Inputs[i], i);
        int batch = x.BatchSize, steps = InputShape![0], features = InputShape[1];
        bool given = ctx.Inputs.Length > 1;
        bool dropIn = ctx.Training && Dropout > 0, dropRec = ctx.Training && RecurrentDropout > 0;
        var g = new RnnGeometry(Cell, batch, steps, features, Units, ActivationKind, RecurrentActivationKind,
            GoBackwards, ReturnSequences, ZeroOutputForMask,
            InputMaskGroups: dropIn ? (Implementation == 2 && !dropRec ? 1 : Gates) : 0,
            RecurrentMaskGroups: dropRec ? Gates : 0);
        if (dropIn) DrawMasks(ref call.InputDropout, g.InputMaskGroups * batch * features, Dropout);
        if (dropRec) DrawMasks(ref call.RecurrentDropout, g.RecurrentMaskGroups * batch * Units, RecurrentDropout);
        float[]? timeMask = null;
        // The sequence's mask (Keras's `mask` argument of call): 1 keeps a step, 0 skips it; the states' are ignored.
        if (ctx.InputMask is { } m)
        {
            if (m.Length != batch * steps)
                throw new ShapeMismatchException($"Layer '{Name}' ({ClassName}): the mask has shape {ShapeUtil.Format(m.Shape)} but the input is {ShapeUtil.Format(x.Shape)}; it should be (batch, timesteps).");
            timeMask = m.Buffer;
        }
        call.Output = Tensor.EnsureBatch(call.Output, batch, OutputShape!);
        call.FinalH = Tensor.EnsureBatch(call.FinalH, batch, StateShape);
        if (Cell == RnnCell.Lstm) call.FinalC = Tensor.EnsureBatch(call.FinalC, batch, StateShape);
        var arrays = new RnnArrays
        {
            X = x.Buffer, Kernel = Kernel!.Value.Buffer, RecurrentKernel = RecurrentKernel!.Value.Buffer, Bias = Bias?.Value.Buffer,
            InitialH = given ? ctx.Inputs[1].Buffer : null, InitialC = given && Cell == RnnCell.Lstm ? ctx.Inputs[2].Buffer : null,
            TimeMask = timeMask, InputDropout = dropIn ? call.InputDropout : null, RecurrentDropout = dropRec ? call.RecurrentDropout : null,
            Output = call.Output.Buffer, FinalH = call.FinalH.Buffer, FinalC = call.FinalC?.Buffer,
        };
        var be = Backend.Current;
        if (Stateful && !given)
            lock (_stateGate)
            {
                EnsureStates(batch);
                arrays = arrays with { InitialH = _stateH, InitialC = _stateC };
                be.RnnForward(g, arrays, call.Tape);
                call.FinalH.Span.CopyTo(_stateH);
                call.FinalC?.Span.CopyTo(_stateC);
            }
        else be.RnnForward(g, arrays, call.Tape);
        call.Geometry = g;
        call.Arrays = arrays;
        call.Trained = ctx.Training;
        ctx.Outputs[0] = call.Output;
        if (ReturnState)
        {
            ctx.Outputs[1] = call.FinalH;
            if (Cell == RnnCell.Lstm) ctx.Outputs[2] = call.FinalC!;
        }
    }

    internal override void BackwardNode(CallContext ctx, ReadOnlySpan<Tensor> gradOutputs, bool needInputGrads, GradientSink sink)
    {
        var call = ctx.StateOf<RnnCall>();
        Array.Clear(ctx.InputGrads);
        bool wantK = sink.Wants(Kernel!), wantR = sink.Wants(RecurrentKernel!), wantB = UseBias && sink.Wants(Bias!);
        if (!needInputGrads && !wantK && !wantR && !wantB) return;
        if (!call.Tape.Valid || call.Output is null)
            throw new KerasNetException($"Layer '{Name}' ({ClassName}): backward needs a forward pass of the same call first (each forward is back-propagated once).");
        var g = call.Geometry;
        int batch = g.Batch;
        bool given = ctx.Inputs.Length > 1;
        if (needInputGrads)
        {
            call.GradX = Tensor.EnsureBatch(call.GradX, batch, InputShape!);
            if (given) call.GradH0 = Tensor.EnsureBatch(call.GradH0, batch, StateShape);
            if (given && Cell == RnnCell.Lstm) call.GradC0 = Tensor.EnsureBatch(call.GradC0, batch, StateShape);
        }
        var d = new RnnGradients
        {
            Output = gradOutputs[0].Buffer,
            FinalH = gradOutputs.Length > 1 ? gradOutputs[1].Buffer : null,
            FinalC = gradOutputs.Length > 2 ? gradOutputs[2].Buffer : null,
            X = needInputGrads ? call.GradX!.Buffer : null,
            Kernel = wantK ? sink.GradientFor(Kernel!) : null,
            RecurrentKernel = wantR ? sink.GradientFor(RecurrentKernel!) : null,
            Bias = wantB ? sink.GradientFor(Bias!) : null,
            InitialH = needInputGrads && given ? call.GradH0!.Buffer : null,
            InitialC = needInputGrads && given && Cell == RnnCell.Lstm ? call.GradC0!.Buffer : null,
        };
        if (gradOutputs[0].Length != call.Output.Length)
            throw new ShapeMismatchException($"Layer '{Name}' ({ClassName}): the output gradient has shape {ShapeUtil.Format(gradOutputs[0].Shape)}, the output {ShapeUtil.Format(call.Output.Shape)}.");
        Backend.Current.RnnBackward(g, call.Arrays, d, call.Tape);
        if (wantK) sink.Commit(Kernel!);
        if (wantR) sink.Commit(RecurrentKernel!);
        if (wantB) sink.Commit(Bias!);
        if (!needInputGrads) return;
        ctx.InputGrads[0] = call.GradX;
        if (given) ctx.InputGrads[1] = call.GradH0;
        if (given && Cell == RnnCell.Lstm) ctx.InputGrads[2] = call.GradC0;
    }

    // Keras's stateful RNN needs a fixed batch: the first call (or the config) sets it, later calls must match.
    private void EnsureStates(int batch)
    {
        if (BatchSize is int fixedBatch && fixedBatch != batch)
            throw new KerasNetException($"Layer '{Name}' ({ClassName}) is stateful with batch size {fixedBatch} but received a batch of {batch}; " +
                "a stateful RNN needs the same batch size in every call (pass batch-sized data, e.g. drop the last partial batch).");
        BatchSize = batch;
        if (_stateH is null || _stateH.Length != batch * Units) _stateH = new float[batch * Units];
        if (Cell == RnnCell.Lstm && (_stateC is null || _stateC.Length != batch * Units)) _stateC = new float[batch * Units];
    }

    /// <summary>Makes a seeded layer draw its dropout masks from the start of its seed's stream again (tests replay a call).</summary>
    internal void RestartDropoutStream() => _rng = null;

    // Keras's K.dropout(ones): each value kept with probability 1 - rate and scaled by 1 / (1 - rate).
    private void DrawMasks(ref float[] mask, int n, double rate)
    {
        if (mask.Length < n) mask = new float[n];
        // As Dropout: without a seed the session's stream is looked up per call; Random is not thread-safe.
        var rng = Seed is null ? KerasRandom.Stream("dropout") : (_rng ??= KerasRandom.For(Seed, "dropout"));
        float scale = (float)(1.0 / (1.0 - rate));
        lock (rng) for (int i = 0; i < n; i++) mask[i] = rng.NextDouble() >= rate ? scale : 0f;
    }
}
