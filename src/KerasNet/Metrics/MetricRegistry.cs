#nullable enable
using System.Text.Json;
using System.Text.Json.Nodes;
using KerasNet.Losses;

namespace KerasNet.Metrics;

/// <summary>
/// Keras's metric names: the functions compile wraps in a MeanMetricWrapper under the name given ("mae" logs as
/// "mae"), the classes it instantiates with their default name ("AUC" logs as "auc", Keras 3's "auc" too), and the
/// configs of saved metrics.
/// </summary>
internal static class MetricRegistry
{
    // Function names (and Keras's aliases) -> the metric, named as given.
    private static readonly Dictionary<string, Func<string, Metric>> Functions = new()
    {
        ["binary_accuracy"] = n => new BinaryAccuracy(n),
        ["categorical_accuracy"] = n => new CategoricalAccuracy(n),
        ["sparse_categorical_accuracy"] = n => new SparseCategoricalAccuracy(n),
        ["top_k_categorical_accuracy"] = n => new TopKCategoricalAccuracy(name: n),
        ["sparse_top_k_categorical_accuracy"] = n => new SparseTopKCategoricalAccuracy(name: n),
        ["mean_squared_error"] = n => new MeanSquaredError(n), ["mse"] = n => new MeanSquaredError(n), ["MSE"] = n => new MeanSquaredError(n),
        ["mean_absolute_error"] = n => new MeanAbsoluteError(n), ["mae"] = n => new MeanAbsoluteError(n), ["MAE"] = n => new MeanAbsoluteError(n),
        ["mean_absolute_percentage_error"] = n => new MeanAbsolutePercentageError(n), ["mape"] = n => new MeanAbsolutePercentageError(n),
        ["MAPE"] = n => new MeanAbsolutePercentageError(n),
        ["mean_squared_logarithmic_error"] = n => new MeanSquaredLogarithmicError(n), ["msle"] = n => new MeanSquaredLogarithmicError(n),
        ["MSLE"] = n => new MeanSquaredLogarithmicError(n),
        ["logcosh"] = n => new LogCoshError(n), ["log_cosh"] = n => new LogCoshError(n),
    };

    // Class names (and Keras 3's snake_case names) -> the metric with its default name.
    private static readonly Dictionary<string, Func<Metric>> Classes = new()
    {
        ["BinaryAccuracy"] = () => new BinaryAccuracy(),
        ["CategoricalAccuracy"] = () => new CategoricalAccuracy(),
        ["SparseCategoricalAccuracy"] = () => new SparseCategoricalAccuracy(),
        ["TopKCategoricalAccuracy"] = () => new TopKCategoricalAccuracy(),
        ["SparseTopKCategoricalAccuracy"] = () => new SparseTopKCategoricalAccuracy(),
        ["MeanSquaredError"] = () => new MeanSquaredError(),
        ["MeanAbsoluteError"] = () => new MeanAbsoluteError(),
        ["MeanAbsolutePercentageError"] = () => new MeanAbsolutePercentageError(),
        ["MeanSquaredLogarithmicError"] = () => new MeanSquaredLogarithmicError(),
        ["LogCoshError"] = () => new LogCoshError(), ["log_cosh_error"] = () => new LogCoshError(),
        ["RootMeanSquaredError"] = () => new RootMeanSquaredError(), ["root_mean_squared_error"] = () => new RootMeanSquaredError(),
        ["AUC"] = () => new AUC(), ["auc"] = () => new AUC(),
        ["Precision"] = () => new Precision(), ["precision"] = () => new Precision(),
        ["Recall"] = () => new Recall(), ["recall"] = () => new Recall(),
        ["TruePositives"] = () => new TruePositives(), ["true_positives"] = () => new TruePositives(),
        ["TrueNegatives"] = () => new TrueNegatives(), ["true_negatives"] = () => new TrueNegatives(),
        ["FalsePositives"] = () => new FalsePositives(), ["false_positives"] = () => new FalsePositives(),
        ["FalseNegatives"] = () => new FalseNegatives(), ["false_negatives"] = () => new FalseNegatives(),
    };

    // Classes whose constructor needs an argument: Keras cannot make them from a bare name either.
    private static readonly string[] NeedArguments =
        ["SensitivityAtSpecificity", "SpecificityAtSensitivity", "PrecisionAtRecall", "RecallAtPrecision", "MeanIoU", "Mean"];

    private static string Known => "accuracy, acc, crossentropy, ce, " + string.Join(", ", Functions.Keys) + ", "
        + string.Join(", ", Classes.Keys) + ", and the loss names (binary_crossentropy, categorical_crossentropy, ...)";

