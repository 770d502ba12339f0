#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Optimizers;

/// <summary>
/// RMSprop as tf.keras 2.4: ms = rho ms + (1 - rho) g². Without momentum w -= lr g / (sqrt(ms) + epsilon);
/// with momentum TensorFlow's ApplyRMSProp: mom = momentum mom + lr g / sqrt(ms + epsilon); w -= mom.
/// </summary>
public sealed class RMSprop : Optimizer
{
    private static readonly string[] RmsOnly = ["rms"];
    private static readonly string[] RmsAndMomentum = ["rms", "momentum"];

    /// <summary>Creates the optimizer with Keras 2.4's defaults.</summary>
    public RMSprop(double learningRate = 0.001, double rho = 0.9, double momentum = 0.0, double epsilon = 1e-7)
        : base(learningRate)
    {
        Rho = rho; Momentum = momentum; Epsilon = epsilon;
    }

    /// <summary>Decay of the mean square.</summary>
    public double Rho { get; }
    /// <summary>Momentum factor.</summary>
    public double Momentum { get; }
    /// <summary>Added inside the square root.</summary>
    public double Epsilon { get; }

    /// <summary>With momentum, TensorFlow updates only an Embedding's looked-up rows (and their momentum).</summary>
    private protected override bool SparseMatchesDense => Momentum == 0;

    /// <inheritdoc/>
    public override IReadOnlyList<string> SlotNames => Momentum > 0 ? RmsAndMomentum : RmsOnly;

    /// <inheritdoc/>
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, float[][] slots, int offset, int length)
    {
        var ms = slots[0].AsSpan(offset, length);
        float lr = (float)LearningRate, rho = (float)Rho, mu = (float)Momentum, eps = (float)Epsilon;
        if (Momentum == 0)
        {
            for (int i = 0; i < w.Length; i++)
            {
                ms[i] = rho * ms[i] + (1 - rho) * g[i] * g[i];
                w[i] -= lr * g[i] / (MathF.Sqrt(ms[i]) + eps);
            }
            return;
        }
        var mom = slots[1].AsSpan(offset, length);
        for (int i = 0; i < w.Length; i++)
        {
            ms[i] = rho * ms[i] + (1 - rho) * g[i] * g[i];
            mom[i] = mu * mom[i] + lr * g[i] / MathF.Sqrt(ms[i] + eps);
            w[i] -= mom[i];
        }
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["decay"] = 0.0;
        c["rho"] = Rho;
        c["momentum"] = Momentum;
        c["epsilon"] = Epsilon;
        c["centered"] = false;
        return c;
    }
}
