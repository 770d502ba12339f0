#nullable enable
using System.Numerics.Tensors;
using System.Text.Json.Nodes;

namespace KerasNet.Optimizers;

/// <summary>
/// Adam exactly as tf.keras 2.4 runs it (TensorFlow's ApplyAdam): lr_t = lr sqrt(1 - b2^t) / (1 - b1^t);
/// m += (g - m)(1 - b1); v += (g² - v)(1 - b2); w -= lr_t m / (sqrt(v) + epsilon), epsilon on the
/// uncorrected sqrt(v).
/// </summary>
public sealed class Adam : Optimizer
{
    private float _lrT;
    private static readonly string[] Slots = ["m", "v"];

    /// <summary>Creates the optimizer with Keras 2.4's defaults.</summary>
    public Adam(double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7)
        : base(learningRate)
    {
        Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon;
    }

    /// <summary>Decay of the first moment.</summary>
    public double Beta1 { get; }
    /// <summary>Decay of the second moment.</summary>
    public double Beta2 { get; }
    /// <summary>Added to sqrt(v).</summary>
    public double Epsilon { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<string> SlotNames => Slots;

    /// <inheritdoc/>
    protected override void BeginStep()
    {
        float t = Iterations;
        float b1p = MathF.Pow((float)Beta1, t), b2p = MathF.Pow((float)Beta2, t);
        _lrT = (float)LearningRate * MathF.Sqrt(1 - b2p) / (1 - b1p);
        foreach (var u in _rowUpdates) u.SetStep(_lrT, 1 - (float)Beta1, 1 - (float)Beta2, (float)Epsilon);
    }

    private readonly List<Engine.AdamRowUpdate> _rowUpdates = new();

    /// <summary>Adam's row update is one the fused dense backward pass applies inside its own loop.</summary>
    private protected override Engine.IWeightUpdate CreateFusedUpdate(float[][] slots)
    {
        var u = new Engine.AdamRowUpdate(slots[0], slots[1]);
        u.SetStep(_lrT, 1 - (float)Beta1, 1 - (float)Beta2, (float)Epsilon);
        _rowUpdates.Add(u);
        return u;
    }

    /// <inheritdoc/>
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, float[][] slots, int offset, int length) =>
        OptimizerKernels.Adam(w, g, slots[0].AsSpan(offset, length), slots[1].AsSpan(offset, length),
            _lrT, 1 - (float)Beta1, 1 - (float)Beta2, (float)Epsilon);

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["decay"] = 0.0;
        c["beta_1"] = Beta1;
        c["beta_2"] = Beta2;
        c["epsilon"] = Epsilon;
        c["amsgrad"] = false;
        return c;
    }
}
