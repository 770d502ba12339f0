#nullable enable
using KerasNet.Layers;

namespace KerasNet.Saving;

/// <summary>
/// Maps Keras class names to constructors from a config, as tfjs-layers' serialization registry does. Every layer
/// class marked with <see cref="KerasLayerAttribute"/> registers itself (its Keras names and aliases, and its static
/// <c>FromConfig</c>): a source generator (src/KerasNet.Generators) turns the attributes into a table at compile time,
/// so a lookup loads only the class it names. Other parts of KerasNet (or users) add more with <see cref="Register"/>,
/// which win over a built-in class of the same name. Models (Sequential, Functional, Model) are read by the model
/// config reader, not here.
/// </summary>
public static partial class LayerRegistry
{
    // Only what Register added: the built-in names need no start-up work (LayerRegistry.g.cs).
    private static readonly Dictionary<string, Func<LayerConfigReader, Layer>> Registered = new(StringComparer.Ordinal);

    /// <summary>Registers (or replaces) the constructor for a Keras class name.</summary>
    /// <param name="className">The Keras class name, as in a config's <c>class_name</c>.</param>
    /// <param name="factory">Builds the layer from its config.</param>
    public static void Register(string className, Func<LayerConfigReader, Layer> factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(className);
        ArgumentNullException.ThrowIfNull(factory);
        lock (Registered) Registered[className] = factory;
    }

    /// <summary>The registered class names.</summary>
    public static IReadOnlyCollection<string> ClassNames
    {
        get { lock (Registered) return BuiltInNames.Union(Registered.Keys, StringComparer.Ordinal).ToList(); }
    }

    /// <summary>
    /// A kernel layer's regularizers and constraints (Keras 1's W_/b_ names too), read here for every such layer,
    /// whichever factory built it, so none is dropped from a config; a factory that set one already wins.
    /// </summary>
    private static void ReadPenalties(KernelLayer k, LayerConfigReader c)
    {
        k.KernelRegularizer ??= c.Regularizer("kernel_regularizer", "W_regularizer");
        k.BiasRegularizer ??= c.Regularizer("bias_regularizer", "b_regularizer");
        k.ActivityRegularizer ??= c.Regularizer("activity_regularizer");
        k.KernelConstraint ??= c.Constraint("kernel_constraint", "W_constraint");
        k.BiasConstraint ??= c.Constraint("bias_constraint", "b_constraint");
    }

    /// <summary>Creates a layer from its config; unknown classes and bad fields throw naming the layer.</summary>
    /// <param name="config">The layer's config.</param>
    /// <returns>The new layer (not built).</returns>
    public static Layer Create(LayerConfigReader config)
    {
        Func<LayerConfigReader, Layer>? f;
        lock (Registered) Registered.TryGetValue(config.ClassName, out f);
        f ??= BuiltIn(config.ClassName);
        if (f == null)
            throw config.Error($"unknown layer class '{config.ClassName}'. Supported: {string.Join(", ", ClassNames.Order())}.");
        try
        {
            var layer = f(config);
            if (layer is KernelLayer k) ReadPenalties(k, config);
            return layer;
        }
        catch (KerasNetException e) when (!e.Message.StartsWith(config.Source, StringComparison.Ordinal))
        {
            throw config.Error(e.Message);
        }
    }
}
