#nullable enable
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using KerasNet.Layers;

namespace KerasNet.Saving;

/// <summary>
/// Maps Keras class names to constructors from a config, as tfjs-layers' serialization registry does. Every layer
/// class marked with <see cref="KerasLayerAttribute"/> registers itself (its Keras names and aliases, and its static
/// <c>FromConfig</c>); other parts of KerasNet (or users) add more with <see cref="Register"/>. Models
/// (Sequential, Functional, Model) are read by the model config reader, not here.
/// </summary>
public static class LayerRegistry
{
    private static readonly Dictionary<string, Func<LayerConfigReader, Layer>> Factories = FromAttributes(new(StringComparer.Ordinal)
    {
        // Factories that do not live with a layer class can be listed here, ["ClassName"] = c => new ...(...); an entry
        // here wins over the [KerasLayer] class of the same name.
    });

    /// <summary>Registers (or replaces) the constructor for a Keras class name.</summary>
    /// <param name="className">The Keras class name, as in a config's <c>class_name</c>.</param>
    /// <param name="factory">Builds the layer from its config.</param>
    public static void Register(string className, Func<LayerConfigReader, Layer> factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(className);
        ArgumentNullException.ThrowIfNull(factory);
        lock (Factories) Factories[className] = factory;
    }

    /// <summary>The registered class names.</summary>
    public static IReadOnlyCollection<string> ClassNames { get { lock (Factories) return Factories.Keys.ToList(); } }

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
        lock (Factories) Factories.TryGetValue(config.ClassName, out f);
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

    /// <summary>
    /// Adds the factory of every [KerasLayer] class of this assembly to <paramref name="explicitFactories"/>, whose
    /// entries win over a class's own. A marked class without a usable factory, or two classes claiming one name, is
    /// a programming error, reported when the registry is first used.
    /// </summary>
    // Trimming and NativeAOT: ILLink.Descriptors.xml (embedded in this assembly) keeps every type of KerasNet with its
    // members, so the reflection below finds in a trimmed or AOT-compiled app the classes and factories it finds here.
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "ILLink.Descriptors.xml keeps every type of this assembly.")]
    private static Dictionary<string, Func<LayerConfigReader, Layer>> FromAttributes(Dictionary<string, Func<LayerConfigReader, Layer>> explicitFactories)
    {
        var claimed = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var type in typeof(LayerRegistry).Assembly.GetTypes())
        {
            if (type.GetCustomAttribute<KerasLayerAttribute>() is not { } attribute) continue;
            var factory = FactoryOf(type);
            foreach (var name in attribute.ClassNames)
            {
                if (!claimed.TryAdd(name, type))
                    throw new InvalidOperationException($"Keras class name '{name}' is claimed by both {claimed[name].Name} and {type.Name}.");
                explicitFactories.TryAdd(name, factory);
            }
        }
        return explicitFactories;
    }

    // The class's static FromConfig(LayerConfigReader); a class without one whose only Keras arguments are name and
    // trainable (the merge layers) is built by its (string? name, bool trainable) constructor.
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "ILLink.Descriptors.xml keeps every member of this assembly's types.")]
    private static Func<LayerConfigReader, Layer> FactoryOf(Type type)
    {
        var method = type.GetMethod("FromConfig", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic, [typeof(LayerConfigReader)]);
        if (method != null && typeof(Layer).IsAssignableFrom(method.ReturnType)) return method.CreateDelegate<Func<LayerConfigReader, Layer>>();
        var ctor = type.GetConstructor([typeof(string), typeof(bool)])
            ?? throw new InvalidOperationException($"{type.Name} is marked [KerasLayer] but has neither a static FromConfig(LayerConfigReader) returning a layer nor a (string? name, bool trainable) constructor.");
        return c => (Layer)ctor.Invoke([c.Name, c.Bool(true, "trainable")]);
    }
}
