#nullable enable
namespace KerasNet.Engine;

/// <summary>The recurrent cells the engine runs over whole sequences.</summary>
internal enum RnnCell
{
    /// <summary>Keras's SimpleRNN: h = act(x W + h R + b).</summary>
    Simple,
    /// <summary>Keras's LSTM, gates i, f, c, o: c = f c' + i act(.), h = o act(c).</summary>
    Lstm,
    /// <summary>Keras's GRU with reset_after=True (tf.keras 2.x, CuDNN, torch): bias (2, 3u), r applied to h R_h + b_rh.</summary>
    GruResetAfter,
    /// <summary>Keras's GRU with reset_after=False (Keras 1/2.2): bias (3u,), r applied to h before R_h.</summary>
    GruResetBefore,
}

/// <summary>The element-wise functions a recurrent cell applies (Keras's activation and recurrent_activation).</summary>
internal enum RnnActivation
{
    /// <summary>Identity.</summary>
    Linear,
    /// <summary>Hyperbolic tangent.</summary>
    Tanh,
    /// <summary>1 / (1 + exp(-x)).</summary>
    Sigmoid,
    /// <summary>tf.keras 1.x-2.x's hard_sigmoid: clip(0.2 x + 0.5, 0, 1).</summary>
    HardSigmoid,
    /// <summary>max(x, 0).</summary>
    Relu,
    /// <summary>Keras 3's hard_sigmoid: relu6(x + 3) / 6 = clip(x / 6 + 0.5, 0, 1).</summary>
    HardSigmoidKeras3,
}

/// <summary>
/// The shape of one recurrent call: the cell, batch, time steps, input width, units, activations and the options of
/// Keras's RNN that change the computation. Mask groups: 1 when one dropout mask serves every gate (Keras's
/// implementation=2), the number of gates when each gate has its own (implementation=1, and whenever
/// recurrent_dropout is set), 0 when there is no dropout mask.
/// </summary>
internal readonly record struct RnnGeometry(
    RnnCell Cell, int Batch, int Steps, int InputDim, int Units,
    RnnActivation Activation, RnnActivation RecurrentActivation,
    bool GoBackwards = false, bool ReturnSequences = false, bool ZeroOutputForMask = false,
    int InputMaskGroups = 0, int RecurrentMaskGroups = 0)
{
    /// <summary>Gate blocks in the kernels (LSTM 4, GRU 3, SimpleRNN 1).</summary>
    public int Gates => Cell switch { RnnCell.Lstm => 4, RnnCell.Simple => 1, _ => 3 };

    /// <summary>Whether the cell has a carry state c besides h (LSTM).</summary>
    public bool HasCarry => Cell == RnnCell.Lstm;

    /// <summary>Elements of the bias (GRU reset_after: an input and a recurrent bias, (2, 3u)).</summary>
    public int BiasLength => Cell == RnnCell.GruResetAfter ? 6 * Units : Gates * Units;

    /// <summary>Elements of the sequence output (batch, steps, units) or of the last output (batch, units).</summary>
    public long OutputLength => (long)Batch * Units * (ReturnSequences ? Steps : 1);
}

/// <summary>
/// The arrays of a recurrent forward pass, in Keras layouts: x (batch, steps, input), kernel (input, G*units),
/// recurrent kernel (units, G*units), bias (<see cref="RnnGeometry.BiasLength"/>, may be null), initial states
/// (batch, units; null for zeros), a time mask (batch, steps: 0 skips a step, null keeps all), dropout masks
/// (groups, batch, input) and (groups, batch, units) holding 0 or 1/(1 - rate) (null: no dropout), the output and
/// the final states (batch, units).
/// </summary>
internal readonly struct RnnArrays
{
    public float[] X { get; init; }
    public float[] Kernel { get; init; }
    public float[] RecurrentKernel { get; init; }
    public float[]? Bias { get; init; }
    public float[]? InitialH { get; init; }
    public float[]? InitialC { get; init; }
    public float[]? TimeMask { get; init; }
    public float[]? InputDropout { get; init; }
    public float[]? RecurrentDropout { get; init; }
    public float[] Output { get; init; }
    public float[] FinalH { get; init; }
    public float[]? FinalC { get; init; }
}

/// <summary>
/// The arrays of a recurrent backward pass: the gradients reaching the output and the final states (null: zero),
/// and where to write the gradients of x, the weights and the initial states (null: not wanted). Written arrays are
/// overwritten.
/// </summary>
internal readonly struct RnnGradients
{
    public float[] Output { get; init; }
    public float[]? FinalH { get; init; }
    public float[]? FinalC { get; init; }
    public float[]? X { get; init; }
    public float[]? Kernel { get; init; }
    public float[]? RecurrentKernel { get; init; }
    public float[]? Bias { get; init; }
    public float[]? InitialH { get; init; }
    public float[]? InitialC { get; init; }
}

/// <summary>
/// What a recurrent forward pass keeps for its backward pass (the inputs per time step, the gates, the states),
/// owned by the caller (one per layer call) and filled by the backend, which grows its buffers once and reuses them.
/// A backward pass consumes it: it reads and overwrites the saved gates.
/// </summary>
internal sealed class RnnTape
{
    internal RnnGeometry Geometry;
    internal bool Valid;
    internal float[] Xt = [], Z = [], Hs = [], Cs = [], Hr = [], Aux = [], Mask = [], Bias = [];
    internal float[] OutCarry = [], DH = [], DC = [], DOut = [], Tmp = [], DXt = [], RT = [];
}

internal partial interface IBackend
{
    /// <summary>
    /// Runs a recurrent layer over a whole sequence: the input projections of every step as one matrix product, then
    /// the recurrence step by step with the gates, activations and state update fused, as Keras's rnn() with its
    /// mask semantics (a skipped step keeps the states and repeats the previous output, or outputs zeros with
    /// <see cref="RnnGeometry.ZeroOutputForMask"/>). Fills <paramref name="tape"/> for <see cref="RnnBackward"/>.
    /// </summary>
    void RnnForward(in RnnGeometry g, in RnnArrays a, RnnTape tape);

    /// <summary>Back-propagation through time of the forward pass recorded in <paramref name="tape"/> (made with the same arrays).</summary>
    void RnnBackward(in RnnGeometry g, in RnnArrays a, in RnnGradients d, RnnTape tape);
}
