#nullable enable
using System.Runtime.Intrinsics;
using System.Text.Json.Nodes;

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
        public Vector512<float> Step(Vector512<float> w, Vector512<float> g, float* accum, float* accumUpdate, float* unused)
        {
            var rhov = Vector512.Create(rho);
            var one = Vector512.Create(1 - rho);
            var epsv = Vector512.Create(eps);
            var a = Vector512.Load(accum) * rhov + g * g * one;
            var au = Vector512.Load(accumUpdate);
            var update = Vector512.Sqrt(au + epsv) * (Vector512<float>.One / Vector512.Sqrt(a + epsv)) * g;
            au = au * rhov + update * update * one;
            a.Store(accum); au.Store(accumUpdate);
            return w - update * Vector512.Create(lr);
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
