#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;

namespace KerasNet.Losses;

/// <summary>Keras's <c>sparse_categorical_crossentropy</c>: categorical cross-entropy with one integer class index per row.</summary>
public sealed class SparseCategoricalCrossentropy : Loss
{
    /// <summary>Creates the loss with Keras's arguments.</summary>
    /// <param name="fromLogits">Whether the predictions are logits rather than probabilities.</param>
    /// <include file="../Docs/Params.xml" path="params/param[@name='reduction']"/>
    /// <param name="name">The loss's name.</param>
    public SparseCategoricalCrossentropy(bool fromLogits = false, string reduction = "sum_over_batch_size",
        string name = "sparse_categorical_crossentropy") : base(reduction, name) => FromLogits = fromLogits;

    /// <summary>Keras's <c>from_logits</c>.</summary>
    public bool FromLogits { get; }

    /// <inheritdoc/>
    internal override ActivationKind? FusableActivation => FromLogits ? null : ActivationKind.Softmax;

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["from_logits"] = FromLogits;
        c["ignore_class"] = null;
        return c;
    }

    private protected override string[] Keras3OnlyKeys => ["ignore_class"];

    private protected override bool TakesLogits => FromLogits;

    private protected override void Activate(Tensor logits, Tensor into) => CrossEntropy.Softmax(logits, into);

    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private protected override int CheckTargets(Tensor yPred, Tensor yTrue)
    {
        int c = yPred.Shape[^1], rows = yPred.Length / c;
        if (yTrue.Length != rows)
            throw new ShapeMismatchException($"{Name}: expected {rows} integer targets for outputs of shape {ShapeUtil.Format(yPred.Shape)}, got shape {ShapeUtil.Format(yTrue.Shape)}.");
        return rows;
    }

    private protected override void Rows(in LossRows a)
    {
        int c = a.Width;
        var s = LossScratch.Current;
        var oneHot = s.OneHot = Tensor.Ensure(s.OneHot, c);
        var row = oneHot.Span;
        bool wantGrad = !a.Grad.IsEmpty;
        for (int r = 0; r < a.Count; r++)
        {
            float t = a.Target[r];
            int k = (int)t;
            if (k < 0 || k >= c || k != t) throw new KerasNetException($"{Name}: target {t} is not a class index in [0, {c}).");
            row.Clear();
            row[k] = 1f;
            a.Loss[r] = CrossEntropy.Row(a, row, r, c, wantGrad);
        }
    }
}
