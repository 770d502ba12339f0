#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Losses;

/// <summary>
/// Keras's <c>Huber</c> ("huber", "huber_loss"): with e = p - y, 0.5 e^2 where |e| &lt;= delta, else
/// 0.5 delta^2 + delta (|e| - delta); the mean over the last axis.
/// </summary>
public sealed class Huber : Loss
{
    /// <summary>Creates the loss; <paramref name="delta"/> is where it turns from quadratic to linear (positive).</summary>
    /// <param name="delta">Where the loss turns from quadratic to linear, a positive number (Keras default 1.0).</param>
    /// <include file="../Docs/Params.xml" path="params/param[@name='reduction']"/>
    /// <param name="name">The loss's name in logs and configs (Keras default "huber_loss").</param>
    public Huber(double delta = 1.0, string reduction = "sum_over_batch_size", string name = "huber_loss") : base(reduction, name)
    {
        if (!(delta > 0) || !double.IsFinite(delta)) throw new KerasNetException($"Huber: delta must be a positive number, got {delta}.");
        Delta = delta;
    }

    /// <summary>Keras's <c>delta</c>.</summary>
    public double Delta { get; }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["delta"] = Delta;
        return c;
    }

    private readonly struct Fn(double delta) : IElementLoss
    {
        public double Value(float p, float y)
        {
            double e = p - y, a = Math.Abs(e);
            return a <= delta ? 0.5 * e * e : 0.5 * delta * delta + delta * (a - delta);
        }

        public double Derivative(float p, float y)
        {
            double e = p - y;
            return Math.Abs(e) <= delta ? e : delta * Math.Sign(e);
        }
    }

    // tf.keras casts delta to the predictions' float32.
    private protected override void Rows(in LossRows a) => Elementwise.MeanRows(a, new Fn((float)Delta));
}
