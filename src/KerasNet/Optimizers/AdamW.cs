#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Optimizers;

/// <summary>
/// AdamW as Keras 3 defines it: Adam (the same update as <see cref="Adam"/>) with decoupled weight decay applied first,
/// <c>w = w - w * weight_decay * lr</c> on every variable that has a gradient. tf.keras 2.4 has no AdamW; its config is
/// written as Keras 3 writes it.
/// </summary>
public sealed class AdamW : Optimizer
{
    private float _lrT;
    private static readonly string[] Slots = ["m", "v"];
    private static readonly string[] AmsSlots = ["m", "v", "vhat"];
    private static readonly string[] Keras3Slots = ["momentum", "velocity", "velocity_hat"];

    /// <summary>Creates the optimizer with Keras 3's defaults (weight_decay 0.004).</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='learningRate']"/>
    /// <param name="weightDecay">Decoupled weight decay: each step subtracts learning rate times this times the weight (Keras 3 default 0.004).</param>
    /// <include file="../Docs/Params.xml" path="params/param[@name='beta1']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='beta2']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='epsilon']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='amsgrad']"/>
    public AdamW(LearningRateSetting learningRate = default, double weightDecay = 0.004, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-7, bool amsgrad = false) : base(learningRate, 0.001)
    {
        Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon; Amsgrad = amsgrad;
        WeightDecay = weightDecay;
    }

    /// <summary>Decay of the first moment.</summary>
    public double Beta1 { get; }
    /// <summary>Decay of the second moment.</summary>
    public double Beta2 { get; }
    /// <summary>Added to sqrt(v).</summary>
    public double Epsilon { get; }
    /// <summary>Whether the AMSGrad variant is used.</summary>
    public bool Amsgrad { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<string> SlotNames => Amsgrad ? AmsSlots : Slots;

    internal override IReadOnlyList<string> Keras3SlotNames => Amsgrad ? Keras3Slots : Keras3Slots[..2];

    internal override int[][] Keras3SlotGroups => Amsgrad ? [[0, 1], [2]] : [[0, 1]];

    /// <summary>Keras 3 keeps only the learning rate in a float32 variable.</summary>
    internal override bool WidensHyperparameters => false;

    /// <inheritdoc/>
    protected override void BeginStep() => _lrT = AdamSteps.Alpha(StepLearningRate, Beta1, Beta2, Iterations);

    /// <inheritdoc/>
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, float[][] slots, int offset, int length) =>
        AdamSteps.Update(w, g, slots, offset, length, _lrT, Beta1, Beta2, Epsilon, Amsgrad);

    /// <summary>Keras 3's AdamW config (its key order; the clipping keys are null when unset).</summary>
    /// <returns>The config, a JSON object in Keras 3's key order.</returns>
    public override JsonObject GetConfig() => new()
    {
        ["name"] = "adamw",
        ["learning_rate"] = LearningRateJson(),
        ["weight_decay"] = WeightDecay,
        ["clipnorm"] = Clipnorm,
        ["global_clipnorm"] = GlobalClipnorm,
        ["clipvalue"] = Clipvalue,
        ["use_ema"] = false,
        ["ema_momentum"] = 0.99,
        ["ema_overwrite_frequency"] = null,
        ["loss_scale_factor"] = null,
        ["gradient_accumulation_steps"] = null,
        ["beta_1"] = Beta1,
        ["beta_2"] = Beta2,
        ["epsilon"] = Epsilon,
        ["amsgrad"] = Amsgrad,
    };
}
