#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine.Kernels;

namespace KerasNet.Optimizers;

/// <summary>
/// Adadelta as tf.keras 2.4 runs it (TensorFlow's ApplyAdadelta): acc = rho acc + g² (1 - rho);
/// update = sqrt(acc_update + epsilon) / sqrt(acc + epsilon) g; w -= update lr;
/// acc_update = rho acc_update + update² (1 - rho).
/// </summary>
public sealed class Adadelta : Optimizer
{
    private static readonly string[] Slots = ["accum_grad", "accum_var"];
    private static readonly string[] Keras3Slots = ["accumulated_grad", "accumulated_delta_var"];

    /// <summary>Creates the optimizer with Keras 2.4's defaults.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='learningRate']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='rho']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='epsilon']"/>
    public Adadelta(LearningRateSetting learningRate = default, double rho = 0.95, double epsilon = 1e-7) : base(learningRate, 0.001)
    {
        Rho = rho; Epsilon = epsilon;
    }

    /// <summary>Decay of both accumulators.</summary>
    public double Rho { get; }
    /// <summary>Added inside both square roots.</summary>
    public double Epsilon { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<string> SlotNames => Slots;

    internal override IReadOnlyList<string> Keras3SlotNames => Keras3Slots;

    /// <summary>TensorFlow's sparse Adadelta updates the looked-up rows only (the dense rule would decay the rest).</summary>
    private protected override bool SparseMatchesDense => false;

    /// <inheritdoc/>
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, float[][] slots, int offset, int length) =>
        LaneKernels.Run(new Lane(StepLearningRate, (float)Rho, (float)Epsilon), w, g,
            slots[0].AsSpan(offset, length), slots[1].AsSpan(offset, length), default);

    private readonly unsafe struct Lane(float lr, float rho, float eps) : ILaneStep
    {
        public TV Step<TS, TV>(TV w, TV g, float* accum, float* accumUpdate, float* unused) where TS : struct, ISimd<TV> where TV : struct
        {
            var rhov = TS.Splat(rho);
            var one = TS.Splat(1 - rho);
            var epsv = TS.Splat(eps);
            var a = TS.Add(TS.Mul(TS.Load(accum), rhov), TS.Mul(TS.Mul(g, g), one));
            var au = TS.Load(accumUpdate);
            var update = TS.Mul(TS.Mul(TS.Sqrt(TS.Add(au, epsv)), TS.Div(TS.Splat(1f), TS.Sqrt(TS.Add(a, epsv)))), g);
            au = TS.Add(TS.Mul(au, rhov), TS.Mul(TS.Mul(update, update), one));
            TS.Store(a, accum); TS.Store(au, accumUpdate);
            return TS.Sub(w, TS.Mul(update, TS.Splat(lr)));
        }
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["rho"] = Rho;
        c["epsilon"] = Epsilon;
        return c;
    }
}
