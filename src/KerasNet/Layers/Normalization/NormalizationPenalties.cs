#nullable enable
namespace KerasNet.Layers;

/// <summary>
/// The normalization layers' gamma/beta regularizers and constraints: handed to the gamma and beta variables, where
/// the trainer applies them as Keras does (Variable.Regularizer / Variable.Constraint), and refused for training
/// only when KerasNet cannot apply one.
/// </summary>
internal static class NormalizationPenalties
{
    /// <summary>Hands a weight its regularizer and constraint (nothing when the weight does not exist).</summary>
    public static void Attach(Variable? weight, Regularizer? regularizer, Constraint? constraint)
    {
        if (weight != null) (weight.Regularizer, weight.Constraint) = (regularizer, constraint);
    }

    /// <summary>
    /// Why training would differ from Keras's: a regularizer or constraint on beta or gamma of a class KerasNet does
    /// not implement, or one that cannot apply to the weight's shape; null when there is none.
    /// </summary>
    public static string? Refusal(Layer layer, Variable? gammaWeight, Variable? betaWeight,
        Regularizer? beta, Regularizer? gamma, Constraint? betaConstraint, Constraint? gammaConstraint)
    {
        foreach (var (field, property, obj, weight) in new (string, string, KerasObject?, Variable?)[]
        {
            ("beta_regularizer", "BetaRegularizer", beta, betaWeight), ("gamma_regularizer", "GammaRegularizer", gamma, gammaWeight),
            ("beta_constraint", "BetaConstraint", betaConstraint, betaWeight), ("gamma_constraint", "GammaConstraint", gammaConstraint, gammaWeight),
        })
        {
            string? why = obj switch
            {
                UnknownRegularizer or UnknownConstraint => $"{obj.ClassName}, which KerasNet does not implement",
                Regularizer { IsZero: true } => null,
                Regularizer r when weight != null => r.Refusal(weight.Shape),
                Constraint c when weight != null => c.Refusal(weight.Shape),
                _ => null,
            };
            if (why != null)
                return $"Layer '{layer.Name}' has {field} {why}; set the layer's {property} to null to train without it " +
                    "(inference is not affected).";
        }
        return null;
    }
}
