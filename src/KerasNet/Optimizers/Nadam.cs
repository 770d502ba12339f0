#nullable enable
using System.Numerics.Tensors;
using System.Text.Json.Nodes;
using KerasNet.Engine.Kernels;
using KerasNet.Layers;

namespace KerasNet.Optimizers;

/// <summary>
/// Nadam as tf.keras 2.4 runs it: the momentum schedule mu_t = b1 (1 - 0.5 * 0.96^(decay t)) with decay 0.004
/// (Keras's schedule_decay, saved as "decay"), its running product in the optimizer's momentum_cache, and
/// w -= lr m̄ / (sqrt(v / (1 - b2^t)) + epsilon) with m̄ = (1 - mu_t) g / (1 - prod_t) + mu_{t+1} m / (1 - prod_{t+1}).
/// Like tf.keras 2.4 it refuses a learning-rate schedule.
/// </summary>
public sealed class Nadam : Optimizer
{
    private static readonly string[] Slots = ["m", "v"];
    private static readonly string[] Keras3Slots = ["momentum", "velocity"];
    private static readonly string[] Scalars = ["momentum_cache"];
    private float _mCache = 1f;
    private Coefficients _c;

    /// <summary>Creates the optimizer with Keras 2.4's defaults.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='learningRate']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='beta1']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='beta2']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='epsilon']"/>
    /// <param name="scheduleDecay">tf.keras 2.4's momentum schedule decay (default 0.004): the momentum used at step t is beta1 (1 - 0.5 * 0.96^(t * scheduleDecay)).</param>
    public Nadam(LearningRateSetting learningRate = default, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, double scheduleDecay = 0.004)
        : base(learningRate, 0.001)
    {
        if (Schedule != null)
            throw new KerasNetException("Nadam: a LearningRateSchedule is not supported as learning_rate (tf.keras 2.4's Nadam refuses it too).");
        if (!(scheduleDecay >= 0)) throw new KerasNetException($"Nadam: schedule_decay must be >= 0, got {scheduleDecay}.");
        Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon; ScheduleDecay = scheduleDecay;
    }

    /// <summary>Decay of the first moment.</summary>
    public double Beta1 { get; }
    /// <summary>Decay of the second moment.</summary>
    public double Beta2 { get; }
    /// <summary>Added to the corrected sqrt(v).</summary>
    public double Epsilon { get; }
    /// <summary>The momentum schedule's decay (Keras's schedule_decay; tf.keras 2.4 saves it as "decay").</summary>
    public double ScheduleDecay { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<string> SlotNames => Slots;

    internal override IReadOnlyList<string> Keras3SlotNames => Keras3Slots;

    internal override IReadOnlyList<string> ScalarNames => Scalars;

    internal override float GetScalar(int index) => index == 0 ? _mCache : base.GetScalar(index);

    internal override void SetScalar(int index, float value)
    {
        if (index != 0) base.SetScalar(index, value);
        _mCache = value;
    }

    /// <summary>Nadam reads the learning rate undecayed: its "decay" is the momentum schedule's.</summary>
    private protected override bool UsesLearningRateDecay => false;

    /// <summary>TensorFlow's sparse Nadam decays m and v everywhere but moves only the looked-up rows.</summary>
    private protected override bool SparseMatchesDense => false;

    private readonly record struct Coefficients(float Lr, float B1, float B2, float OneMinusB1, float OneMinusB2, float OneMinusMt,
        float Mt1, float OneMinusNew, float OneMinusNext, float VDenominator, float Eps);

    /// <inheritdoc/>
    protected override void BeginStep()
    {
        float t = Iterations, next = Iterations + 1;
        float b1 = (float)Beta1, b2 = (float)Beta2, decay = (float)ScheduleDecay;
        float mT = b1 * (1f - 0.5f * MathF.Pow(0.96f, decay * t));
        float mT1 = b1 * (1f - 0.5f * MathF.Pow(0.96f, decay * next));
        float scheduleNew = _mCache * mT;
        _mCache = scheduleNew;
        float scheduleNext = scheduleNew * mT1;
        _c = new Coefficients(StepLearningRate, b1, b2, 1 - b1, 1 - b2, 1f - mT, mT1, 1f - scheduleNew, 1f - scheduleNext,
            1f - MathF.Pow(b2, t), (float)Epsilon);
    }

    /// <inheritdoc/>
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, float[][] slots, int offset, int length) =>
        LaneKernels.Run(new Lane(_c, decayed: false), w, g, slots[0].AsSpan(offset, length), slots[1].AsSpan(offset, length), default);

    /// <summary>TensorFlow's sparse form: m *= b1 and v *= b2 everywhere, then the looked-up rows add their gradient and move.</summary>
    private protected override void UpdateRows(Variable v, SparseRows rows)
    {
        var slots = SlotsOf(v);
        TensorPrimitives.Multiply(slots[0], _c.B1, slots[0]);
        TensorPrimitives.Multiply(slots[1], _c.B2, slots[1]);
        int d = rows.RowLength;
        var w = v.Value.Buffer;
        var g = v.Grad.Buffer;
        var step = new Lane(_c, decayed: true);
        foreach (int r in rows.Rows)
            LaneKernels.Run(step, w.AsSpan(r * d, d), g.AsSpan(r * d, d), slots[0].AsSpan(r * d, d), slots[1].AsSpan(r * d, d), default);
    }

    private readonly unsafe struct Lane(Coefficients c, bool decayed) : ILaneStep
    {
        public TV Step<TS, TV>(TV w, TV g, float* m, float* v, float* unused) where TS : struct, ISimd<TV> where TV : struct
        {
            var gPrime = TS.Div(g, TS.Splat(c.OneMinusNew));
            var mv = TS.Load(m);
            var vv = TS.Load(v);
            // b1 m computed first either way: the sparse path has it already in m.
            mv = TS.Add(decayed ? mv : TS.Mul(TS.Splat(c.B1), mv), TS.Mul(TS.Splat(c.OneMinusB1), g));
            vv = TS.Add(decayed ? vv : TS.Mul(TS.Splat(c.B2), vv), TS.Mul(TS.Splat(c.OneMinusB2), TS.Mul(g, g)));
            TS.Store(mv, m); TS.Store(vv, v);
            var mPrime = TS.Div(mv, TS.Splat(c.OneMinusNext));
            var vPrime = TS.Div(vv, TS.Splat(c.VDenominator));
            var mBar = TS.Add(TS.Mul(TS.Splat(c.OneMinusMt), gPrime), TS.Mul(TS.Splat(c.Mt1), mPrime));
            return TS.Sub(w, TS.Div(TS.Mul(TS.Splat(c.Lr), mBar), TS.Add(TS.Sqrt(vPrime), TS.Splat(c.Eps))));
        }
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["decay"] = ScheduleDecay;
        c["beta_1"] = Beta1;
        c["beta_2"] = Beta2;
        c["epsilon"] = Epsilon;
        return c;
    }
}
