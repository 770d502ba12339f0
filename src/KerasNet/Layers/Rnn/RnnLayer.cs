#nullable enable
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>
/// What Keras's recurrent layers share (<c>keras.layers.RNN</c> with a SimpleRNN, LSTM or GRU cell): a kernel
/// (input, G*units), a recurrent kernel (units, G*units) and a bias, Keras's loop options (return_sequences,
/// return_state, go_backwards, stateful), dropout masks drawn once per call and fixed across time steps (training
/// only), and Keras's mask semantics (a skipped step keeps the states and repeats the previous output). Inputs are
/// (batch, timesteps, features); a call may also take the initial states as further inputs
/// (<c>lstm.ApplyMany(x, h0, c0)</c>, Keras's <c>initial_state</c>). The whole sequence runs in the engine
/// (<see cref="IBackend.RnnForward"/>): one GEMM for the input projections of every step, then the fused recurrence.
/// </summary>
public abstract partial class RnnLayer : Layer, ITrainingRefusal
{
    private readonly string _cellName;

    private protected RnnLayer(RnnArgs a, string cellClass) : base(a.Name, a.InputShape, a.Trainable)
    {
        string layer = GetType().Name;
        if (a.Units <= 0) throw new KerasNetException($"{layer}: units must be positive, got {a.Units}.");
        if (!(a.Dropout >= 0 && a.Dropout < 1)) throw new KerasNetException($"{layer}: dropout must be in [0, 1), got {a.Dropout}.");
        if (!(a.RecurrentDropout >= 0 && a.RecurrentDropout < 1)) throw new KerasNetException($"{layer}: recurrent_dropout must be in [0, 1), got {a.RecurrentDropout}.");
        if (a.Implementation is < 0 or > 2) throw new KerasNetException($"{layer}: implementation must be 0, 1 or 2, got {a.Implementation}.");
        if (a.TimeMajor) throw new KerasNetException($"{layer}: time_major=True is not supported; inputs are (batch, timesteps, features).");
        if (a.BatchSize is <= 0) throw new KerasNetException($"{layer}: batch_size must be positive, got {a.BatchSize}.");
        Units = a.Units;
        ActivationKind = RnnArgs.ParseActivation(a.Activation, layer, "activation");
        RecurrentActivationKind = RnnArgs.ParseActivation(a.RecurrentActivation, layer, "recurrent_activation");
        UseBias = a.UseBias;
        KernelInitializer = a.KernelInitializer ?? new GlorotUniform();
        RecurrentInitializer = a.RecurrentInitializer ?? new Orthogonal();
        BiasInitializer = a.BiasInitializer ?? new Zeros();
        (KernelRegularizer, RecurrentRegularizer, BiasRegularizer, ActivityRegularizer) = (a.KernelRegularizer, a.RecurrentRegularizer, a.BiasRegularizer, a.ActivityRegularizer);
        (KernelConstraint, RecurrentConstraint, BiasConstraint) = (a.KernelConstraint, a.RecurrentConstraint, a.BiasConstraint);
        Dropout = a.Dropout;
        RecurrentDropout = a.RecurrentDropout;
        Implementation = a.Implementation;
        ReturnSequences = a.ReturnSequences;
        ReturnState = a.ReturnState;
        GoBackwards = a.GoBackwards;
        Stateful = a.Stateful;
        Unroll = a.Unroll;
        Seed = a.Seed;
        BatchSize = a.BatchSize;
        _cellName = KerasBackend.UniqueName(cellClass);
    }

    /// <summary>Width of the output and of each state.</summary>
    public int Units { get; }

    /// <summary>Keras's <c>activation</c> (candidate and output activation): <c>"tanh"</c>, <c>"sigmoid"</c>, <c>"relu"</c>, ...</summary>
    public string Activation => RnnArgs.ActivationName(ActivationKind);

    internal RnnActivation ActivationKind { get; }

    internal RnnActivation RecurrentActivationKind { get; }

    /// <summary>Whether a bias is added.</summary>
    public bool UseBias { get; }

    /// <summary>Initializer of <see cref="Kernel"/> (glorot_uniform by default).</summary>
    public Initializer KernelInitializer { get; }

    /// <summary>Initializer of <see cref="RecurrentKernel"/> (orthogonal by default).</summary>
    public Initializer RecurrentInitializer { get; }

    /// <summary>Initializer of <see cref="Bias"/> (zeros by default).</summary>
    public Initializer BiasInitializer { get; }

    /// <summary>Fraction of the inputs dropped in training (one mask per call, the same at every step).</summary>
    public double Dropout { get; }

    /// <summary>Fraction of the recurrent state dropped in training (one mask per call and gate, the same at every step).</summary>
    public double RecurrentDropout { get; }

    /// <summary>
    /// Keras's <c>implementation</c> (kept in the config). With dropout, 2 shares one input mask between the gates
    /// and 1 (or 0) draws one per gate, as Keras; recurrent dropout always draws one per gate (Keras switches to
    /// implementation 1 for it).
    /// </summary>
    public int Implementation { get; }

    /// <summary>Whether the output is the whole sequence (batch, timesteps, units) or its last step (batch, units).</summary>
    public bool ReturnSequences { get; }

    /// <summary>Whether the final states follow the output as further outputs (h, and c for an LSTM).</summary>
    public bool ReturnState { get; }

    /// <summary>Whether the sequence is processed from its end (the output sequence is then reversed too).</summary>
    public bool GoBackwards { get; }

    /// <summary>Whether the final states of a batch are the initial states of the next (batch size fixed); see <see cref="ResetStates"/>.</summary>
    public bool Stateful { get; }

