#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine.Kernels;

namespace KerasNet.Optimizers;

/// <summary>
/// Adamax as tf.keras 2.4 runs it (TensorFlow's ApplyAdaMax): m += (g - m)(1 - b1); u = max(b2 u, |g|);
/// w -= lr / (1 - b1^t) * (m / (u + epsilon)).
/// </summary>
public sealed class Adamax : Optimizer
{
    private float _scale;
    private static readonly string[] Slots = ["m", "v"];
    private static readonly string[] Keras3Slots = ["momentum", "norm"];

    /// <summary>Creates the optimizer with Keras 2.4's defaults.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='learningRate']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='beta1']"/>
    /// <param name="beta2">Decay rate of the exponentially weighted infinity norm (Keras default 0.999).</param>
    /// <include file="../Docs/Params.xml" path="params/param[@name='epsilon']"/>
    public Adamax(LearningRateSetting learningRate = default, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7)
        : base(learningRate, 0.001)
    {
        Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon;
    }

    /// <summary>Decay of the first moment.</summary>
    public double Beta1 { get; }
    /// <summary>Decay of the infinity norm.</summary>
    public double Beta2 { get; }
    /// <summary>Added to the infinity norm.</summary>
    public double Epsilon { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<string> SlotNames => Slots;

    internal override IReadOnlyList<string> Keras3SlotNames => Keras3Slots;

    /// <summary>TensorFlow's sparse Adamax gathers and scatters the looked-up rows only.</summary>
    private protected override bool SparseMatchesDense => false;

    /// <inheritdoc/>
    protected override void BeginStep() => _scale = StepLearningRate / (1 - MathF.Pow((float)Beta1, Iterations));

    /// <inheritdoc/>
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, float[][] slots, int offset, int length) =>
        LaneKernels.Run(new Lane(_scale, (float)Beta1, (float)Beta2, (float)Epsilon), w, g,
            slots[0].AsSpan(offset, length), slots[1].AsSpan(offset, length), default);

    private readonly unsafe struct Lane(float scale, float b1, float b2, float eps) : ILaneStep
    {
        public TV Step<TS, TV>(TV w, TV g, float* m, float* u, float* unused) where TS : struct, ISimd<TV> where TV : struct
        {
            var mv = TS.Load(m);
            mv = TS.Add(mv, TS.Mul(TS.Sub(g, mv), TS.Splat(1 - b1)));
            var uv = TS.Max(TS.Mul(TS.Splat(b2), TS.Load(u)), TS.Abs(g));
            TS.Store(mv, m); TS.Store(uv, u);
            return TS.Sub(w, TS.Mul(TS.Splat(scale), TS.Div(mv, TS.Add(uv, TS.Splat(eps)))));
        }
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["beta_1"] = Beta1;
        c["beta_2"] = Beta2;
        c["epsilon"] = Epsilon;
        return c;
    }
}
