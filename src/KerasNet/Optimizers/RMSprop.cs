#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine.Kernels;

namespace KerasNet.Optimizers;

/// <summary>
/// RMSprop as tf.keras 2.4. Without momentum (Keras's own update): ms = rho ms + (1 - rho) g², centered
/// mg = rho mg + (1 - rho) g and denominator ms - mg², w -= lr g / (sqrt(denominator) + epsilon). With momentum,
/// TensorFlow's ApplyRMSProp / ApplyCenteredRMSProp: ms += (g² - ms)(1 - rho), mom = momentum mom + g lr /
/// sqrt(denominator + epsilon), w -= mom.
/// </summary>
public sealed class RMSprop : Optimizer
{
    /// <summary>Creates the optimizer with Keras 2.4's defaults.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='learningRate']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='rho']"/>
    /// <param name="momentum">Momentum applied to the scaled step (Keras default 0.0).</param>
    /// <include file="../Docs/Params.xml" path="params/param[@name='epsilon']"/>
    /// <param name="centered">Whether to divide by the variance estimate (mean of squares minus squared mean) instead of the mean of squares (Keras default false).</param>
    public RMSprop(LearningRateSetting learningRate = default, double rho = 0.9, double momentum = 0.0, double epsilon = 1e-7, bool centered = false)
        : base(learningRate, 0.001)
    {
        if (!(momentum >= 0 && momentum <= 1)) throw new KerasNetException($"RMSprop: momentum must be in [0, 1], got {momentum}.");
        Rho = rho; Momentum = momentum; Epsilon = epsilon; Centered = centered;
        var names = new List<string> { "rms" };
        var k3 = new List<string> { "velocity" };
        if (momentum > 0) { names.Add("momentum"); k3.Add("momentum"); }
        if (centered) { names.Add("mg"); k3.Add("average_gradient"); }
        SlotNames = names;
        Keras3SlotNames = k3;
    }

    /// <summary>Decay of the mean square.</summary>
    public double Rho { get; }
    /// <summary>Momentum factor.</summary>
    public double Momentum { get; }
    /// <summary>Added to the square root (inside it with momentum, as TensorFlow's kernel).</summary>
    public double Epsilon { get; }
    /// <summary>Whether the mean square is centered by the mean gradient.</summary>
    public bool Centered { get; }

    /// <summary>With momentum, TensorFlow updates only an Embedding's looked-up rows (and their momentum).</summary>
    private protected override bool SparseMatchesDense => Momentum == 0;

    /// <inheritdoc/>
    public override IReadOnlyList<string> SlotNames { get; }

    internal override IReadOnlyList<string> Keras3SlotNames { get; }

    /// <summary>Keras 3 builds every velocity, then every momentum, then every average_gradient.</summary>
    internal override int[][] Keras3SlotGroups => LegacySlotGroups;

    /// <inheritdoc/>
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, float[][] slots, int offset, int length)
    {
        bool mom = Momentum > 0;
        var step = new Lane(StepLearningRate, (float)Rho, (float)Momentum, (float)Epsilon, mom, Centered);
        Span<float> Slot(int i) => i < slots.Length ? slots[i].AsSpan(offset, length) : default;
        // Slots: rms, [momentum], [mg]; the step always reads mg from s2.
        LaneKernels.Run(step, w, g, Slot(0), mom ? Slot(1) : default, Centered ? Slot(mom ? 2 : 1) : default);
    }

    private readonly unsafe struct Lane(float lr, float rho, float mu, float eps, bool momentum, bool centered) : ILaneStep
    {
        public TV Step<TS, TV>(TV w, TV g, float* ms, float* mom, float* mg) where TS : struct, ISimd<TV> where TV : struct
        {
            var one = TS.Splat(1f - rho);
            var rhov = TS.Splat(rho);
            var lrv = TS.Splat(lr);
            var epsv = TS.Splat(eps);
            var msv = TS.Load(ms);
            if (!momentum)
            {
                msv = TS.Add(TS.Mul(rhov, msv), TS.Mul(one, TS.Mul(g, g)));
                TS.Store(msv, ms);
                var denom = msv;
                if (centered)
                {
                    var mgv = TS.Add(TS.Mul(rhov, TS.Load(mg)), TS.Mul(one, g));
                    TS.Store(mgv, mg);
                    denom = TS.Sub(msv, TS.Mul(mgv, mgv));
                }
                return TS.Sub(w, TS.Div(TS.Mul(lrv, g), TS.Add(TS.Sqrt(denom), epsv)));
            }
            msv = TS.Add(msv, TS.Mul(TS.Sub(TS.Mul(g, g), msv), one));
            TS.Store(msv, ms);
            var d = msv;
            if (centered)
            {
                var mgv = TS.Load(mg);
                mgv = TS.Add(mgv, TS.Mul(TS.Sub(g, mgv), one));
                TS.Store(mgv, mg);
                d = TS.Sub(msv, TS.Mul(mgv, mgv));
            }
            var momv = TS.Add(TS.Mul(TS.Load(mom), TS.Splat(mu)), TS.Div(TS.Mul(g, lrv), TS.Sqrt(TS.Add(d, epsv))));
            TS.Store(momv, mom);
            return TS.Sub(w, momv);
        }
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["rho"] = Rho;
        c["momentum"] = Momentum;
        c["epsilon"] = Epsilon;
        c["centered"] = Centered;
        return c;
    }
}
