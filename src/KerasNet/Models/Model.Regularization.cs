#nullable enable
using KerasNet.Layers;

namespace KerasNet.Models;

// Keras's regularization losses and constraints, applied by the trainer to every weight and layer output, whatever
// layer made them: layers only hand their regularizers and constraints to their variables (Variable.Regularizer,
// Variable.Constraint) or expose an activity regularizer (IActivityRegularized).
public partial class Model
{
    /// <summary>
    /// The penalty of the last forward pass in <paramref name="g"/>, as tf.keras 2.4's <c>model.losses</c>: every
    /// weight's regularizer (frozen layers' included: Keras 2.4 collects them whatever <c>trainable</c> says) plus
    /// every activity regularizer on the outputs of the pass. With <paramref name="sink"/>, the weights the step
    /// trains also get their regularizer's gradient added to the gradient the backward pass stored (a weight the
    /// loss does not reach then gets the penalty's gradient alone, as Keras's tape gives it).
    /// </summary>
    // Once per step of Fit or Evaluate: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private double RegularizationLoss(GraphContext g, GradientSink? sink)
    {
        double total = ActivityLoss(g);
        var weights = Weights;
        for (int i = 0; i < weights.Count; i++)
        {
            var v = weights[i];
            if (!v.IsRegularized) continue;
            var r = v.Regularizer!;
            if (r.Refusal(v.Shape) is { } why)
                throw new KerasNetException($"Layer '{v.LayerName}' weight '{v.Name}' has regularizer {why}, so the loss Keras would " +
                    "report (its penalty included) cannot be computed; set the layer's regularizer to null (inference is not affected).");
            if (sink is null || !sink.Wants(v))
            {
                total += r.Apply(v.Value.Span, v.Shape, default, 0);
                continue;
            }
            if (sink.WasFused(v))
                throw new InvalidOperationException($"Internal error: the update of regularized weight '{v.FullName}' was fused.");
            if (sink.Received(v))
            {
                total += r.Apply(v.Value.Span, v.Shape, v.Grad.Span, 1f);
                continue;
            }
            var grad = sink.GradientFor(v).AsSpan(0, v.Size);
            grad.Clear();
            total += r.Apply(v.Value.Span, v.Shape, grad, 1f);
            sink.Commit(v);
        }
        return total;
    }

    /// <summary>Every activity regularizer's penalty on the outputs of the last pass in <paramref name="g"/> (nested models too).</summary>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static double ActivityLoss(GraphContext g)
    {
        double total = 0;
        var nodes = g.Graph.Nodes;
        for (int k = 0; k < nodes.Count; k++)
        {
            var ctx = g.Nodes[k];
            switch (nodes[k].Layer)
            {
                case Model when ctx.State is GraphContext inner:
                    total += ActivityLoss(inner);
                    break;
                case IActivityRegularized { ActivityRegularizer: { IsZero: false } r } layer:
                    foreach (var y in ctx.Outputs)
                    {
                        if (r.Refusal(y.Shape) is { } why)
                            throw new KerasNetException($"Layer '{((Layer)layer).Name}' has activity_regularizer {why}, so the loss Keras " +
                                "would report (its penalty included) cannot be computed; set the layer's ActivityRegularizer to null (inference is not affected).");
                        total += ActivityPenalty.Of(r, y);
                    }
                    break;
            }
        }
        return total;
    }

    /// <summary>
    /// Projects each weight the step updated with its constraint, after the optimizer's update (Keras's optimizer
    /// assigns <c>constraint(var)</c> right after updating a variable that has a gradient).
    /// </summary>
    private static void ApplyConstraints(IReadOnlyList<Variable> trainable, GradientSink sink)
    {
        for (int i = 0; i < trainable.Count; i++)
        {
            var v = trainable[i];
            if (v.Constraint is { } c && sink.Received(v)) c.Apply(v.Value.Span, v.Shape);
        }
    }

    /// <summary>The regularization loss of the last evaluation forward pass on this thread, for its running logs.</summary>
    [ThreadStatic] private static double t_evaluationPenalty;
}
