#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Optimizers;

/// <summary>
/// Adam exactly as tf.keras 2.4 runs it (TensorFlow's ApplyAdam): lr_t = lr sqrt(1 - b2^t) / (1 - b1^t);
/// m += (g - m)(1 - b1); v += (g² - v)(1 - b2); w -= lr_t m / (sqrt(v) + epsilon), epsilon on the
/// uncorrected sqrt(v). With amsgrad, ApplyAdamWithAmsgrad: vhat = max(vhat, v) replaces v in the denominator.
/// </summary>
public sealed class Adam : Optimizer
{
    private float _lrT;
    private static readonly string[] Slots = ["m", "v"];
    private static readonly string[] AmsSlots = ["m", "v", "vhat"];
    private static readonly string[] Keras3Slots = ["momentum", "velocity", "velocity_hat"];

    /// <summary>Creates the optimizer with Keras 2.4's defaults.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='learningRate']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='beta1']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='beta2']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='epsilon']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='amsgrad']"/>
    public Adam(LearningRateSetting learningRate = default, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, bool amsgrad = false)
        : base(learningRate, 0.001)
    {
        Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon; Amsgrad = amsgrad;
    }

    /// <summary>Decay of the first moment.</summary>
    public double Beta1 { get; }
    /// <summary>Decay of the second moment.</summary>
    public double Beta2 { get; }
    /// <summary>Added to sqrt(v).</summary>
    public double Epsilon { get; }
    /// <summary>Whether the AMSGrad variant (running maximum of v) is used.</summary>
    public bool Amsgrad { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<string> SlotNames => Amsgrad ? AmsSlots : Slots;

    internal override IReadOnlyList<string> Keras3SlotNames => Amsgrad ? Keras3Slots : Keras3Slots[..2];

    /// <summary>Keras 3 builds m and v variable by variable, then all the velocity_hat slots.</summary>
    internal override int[][] Keras3SlotGroups => Amsgrad ? [[0, 1], [2]] : [[0, 1]];

    /// <inheritdoc/>
    protected override void BeginStep()
    {
        _lrT = AdamSteps.Alpha(StepLearningRate, Beta1, Beta2, Iterations);
        foreach (var u in _rowUpdates) u.SetStep(_lrT, 1 - (float)Beta1, 1 - (float)Beta2, (float)Epsilon);
    }

    private readonly List<Engine.AdamRowUpdate> _rowUpdates = new();

    /// <summary>The plain row update is one the fused dense backward pass applies inside its own loop.</summary>
    private protected override Engine.IWeightUpdate CreateFusedUpdate(float[][] slots)
    {
        if (Amsgrad || !IsPlainUpdate) return base.CreateFusedUpdate(slots);
        var u = new Engine.AdamRowUpdate(slots[0], slots[1]);
        u.SetStep(_lrT, 1 - (float)Beta1, 1 - (float)Beta2, (float)Epsilon);
        _rowUpdates.Add(u);
        return u;
    }

    /// <inheritdoc/>
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, float[][] slots, int offset, int length) =>
        AdamSteps.Update(w, g, slots, offset, length, _lrT, Beta1, Beta2, Epsilon, Amsgrad);

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["beta_1"] = Beta1;
        c["beta_2"] = Beta2;
        c["epsilon"] = Epsilon;
        c["amsgrad"] = Amsgrad;
        return c;
    }
}
