#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Optimizers;

/// <summary>
/// Stochastic gradient descent as tf.keras 2.4: without momentum w -= lr g; with momentum
/// v = momentum v - lr g, then w += v, or w += momentum v - lr g when nesterov.
/// </summary>
public sealed class SGD : Optimizer
{
    private static readonly string[] NoSlots = [];
    private static readonly string[] MomentumSlot = ["momentum"];

    /// <summary>Creates the optimizer (Keras defaults: lr 0.01, no momentum).</summary>
    public SGD(double learningRate = 0.01, double momentum = 0.0, bool nesterov = false) : base(learningRate)
    {
        if (momentum < 0 || momentum > 1) throw new KerasNetException($"SGD: momentum must be in [0, 1], got {momentum}.");
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

    /// <inheritdoc/>
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, float[][] slots, int offset, int length)
    {
        float lr = (float)LearningRate, mu = (float)Momentum;
        if (Momentum == 0)
        {
            for (int i = 0; i < w.Length; i++) w[i] -= lr * g[i];
            return;
        }
        var v = slots[0].AsSpan(offset, length);
        for (int i = 0; i < w.Length; i++)
        {
            v[i] = mu * v[i] - lr * g[i];
            w[i] += Nesterov ? mu * v[i] - lr * g[i] : v[i];
        }
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["decay"] = 0.0;
        c["momentum"] = Momentum;
        c["nesterov"] = Nesterov;
        return c;
    }
}
