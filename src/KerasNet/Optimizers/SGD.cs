#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine.Kernels;

namespace KerasNet.Optimizers;

/// <summary>
/// Stochastic gradient descent as tf.keras 2.4: without momentum w -= lr g; with momentum (TensorFlow's
/// ResourceApplyKerasMomentum) v = momentum v - lr g, then w += v, or w += momentum v - lr g when nesterov.
/// </summary>
public sealed class SGD : Optimizer
{
    private static readonly string[] NoSlots = [];
    private static readonly string[] MomentumSlot = ["momentum"];

    /// <summary>Creates the optimizer (Keras defaults: learning_rate 0.01, no momentum).</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='learningRate']"/>
    /// <param name="momentum">Accelerates descent along consistent directions, in [0, 1]; 0 (Keras's default) is plain gradient descent.</param>
    /// <param name="nesterov">Whether to apply Nesterov momentum (Keras default false).</param>
    public SGD(LearningRateSetting learningRate = default, double momentum = 0.0, bool nesterov = false) : base(learningRate, 0.01)
    {
        if (!(momentum >= 0 && momentum <= 1)) throw new KerasNetException($"SGD: momentum must be in [0, 1], got {momentum}.");
        Momentum = momentum; Nesterov = nesterov;
    }

    /// <summary>Momentum factor.</summary>
    public double Momentum { get; }
    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    /// <summary>With momentum, TensorFlow updates only an Embedding's looked-up rows (and their momentum).</summary>
    private protected override bool SparseMatchesDense => Momentum == 0;

    /// <inheritdoc/>
    public override IReadOnlyList<string> SlotNames => Momentum > 0 ? MomentumSlot : NoSlots;

    internal override IReadOnlyList<string> Keras3SlotNames => SlotNames;

    /// <inheritdoc/>
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, float[][] slots, int offset, int length)
    {
        var step = new Lane(StepLearningRate, (float)Momentum, Momentum > 0, Nesterov);
        LaneKernels.Run(step, w, g, Momentum > 0 ? slots[0].AsSpan(offset, length) : default, default, default);
    }

    private readonly unsafe struct Lane(float lr, float mu, bool momentum, bool nesterov) : ILaneStep
    {
        public TV Step<TS, TV>(TV w, TV g, float* s0, float* s1, float* s2) where TS : struct, ISimd<TV> where TV : struct
        {
            var lrv = TS.Splat(lr);
            if (!momentum) return TS.Sub(w, TS.Mul(lrv, g));
            var muv = TS.Splat(mu);
            var v = TS.Sub(TS.Mul(TS.Load(s0), muv), TS.Mul(lrv, g));
            TS.Store(v, s0);
            return TS.Add(w, nesterov ? TS.Sub(TS.Mul(v, muv), TS.Mul(lrv, g)) : v);
        }
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["momentum"] = Momentum;
        c["nesterov"] = Nesterov;
        return c;
    }
}