    /// <summary>Throws unless <paramref name="name"/> is a metric compile accepts by name.</summary>
    public static void Check(string name)
    {
        if (name is "accuracy" or "acc" or "crossentropy" or "ce" || Functions.ContainsKey(name) || Classes.ContainsKey(name) || LossOrNull(name) != null) return;
        string needs = NeedArguments.FirstOrDefault(c => c == name || Snake(c) == name) is { } cls
            ? $" {cls} needs arguments: pass a metric object (new {cls}(...)) instead." : "";
        throw new KerasNetException($"Unknown metric '{name}'.{needs} Supported names are {Known}.");
    }

    /// <summary>Whether Keras makes a metric object with its default name of <paramref name="name"/> (a class name).</summary>
    public static bool IsClassName(string name) => Classes.ContainsKey(name) || (LossOrNull(name) is { } l && l.Name != name && !Functions.ContainsKey(name));

    // A name compile wraps in a MeanMetricWrapper under that name (not a class name).
    private static bool IsFunctionName(string name) => Functions.ContainsKey(name) || LossOrNull(name) is { } l && l.Name == name;

    /// <summary>The metric for a name against the shapes of a target and an output batch (see <see cref="Metric.Get"/>).</summary>
    public static Metric Resolve(string name, int[] yTrueShape, int[] yPredShape)
    {
        Check(name);
        bool shaped = name is "accuracy" or "acc" or "crossentropy" or "ce";
        if (shaped)
        {
            int predLast = yPredShape.Length == 0 ? 1 : yPredShape[^1], trueLast = yTrueShape.Length == 0 ? 1 : yTrueShape[^1];
            bool acc = name is "accuracy" or "acc";
            if (predLast == 1) return acc ? new BinaryAccuracy(name) : new LossMetric(new BinaryCrossentropy(), name);
            if (yTrueShape.Length < yPredShape.Length || (trueLast == 1 && predLast > 1))
                return acc ? new SparseCategoricalAccuracy(name) : new LossMetric(new SparseCategoricalCrossentropy(), name);
            return acc ? new CategoricalAccuracy(name) : new LossMetric(new CategoricalCrossentropy(), name);
        }
        if (Functions.TryGetValue(name, out var f)) return f(name);
        if (Classes.TryGetValue(name, out var c)) return c();
        var loss = LossOrNull(name)!;
        return new LossMetric(loss, loss.Name == name ? name : null);
    }

    /// <summary>
    /// The Keras function a name stands for before the shapes are known, for the saved training config of a model
    /// not yet trained: "accuracy" is guessed from the loss as tf.keras 2.4 files most often show it.
    /// </summary>
    public static string FunctionFor(string name, string loss) => name switch
    {
        "accuracy" or "acc" => loss switch
        {
            "binary_crossentropy" => "binary_accuracy",
            "sparse_categorical_crossentropy" => "sparse_categorical_accuracy",
            _ => "categorical_accuracy",
        },
        "crossentropy" or "ce" => loss is "binary_crossentropy" or "sparse_categorical_crossentropy" ? loss : "categorical_crossentropy",
        _ => Resolve(name, [1, 1], [1, 1]).FunctionName ?? name,
    };

