#nullable enable
using KerasNet.Layers;

namespace KerasNet.Saving;

/// <summary>
/// Maps Keras class names to constructors from a config, as tfjs-layers' serialization registry does. Knows the
/// Keras 2/3 names and the Keras 1 ones (<c>Convolution2D</c> with <c>nb_filter</c>/<c>border_mode</c>/
/// <c>subsample</c>/<c>dim_ordering</c>, <c>Dense</c> with <c>output_dim</c>, <c>Dropout</c> with <c>p</c>).
/// Other parts of KerasNet (or users) add their layers with <see cref="Register"/>.
/// </summary>
public static class LayerRegistry
{
    private static readonly Dictionary<string, Func<LayerConfigReader, Layer>> Factories = new(StringComparer.Ordinal)
    {
        ["Conv2D"] = Conv2DFrom,
        ["Convolution2D"] = Conv2DFrom,
        ["MaxPooling2D"] = c => new MaxPooling2D(PoolSize(c), c.Size("strides"), Padding(c), c.DataFormat(), name: c.Name),
        ["MaxPool2D"] = c => new MaxPooling2D(PoolSize(c), c.Size("strides"), Padding(c), c.DataFormat(), name: c.Name),
        ["AveragePooling2D"] = c => new AveragePooling2D(PoolSize(c), c.Size("strides"), Padding(c), c.DataFormat(), name: c.Name),
        ["AvgPool2D"] = c => new AveragePooling2D(PoolSize(c), c.Size("strides"), Padding(c), c.DataFormat(), name: c.Name),
        ["Flatten"] = c => new Flatten(c.DataFormat(), name: c.Name),
        ["Dense"] = c => new Dense(c.Int("units", "output_dim"), c.Activation("activation"), c.Bool(true, "use_bias", "bias"),
            c.Initializer("glorot_uniform", "kernel_initializer", "init"), c.Initializer("zeros", "bias_initializer"),
            name: c.Name, trainable: c.Bool(true, "trainable")),
        ["Dropout"] = c => new Dropout(c.Double(0, "rate", "p"), c.OptionalInt("seed"), name: c.Name),
        ["Activation"] = c => new Activation(c.Activation("activation") ?? throw c.Error("missing field 'activation'."), name: c.Name),
        // Merge layers (tf.keras 2.4 configs: name, trainable, dtype; Concatenate adds axis, Dot axes and normalize).
        ["Add"] = c => new Add(c.Name, c.Bool(true, "trainable")),
        ["Subtract"] = c => new Subtract(c.Name, c.Bool(true, "trainable")),
        ["Multiply"] = c => new Multiply(c.Name, c.Bool(true, "trainable")),
        ["Average"] = c => new Average(c.Name, c.Bool(true, "trainable")),
        ["Maximum"] = c => new Maximum(c.Name, c.Bool(true, "trainable")),
        ["Minimum"] = c => new Minimum(c.Name, c.Bool(true, "trainable")),
        ["Concatenate"] = c => new Concatenate(c.OptionalInt("axis") ?? -1, c.Name, c.Bool(true, "trainable")),
        ["Dot"] = Dot.FromConfig,
    };

    /// <summary>Registers (or replaces) the constructor for a Keras class name.</summary>
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

    private static Layer Conv2DFrom(LayerConfigReader c)
    {
        int groups = c.OptionalInt("groups") ?? 1;
        if (groups != 1) throw c.Error($"groups={groups} is not supported (only 1).");
        var kernel = c.Size("kernel_size")
            ?? (c.Has("nb_row") ? new Size2(c.Int("nb_row"), c.Int("nb_col")) : throw c.Error("missing field 'kernel_size' (or 'nb_row'/'nb_col')."));
        return new Conv2D(c.Int("filters", "nb_filter"), kernel, c.Size("strides", "subsample"), Padding(c), c.DataFormat(),
            c.Size("dilation_rate", "atrous_rate"), c.Activation("activation"), c.Bool(true, "use_bias", "bias"),
            c.Initializer("glorot_uniform", "kernel_initializer", "init"), c.Initializer("zeros", "bias_initializer"),
            name: c.Name, trainable: c.Bool(true, "trainable"));
    }

    private static Size2 PoolSize(LayerConfigReader c) => c.Size("pool_size") ?? new Size2(2, 2);

    private static string Padding(LayerConfigReader c) => c.String("valid", "padding", "border_mode")!;
}
