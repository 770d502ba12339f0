#nullable enable
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KerasNet.Losses;

/// <summary>Keras's loss names, aliases and class names, and the configs saved with a compiled model.</summary>
internal static class LossCatalog
{
    // Function names and aliases of tf.keras 2.4's losses module and Keras 3, with the class names.
    private static readonly (string Class, string[] Names)[] Known =
    [
        ("MeanSquaredError", ["mean_squared_error", "mse", "MSE"]),
        ("MeanAbsoluteError", ["mean_absolute_error", "mae", "MAE"]),
        ("MeanAbsolutePercentageError", ["mean_absolute_percentage_error", "mape", "MAPE"]),
        ("MeanSquaredLogarithmicError", ["mean_squared_logarithmic_error", "msle", "MSLE"]),
        ("Huber", ["huber", "huber_loss"]),
        ("LogCosh", ["log_cosh", "logcosh"]),
        ("Hinge", ["hinge"]),
        ("SquaredHinge", ["squared_hinge"]),
        ("CategoricalHinge", ["categorical_hinge"]),
        ("KLDivergence", ["kl_divergence", "kld", "KLD", "kullback_leibler_divergence"]),
        ("Poisson", ["poisson"]),
        ("CosineSimilarity", ["cosine_similarity"]),
        ("BinaryCrossentropy", ["binary_crossentropy"]),
        ("CategoricalCrossentropy", ["categorical_crossentropy"]),
        ("SparseCategoricalCrossentropy", ["sparse_categorical_crossentropy"]),
    ];

    /// <summary>A new loss for a name, alias or class name; it remembers the string, so configs save it back as given.</summary>
    public static Loss Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string? cls = Known.FirstOrDefault(k => k.Class == name || k.Names.Contains(name)).Class;
        if (cls is null)
            throw new KerasNetException($"Unknown loss '{name}': supported are {string.Join(", ", Known.Select(k => k.Names[0]))} (aliases {string.Join(", ", Known.SelectMany(k => k.Names.Skip(1)))}, or the class names).");
        var loss = Create(cls, null);
        loss.Identifier = name;
        return loss;
    }

    /// <summary>A loss from Keras's <c>{class_name, config}</c>; the config may omit any argument (Keras's defaults apply).</summary>
    public static Loss FromConfig(string className, JsonObject? config)
    {
        ArgumentNullException.ThrowIfNull(className);
        string cls = className[(className.LastIndexOf('>') + 1)..]; // "keras.losses>Huber" registered names
        if (!Known.Any(k => k.Class == cls))
            throw new KerasNetException($"Unknown loss class '{className}': supported are {string.Join(", ", Known.Select(k => k.Class))}.");
        return Create(cls, config ?? new JsonObject());
    }

    private static Loss Create(string cls, JsonObject? c)
    {
        string reduction = Str(c, "reduction") ?? "sum_over_batch_size";
        string? name = Str(c, "name");
        bool logits = c?["from_logits"] is JsonValue v && v.GetValueKind() == JsonValueKind.True;
        double smoothing = Num(c, "label_smoothing") ?? 0;
        int axis = (int)(Num(c, "axis") ?? -1);
        if (c?["ignore_class"] is JsonValue ic && ic.GetValueKind() != JsonValueKind.Null)
            throw new KerasNetException($"{cls}: ignore_class is not supported.");
        string N(string fallback) => name ?? fallback;
        return cls switch
        {
            "MeanSquaredError" => new MeanSquaredError(reduction, N("mean_squared_error")),
            "MeanAbsoluteError" => new MeanAbsoluteError(reduction, N("mean_absolute_error")),
            "MeanAbsolutePercentageError" => new MeanAbsolutePercentageError(reduction, N("mean_absolute_percentage_error")),
            "MeanSquaredLogarithmicError" => new MeanSquaredLogarithmicError(reduction, N("mean_squared_logarithmic_error")),
            "Huber" => new Huber(Num(c, "delta") ?? 1.0, reduction, N("huber_loss")),
            "LogCosh" => new LogCosh(reduction, N("log_cosh")),
            "Hinge" => new Hinge(reduction, N("hinge")),
            "SquaredHinge" => new SquaredHinge(reduction, N("squared_hinge")),
            "CategoricalHinge" => new CategoricalHinge(reduction, N("categorical_hinge")),
            "KLDivergence" => new KLDivergence(reduction, N("kl_divergence")),
            "Poisson" => new Poisson(reduction, N("poisson")),
            "CosineSimilarity" => new CosineSimilarity(axis, reduction, N("cosine_similarity")),
            "BinaryCrossentropy" => new BinaryCrossentropy(logits, smoothing, axis, reduction, N("binary_crossentropy")),
            "CategoricalCrossentropy" => new CategoricalCrossentropy(logits, smoothing, axis, reduction, N("categorical_crossentropy")),
            "SparseCategoricalCrossentropy" => new SparseCategoricalCrossentropy(logits, reduction, N("sparse_categorical_crossentropy")),
            _ => throw new InvalidOperationException(cls),
        };
    }

    private static string? Str(JsonObject? c, string key) =>
        c?[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static double? Num(JsonObject? c, string key) =>
        c?[key] is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.GetValue<double>() : null;
}