    /// <summary>A metric from its saved config (tf.keras 2.4 or Keras 3); null for a class KerasNet does not have.</summary>
    public static Metric? FromConfig(string className, JsonObject config, string source)
    {
        string bare = className[(className.LastIndexOf('>') + 1)..];
        string? name = Str(config, "name");
        switch (bare)
        {
            case "MeanMetricWrapper":
                string fn = Str(config, "fn") ?? throw new KerasNetException($"{source}: MeanMetricWrapper '{name}' has no 'fn'.");
                // A metric compiled by name ("accuracy", "mae") comes back as that name, to resolve from the shapes
                // again as compile does (tf.keras 2.4 saves "accuracy" with the function it resolved to).
                if (name is "accuracy" or "acc" or "crossentropy" or "ce") return new NamedMetric(name);
                if (fn is "accuracy" or "acc" or "crossentropy" or "ce") return new NamedMetric(fn);
                if (name != null && IsFunctionName(name) && FunctionFor(name, "") == fn) return new NamedMetric(name);
                if (Functions.TryGetValue(fn, out var f)) return f(name ?? fn);
                if (LossOrNull(fn) is { } l) return new LossMetric(l, name);
                throw new KerasNetException($"{source}: metric function '{fn}' is not supported (known: {Known}).");
            case "BinaryAccuracy": return new BinaryAccuracy(name ?? "binary_accuracy", Num(config, "threshold") ?? 0.5);
            case "TopKCategoricalAccuracy": return new TopKCategoricalAccuracy((int)(Num(config, "k") ?? 5), name ?? "top_k_categorical_accuracy");
            case "SparseTopKCategoricalAccuracy": return new SparseTopKCategoricalAccuracy((int)(Num(config, "k") ?? 5), name ?? "sparse_top_k_categorical_accuracy");
            case "AUC":
                if (config["multi_label"] is JsonValue ml && ml.GetValueKind() == JsonValueKind.True) throw new KerasNetException($"{source}: AUC with multi_label=True is not supported.");
                if (config["label_weights"] is JsonArray) throw new KerasNetException($"{source}: AUC with label_weights is not supported.");
                return new AUC((int)(Num(config, "num_thresholds") ?? 200), Str(config, "curve") ?? "ROC", Str(config, "summation_method") ?? "interpolation",
                    name ?? "auc", Nums(config["thresholds"]));
            case "Precision": return new Precision(Nums(config["thresholds"]), Int(config, "top_k"), Int(config, "class_id"), name ?? "precision");
            case "Recall": return new Recall(Nums(config["thresholds"]), Int(config, "top_k"), Int(config, "class_id"), name ?? "recall");
            case "TruePositives": return new TruePositives(Nums(config["thresholds"]), name ?? "true_positives");
            case "TrueNegatives": return new TrueNegatives(Nums(config["thresholds"]), name ?? "true_negatives");
            case "FalsePositives": return new FalsePositives(Nums(config["thresholds"]), name ?? "false_positives");
            case "FalseNegatives": return new FalseNegatives(Nums(config["thresholds"]), name ?? "false_negatives");
            case "SensitivityAtSpecificity": return new SensitivityAtSpecificity(Req(config, "specificity", source), NumThresholds(config), name ?? "sensitivity_at_specificity");
            case "SpecificityAtSensitivity": return new SpecificityAtSensitivity(Req(config, "sensitivity", source), NumThresholds(config), name ?? "specificity_at_sensitivity");
            case "PrecisionAtRecall": return new PrecisionAtRecall(Req(config, "recall", source), NumThresholds(config), name ?? "precision_at_recall");
            case "RecallAtPrecision": return new RecallAtPrecision(Req(config, "precision", source), NumThresholds(config), name ?? "recall_at_precision");
            case "MeanIoU": return new MeanIoU((int)Req(config, "num_classes", source), name ?? "mean_io_u");
        }
        if (Classes.TryGetValue(bare, out var make))
        {
            var m = make();
            return name is null || name == m.Name ? m : Functions.TryGetValue(m.FunctionName ?? "", out var named) ? named(name) : m;
        }
        // A loss class as a metric (metrics.BinaryCrossentropy...): only with the loss's defaults.
        if (LossOrNull(bare) is { } loss)
        {
            if (config["from_logits"] is JsonValue fl && fl.GetValueKind() == JsonValueKind.True
                || Num(config, "label_smoothing") is double s && s != 0 || Num(config, "axis") is double a && a != -1)
                throw new KerasNetException($"{source}: metric {bare} with from_logits, label_smoothing or axis is not supported.");
            return new LossMetric(loss, name);
        }
        return null;
    }

    private static Loss? LossOrNull(string name)
    {
        try { return Loss.Get(name); }
        catch (KerasNetException) { return null; }
    }

    private static string Snake(string cls) => string.Concat(cls.Select((ch, i) => i > 0 && char.IsUpper(ch) ? "_" + char.ToLowerInvariant(ch) : char.ToLowerInvariant(ch).ToString()));

    private static string? Str(JsonObject c, string key) => c[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static double? Num(JsonObject c, string key) => c[key] is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? ToDouble(v) : null;

    // A parsed number or one set from a C# int (GetValue<double> refuses the latter).
    private static double ToDouble(JsonValue v) => v.TryGetValue(out double d) ? d : v.TryGetValue(out int i) ? i : v.TryGetValue(out long l) ? l
        : double.Parse(v.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);

    private static int? Int(JsonObject c, string key) => Num(c, key) is double d ? (int)d : null;

    private static int NumThresholds(JsonObject c) => Int(c, "num_thresholds") ?? 200;

    private static double Req(JsonObject c, string key, string source) =>
        Num(c, key) ?? throw new KerasNetException($"{source}: metric config without '{key}'.");

    private static double[]? Nums(JsonNode? n) => n switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => [ToDouble(v)],
        JsonArray a => a.Select(x => ToDouble(x as JsonValue ?? throw new KerasNetException($"a threshold is not a number: {x?.ToJsonString() ?? "null"}"))).ToArray(),
        _ => null,
    };
}