    /// <summary>Keras's <c>unroll</c>: kept in the config; the computation is the same either way.</summary>
    public bool Unroll { get; }

    /// <summary>Seed of the dropout masks (null: the session's random stream).</summary>
    public int? Seed { get; }

    /// <summary>The fixed batch size of a stateful layer (from the config, or its first call).</summary>
    public int? BatchSize { get; private set; }

    /// <summary>
    /// Keras's <c>zero_output_for_mask</c>: whether masked steps output zeros instead of repeating the previous
    /// output. Set by <see cref="Bidirectional"/> on its layers when they return sequences, as Keras does.
    /// </summary>
    public bool ZeroOutputForMask { get; internal set; }

    /// <summary>The input kernel (input, G*units), after build.</summary>
    public Variable? Kernel { get; private set; }

    /// <summary>The recurrent kernel (units, G*units), after build.</summary>
    public Variable? RecurrentKernel { get; private set; }

    /// <summary>The bias, after build when <see cref="UseBias"/>.</summary>
    public Variable? Bias { get; private set; }

    /// <inheritdoc/>
    public override bool SupportsMasking => true;

    internal abstract RnnCell Cell { get; }

    /// <summary>Gate blocks of the kernels (LSTM 4, GRU 3, SimpleRNN 1).</summary>
    internal int Gates => Cell switch { RnnCell.Lstm => 4, RnnCell.Simple => 1, _ => 3 };

    /// <summary>Number of states: h, and c for an LSTM.</summary>
    public int StateCount => Cell == RnnCell.Lstm ? 2 : 1;

    /// <summary>The bias's Keras shape.</summary>
    private protected virtual int[] BiasShape => [Gates * Units];

    /// <summary>Fills the bias at build (the LSTM's unit_forget_bias puts ones on the forget gate).</summary>
    private protected virtual void InitializeBias(Span<float> values) => BiasInitializer.Fill(values, BiasShape);

    /// <inheritdoc/>
    public override void Build(int[] inputShape) => Build([inputShape]);

    /// <summary>Builds for the sequence and, when given, the initial states (each (units,) per sample).</summary>
    /// <param name="inputShapes">The per-sample shape of each input (without the batch axis), in the order the layer is
    /// called with.</param>
    public override void Build(IReadOnlyList<int[]> inputShapes)
    {
        ComputeOutputShapes(inputShapes); // validates the shapes before any weight exists
        int features = inputShapes[0][1];
        Kernel = AddWeight($"{_cellName}/kernel", [features, Gates * Units], KernelInitializer);
        RecurrentKernel = AddWeight($"{_cellName}/recurrent_kernel", [Units, Gates * Units], RecurrentInitializer);
        if (UseBias)
        {
            Bias = AddWeight($"{_cellName}/bias", BiasShape, new Zeros());
            InitializeBias(Bias.Value.Span);
            Bias.UninitializedBy = BiasInitializer.LeavesUninitialized;
        }
        MarkBuilt(inputShapes);
    }

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape) => ComputeOutputShapes([inputShape])[0];

    /// <summary>
    /// (timesteps, units) or (units,), then (units,) per state with return_state. Inputs: (timesteps, features), then
    /// optionally one (units,) per state.
    /// </summary>
    /// <exception cref="ShapeMismatchException">An input of another rank, or initial states of the wrong number or width.</exception>
    /// <param name="inputShapes">The per-sample shape of each input (without the batch axis), in the order the layer is
    /// called with.</param>
    /// <returns>The per-sample shape of each output.</returns>
    public override int[][] ComputeOutputShapes(IReadOnlyList<int[]> inputShapes)
    {
        ArgumentNullException.ThrowIfNull(inputShapes);
        if (inputShapes.Count == 0) throw new KerasNetException($"Layer '{Name}' ({ClassName}) needs an input.");
        var x = inputShapes[0];
        if (x.Length != 2)
            throw new ShapeMismatchException($"Layer '{Name}' ({ClassName}) expects input of rank 3 (batch, timesteps, features), got {ShapeUtil.FormatWithNone(x)}.");
        if (inputShapes.Count != 1 && inputShapes.Count != 1 + StateCount)
            throw new KerasNetException($"Layer '{Name}' ({ClassName}) has {StateCount} state(s) but was called with {inputShapes.Count - 1} initial state(s).");
        for (int i = 1; i < inputShapes.Count; i++)
            if (inputShapes[i].Length != 1 || inputShapes[i][0] != Units)
                throw new ShapeMismatchException($"Layer '{Name}' ({ClassName}): initial state {i - 1} should have shape (None, {Units}), got {ShapeUtil.FormatWithNone(inputShapes[i])}.");
        int[] output = ReturnSequences ? [x[0], Units] : [Units];
        if (!ReturnState) return [output];
        var all = new int[1 + StateCount][];
        all[0] = output;
        for (int i = 1; i < all.Length; i++) all[i] = [Units];
        return all;
    }

    /// <summary>
    /// Why training would not be Keras's, or null: regularizers and constraints are kept in the config but not
    /// applied by KerasNet yet (as for Dense and Conv2D).
    /// </summary>
    string? ITrainingRefusal.TrainingRefusal()
    {
        foreach (var (field, obj) in Penalties())
        {
            if (obj is null || obj is Regularizer { IsZero: true }) continue;
            return $"Layer '{Name}' has {field} {obj.ClassName}, which KerasNet does not apply in training yet; " +
                "remove it to train (inference is not affected).";
        }
        return null;
    }
}
