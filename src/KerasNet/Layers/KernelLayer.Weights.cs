#nullable enable
namespace KerasNet.Layers;

/// <summary>A kernel layer's regularizers and constraints, as one constructor argument of <see cref="KernelLayer"/>.</summary>
internal readonly record struct WeightOptions(
    Regularizer? KernelRegularizer = null, Regularizer? BiasRegularizer = null, Regularizer? ActivityRegularizer = null,
    Constraint? KernelConstraint = null, Constraint? BiasConstraint = null);

// Regularizers and constraints: kept and saved with the layer, and refused for training until KerasNet applies them.
public abstract partial class KernelLayer : ITrainingRefusal
{
    /// <summary>Keras's <c>kernel_regularizer</c>: kept in the config; training refuses it (set null to train without it).</summary>
    public Regularizer? KernelRegularizer { get; set; }

    /// <summary>Keras's <c>bias_regularizer</c>: kept in the config; training refuses it (set null to train without it).</summary>
    public Regularizer? BiasRegularizer { get; set; }

    /// <summary>Keras's <c>activity_regularizer</c> (on the output): kept in the config; training refuses it.</summary>
    public Regularizer? ActivityRegularizer { get; set; }

    /// <summary>Keras's <c>kernel_constraint</c>: kept in the config; training refuses it (set null to train without it).</summary>
    public Constraint? KernelConstraint { get; set; }

    /// <summary>Keras's <c>bias_constraint</c>: kept in the config; training refuses it (set null to train without it).</summary>
    public Constraint? BiasConstraint { get; set; }

    /// <summary>
    /// Why this layer cannot be trained in KerasNet as Keras would train it, or null when it can: a regularizer
    /// (it would change the loss and the gradients) or a constraint (it would change the weights after each step)
    /// that KerasNet does not apply. Ignoring one would train a different model without a word, so training asks
    /// for it to be removed. Regularizers whose factors are all zero change nothing and pass. Inference never
    /// uses either.
    /// </summary>
    internal string? TrainingRefusal()
    {
        foreach (var (field, property, obj) in Penalties())
        {
            if (obj is null || obj is Regularizer { IsZero: true }) continue;
            return $"Layer '{Name}' has {field} {obj.ClassName}, which KerasNet does not apply in training yet; " +
                $"set the layer's {property} to null to train without it (inference is not affected).";
        }
        return null;
    }

    string? ITrainingRefusal.TrainingRefusal() => TrainingRefusal();

    /// <summary>
    /// Refuses training when any layer has a regularizer or constraint KerasNet does not apply
    /// (<see cref="TrainingRefusal"/>, or another <see cref="ITrainingRefusal"/> layer's answer).
    /// </summary>
    /// <exception cref="KerasNetException">With the first layer's refusal.</exception>
    internal static void CheckTrainable(IEnumerable<Layer> layers)
    {
        foreach (var l in layers)
            if (l is ITrainingRefusal k && k.TrainingRefusal() is { } why) throw new KerasNetException(why);
    }

    /// <summary>The config field, the C# property and the object, in tf.keras 2.4's config order.</summary>
    private IEnumerable<(string Field, string Property, KerasObject? Value)> Penalties()
    {
        yield return ("kernel_regularizer", nameof(KernelRegularizer), KernelRegularizer);
        yield return ("bias_regularizer", nameof(BiasRegularizer), BiasRegularizer);
        yield return ("activity_regularizer", nameof(ActivityRegularizer), ActivityRegularizer);
        yield return ("kernel_constraint", nameof(KernelConstraint), KernelConstraint);
        yield return ("bias_constraint", nameof(BiasConstraint), BiasConstraint);
    }

    /// <summary>The object behind one of the weight fields of the config (initializers, regularizers, constraints).</summary>
    internal KerasObject? WeightField(string field) => field switch
    {
        "kernel_initializer" => KernelInitializer,
        "bias_initializer" => BiasInitializer,
        "kernel_regularizer" => KernelRegularizer,
        "bias_regularizer" => BiasRegularizer,
        "activity_regularizer" => ActivityRegularizer,
        "kernel_constraint" => KernelConstraint,
        "bias_constraint" => BiasConstraint,
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "not a weight field"),
    };

    /// <summary>Whether <paramref name="field"/> is one of the config fields <see cref="WeightField"/> knows.</summary>
    internal static bool IsWeightField(string field) => field is "kernel_initializer" or "bias_initializer" or "kernel_regularizer"
        or "bias_regularizer" or "activity_regularizer" or "kernel_constraint" or "bias_constraint";
}
