#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine.Kernels;

namespace KerasNet.Optimizers;

/// <summary>
/// FTRL-proximal as tf.keras 2.4 runs it (TensorFlow's ApplyFtrl / ApplyFtrlV2): with n = acc + g² and
/// g' = g + 2 l2_shrinkage w, linear += g' - (n^-p - acc^-p) / lr w; w = (l1 sign(linear) - linear) /
/// (n^-p / lr + 2 l2') where |linear| > l1, else 0; acc = n; p = learning_rate_power, l2' = l2 + beta / (2 lr).
/// </summary>
public sealed class Ftrl : Optimizer
{
    private static readonly string[] Slots = ["accumulator", "linear"];

    /// <summary>Creates the optimizer with Keras 2.4's defaults.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='learningRate']"/>
    /// <param name="learningRatePower">How the per-weight step shrinks with the accumulated squared gradients, at most 0 (Keras default -0.5).</param>
    /// <include file="../Docs/Params.xml" path="params/param[@name='initialAccumulatorValue']"/>
    /// <param name="l1RegularizationStrength">L1 penalty strength, non-negative (Keras default 0.0).</param>
    /// <param name="l2RegularizationStrength">L2 penalty strength, non-negative (Keras default 0.0).</param>
    /// <param name="l2ShrinkageRegularizationStrength">L2 shrinkage penalty on the weights (not the gradient-scaled ones), non-negative (Keras default 0.0).</param>
    /// <param name="beta">Added to the denominator of the per-weight rate (Keras default 0.0).</param>
    public Ftrl(LearningRateSetting learningRate = default, double learningRatePower = -0.5, double initialAccumulatorValue = 0.1,
        double l1RegularizationStrength = 0.0, double l2RegularizationStrength = 0.0, double l2ShrinkageRegularizationStrength = 0.0,
        double beta = 0.0) : base(learningRate, 0.001)
    {
        Require(initialAccumulatorValue >= 0, "initial_accumulator_value", initialAccumulatorValue, ">= 0");
        Require(learningRatePower <= 0, "learning_rate_power", learningRatePower, "<= 0");
        Require(l1RegularizationStrength >= 0, "l1_regularization_strength", l1RegularizationStrength, ">= 0");
        Require(l2RegularizationStrength >= 0, "l2_regularization_strength", l2RegularizationStrength, ">= 0");
        Require(l2ShrinkageRegularizationStrength >= 0, "l2_shrinkage_regularization_strength", l2ShrinkageRegularizationStrength, ">= 0");
        LearningRatePower = learningRatePower; InitialAccumulatorValue = initialAccumulatorValue;
        L1RegularizationStrength = l1RegularizationStrength; L2RegularizationStrength = l2RegularizationStrength;
        L2ShrinkageRegularizationStrength = l2ShrinkageRegularizationStrength; Beta = beta;
    }

    private static void Require(bool ok, string name, double value, string rule)
    {
        if (!ok || double.IsInfinity(value)) throw new KerasNetException($"Ftrl: {name} must be {rule}, got {value}.");
    }

    /// <summary>The power p of the per-coordinate learning rate (-0.5: the square root).</summary>
    public double LearningRatePower { get; }
    /// <summary>The accumulator's starting value.</summary>
    public double InitialAccumulatorValue { get; }
    /// <summary>L1 strength.</summary>
    public double L1RegularizationStrength { get; }
    /// <summary>L2 strength.</summary>
    public double L2RegularizationStrength { get; }
    /// <summary>L2 shrinkage strength (a magnitude penalty added to the gradient).</summary>
    public double L2ShrinkageRegularizationStrength { get; }
    /// <summary>Added to the L2 strength as beta / (2 lr).</summary>
    public double Beta { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<string> SlotNames => Slots;

    internal override IReadOnlyList<string> Keras3SlotNames => Slots;

    /// <summary>tf.keras 2.4 creates accumulator and linear variable by variable.</summary>
    internal override int[][] LegacySlotGroups => [[0, 1]];

    /// <summary>TensorFlow's sparse Ftrl updates the looked-up rows only (the dense rule would recompute every weight).</summary>
    private protected override bool SparseMatchesDense => false;

    private protected override float SlotInitialValue(int slot) => slot == 0 ? (float)InitialAccumulatorValue : 0f;

    /// <inheritdoc/>
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, float[][] slots, int offset, int length)
    {
        float lr = StepLearningRate;
        float l2 = (float)L2RegularizationStrength + (float)Beta / (2f * lr);
        var step = new Lane(lr, (float)LearningRatePower, (float)L1RegularizationStrength, l2, (float)L2ShrinkageRegularizationStrength);
        LaneKernels.Run(step, w, g, slots[0].AsSpan(offset, length), slots[1].AsSpan(offset, length), default);
    }

    private readonly unsafe struct Lane(float lr, float power, float l1, float l2, float shrinkage) : ILaneStep
    {
        public TV Step<TS, TV>(TV w, TV g, float* accum, float* linear, float* unused) where TS : struct, ISimd<TV> where TV : struct
        {
            var lrv = TS.Splat(lr);
            var a = TS.Load(accum);
            var n = TS.Add(a, TS.Mul(g, g));
            var gUse = shrinkage > 0 ? TS.Add(g, TS.Mul(TS.Splat(2f * shrinkage), w)) : g;
            var pn = Pow<TS, TV>(n);
            var lin = TS.Add(TS.Load(linear), TS.Sub(gUse, TS.Mul(TS.Div(TS.Sub(pn, Pow<TS, TV>(a)), lrv), w)));
            var l1v = TS.Splat(l1);
            var zero = TS.Zero;
            var sign = TS.Select(TS.GreaterThan(lin, zero), TS.Splat(1f), TS.Select(TS.LessThan(lin, zero), TS.Splat(-1f), zero));
            var x = TS.Sub(TS.Mul(l1v, sign), lin);
            var y = TS.Add(TS.Div(pn, lrv), TS.Splat(2f * l2));
            var wNew = TS.Select(TS.GreaterThan(TS.Abs(lin), l1v), TS.Div(x, y), zero);
            TS.Store(n, accum); TS.Store(lin, linear);
            return wNew;
        }

        // TensorFlow takes the square root itself for the default power -0.5, pow otherwise.
        private TV Pow<TS, TV>(TV v) where TS : struct, ISimd<TV> where TV : struct =>
            power == -0.5f ? TS.Sqrt(v) : LaneKernels.Pow<TS, TV>(v, -power);
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["initial_accumulator_value"] = InitialAccumulatorValue;
        c["learning_rate_power"] = LearningRatePower;
        c["l1_regularization_strength"] = L1RegularizationStrength;
        c["l2_regularization_strength"] = L2RegularizationStrength;
        c["beta"] = Beta;
        c["l2_shrinkage_regularization_strength"] = L2ShrinkageRegularizationStrength;
        return c;
    }
}
