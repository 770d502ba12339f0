#nullable enable
namespace KerasNet.Layers;

/// <summary>The training refusal of the normalization layers' gamma/beta regularizers and constraints (not applied yet).</summary>
internal static class NormalizationPenalties
{
    /// <summary>
    /// Why training would differ from Keras's: a regularizer (non-zero) or a constraint on beta or gamma, which KerasNet
    /// keeps in the config but does not apply; null when there is none.
    /// </summary>
    public static string? Refusal(Layer layer, Regularizer? beta, Regularizer? gamma, Constraint? betaConstraint, Constraint? gammaConstraint)
    {
        foreach (var (field, property, obj) in new (string, string, KerasObject?)[]
        {
            ("beta_regularizer", "BetaRegularizer", beta), ("gamma_regularizer", "GammaRegularizer", gamma),
            ("beta_constraint", "BetaConstraint", betaConstraint), ("gamma_constraint", "GammaConstraint", gammaConstraint),
        })
        {
            if (obj is null || obj is Regularizer { IsZero: true }) continue;
            return $"Layer '{layer.Name}' has {field} {obj.ClassName}, which KerasNet does not apply in training yet; " +
                $"set the layer's {property} to null to train without it (inference is not affected).";
        }
        return null;
    }
}
