#nullable enable
namespace KerasNet.Layers;

/// <summary>A kernel layer's regularizers and constraints, as one constructor argument of <see cref="KernelLayer"/>.</summary>
internal readonly record struct WeightOptions(
    Regularizer? KernelRegularizer = null, Regularizer? BiasRegularizer = null, Regularizer? ActivityRegularizer = null,
    Constraint? KernelConstraint = null, Constraint? BiasConstraint = null);

// Regularizers and constraints: kept and saved with the layer, and handed to the kernel and bias variables, where
// the trainer applies them (Keras's add_weight(regularizer=, constraint=)); the activity regularizer is applied to the
// layer's output (KernelLayer.Activity.cs).
public abstract partial class KernelLayer : ITrainingRefusal
{
    private Regularizer? _kernelRegularizer, _biasRegularizer;
    private Constraint? _kernelConstraint, _biasConstraint;

    /// <summary>Keras's <c>kernel_regularizer</c>: its penalty on the kernel is added to the training loss.</summary>
    public Regularizer? KernelRegularizer
    {
        get => _kernelRegularizer;
        set { _kernelRegularizer = value; if (Kernel != null) Kernel.Regularizer = value; }
    }

    /// <summary>Keras's <c>bias_regularizer</c>: its penalty on the bias is added to the training loss.</summary>
    public Regularizer? BiasRegularizer
    {
        get => _biasRegularizer;
        set { _biasRegularizer = value; if (Bias != null) Bias.Regularizer = value; }
    }

    /// <summary>
    /// Keras's <c>activity_regularizer</c>: its penalty on the layer's output, divided by the batch size (as
    /// tf.keras 2.4 does), is added to the loss of training and evaluation.
    /// </summary>
    public Regularizer? ActivityRegularizer { get; set; }

    /// <summary>Keras's <c>kernel_constraint</c>: projects the kernel after each optimizer update.</summary>
    public Constraint? KernelConstraint
    {
        get => _kernelConstraint;
        set { _kernelConstraint = value; if (Kernel != null) Kernel.Constraint = value; }
    }

    /// <summary>Keras's <c>bias_constraint</c>: projects the bias after each optimizer update.</summary>
    public Constraint? BiasConstraint
    {
        get => _biasConstraint;
        set { _biasConstraint = value; if (Bias != null) Bias.Constraint = value; }
    }

    /// <summary>Hands the regularizers and constraints to the weights just created.</summary>
    private void AttachPenalties()
    {
        if (Kernel != null) (Kernel.Regularizer, Kernel.Constraint) = (_kernelRegularizer, _kernelConstraint);
        if (Bias != null) (Bias.Regularizer, Bias.Constraint) = (_biasRegularizer, _biasConstraint);
    }

    /// <summary>
    /// Why this layer cannot be trained in KerasNet as Keras would train it, or null when it can: a regularizer or
    /// constraint of a class KerasNet does not implement (read from a config), or one that cannot apply to its
    /// weight's shape (OrthogonalRegularizer off rank 2, RadialConstraint off a square kernel, an axis out of
    /// range). Ignoring one would train a different model without a word, so training asks for it to be removed.
    /// Regularizers whose factors are all zero change nothing and pass. Inference never uses either.
    /// </summary>
    internal string? TrainingRefusal()
    {
        foreach (var (field, property, obj) in Penalties())
        {
            int[]? shape = field.StartsWith("kernel", StringComparison.Ordinal) ? Kernel?.Shape
                : field.StartsWith("bias", StringComparison.Ordinal) ? Bias?.Shape
                : OutputShape is { } o ? [2, .. o] : null; // the activity: a batch of two stands for any (one is refused when it comes)
            string? why = obj switch
            {
                UnknownRegularizer or UnknownConstraint => $"{obj.ClassName}, which KerasNet does not implement",
                Regularizer { IsZero: true } => null,
                Regularizer r when shape != null => r.Refusal(shape),
                Constraint k when shape != null => k.Refusal(shape),
                _ => null,
            };
            if (why is null) continue;
            return $"Layer '{Name}' has {field} {why}; set the layer's {property} to null to train without it " +
                "(inference is not affected).";
        }
        return null;
    }

    string? ITrainingRefusal.TrainingRefusal() => TrainingRefusal();

    /// <summary>
    /// Refuses training when any layer has a regularizer or constraint KerasNet cannot apply as Keras would
    /// (<see cref="TrainingRefusal"/>, or another <see cref="ITrainingRefusal"/> layer's answer; for other weights,
    /// such as SeparableConv's pointwise kernel, the same test on each weight's own regularizer and constraint).
    /// </summary>
    /// <exception cref="KerasNetException">With the first layer's refusal.</exception>
    internal static void CheckTrainable(IEnumerable<Layer> layers)
    {
        foreach (var l in layers)
        {
            if (l is ITrainingRefusal t && t.TrainingRefusal() is { } refusal) throw new KerasNetException(refusal);
            foreach (var v in l.Weights)
            {
                if (l is KernelLayer kl && (ReferenceEquals(v, kl.Kernel) || ReferenceEquals(v, kl.Bias))) continue; // checked above
                string? reg = v.Regularizer is { IsZero: false } r ? r.Refusal(v.Shape) : null;
                string? con = v.Constraint?.Refusal(v.Shape);
                if ((reg ?? con) is { } why)
                    throw new KerasNetException($"Layer '{l.Name}' weight '{v.Name}' has {(reg != null ? "regularizer" : "constraint")} {why}; " +
                        "remove it to train (inference is not affected).");
            }
        }
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
