#nullable enable
using System.Text.Json;
using System.Text.Json.Nodes;
using KerasNet.Metrics;
using KerasNet.Models;
using KerasNet.Optimizers;

namespace KerasNet.Saving;

/// <summary>
/// The compile settings saved with a model: tf.keras 2.4's <c>training_config</c> attribute and Keras 3's
/// <c>compile_config</c>, written and read back into a compiled model.
/// </summary>
internal static class TrainingConfig
{
    /// <summary>tf.keras 2.4's optimizer config <c>{"class_name", "config"}</c>.</summary>
    public static JsonObject OptimizerConfig(Optimizer o) => Optimizers.OptimizerConfig.Write(o);

    /// <summary>tf.keras 2.4's <c>training_config</c> for a compiled model (null when not compiled).</summary>
    public static JsonObject? Keras2(Model model)
    {
        if (!model.IsCompiled) return null;
        return new JsonObject
        {
            ["loss"] = LossJson(model, keras3: false),
            ["metrics"] = Keras2Metrics(model, weighted: false),
            ["weighted_metrics"] = Keras2Metrics(model, weighted: true),
            ["loss_weights"] = LossWeightsJson(model),
            ["optimizer_config"] = OptimizerConfig(model.Optimizer!),
        };
    }

    // As given to compile: one loss for all outputs, or a list with one per output.
    private static JsonNode LossJson(Model model, bool keras3) => model.LossSpec.Count == 1
        ? OneLoss(model.LossSpec[0], keras3)
        : new JsonArray(model.LossSpec.Select(l => (JsonNode?)OneLoss(l, keras3)).ToArray());

    // A loss given by name stays that string; an object is saved as tf.keras 2.4's json default ({class_name, config})
    // or Keras 3's serialize_keras_object (with module and registered_name).
    private static JsonNode OneLoss(Losses.Loss loss, bool keras3)
    {
        if (loss.Identifier != null) return JsonValue.Create(loss.Identifier);
        if (!keras3) return new JsonObject { ["class_name"] = loss.ClassName, ["config"] = loss.GetKeras2Config() };
        return new JsonObject
        {
            ["module"] = "keras.losses",
            ["class_name"] = loss.ClassName,
            ["config"] = loss.GetConfig(),
            ["registered_name"] = null,
        };
    }

    private static JsonNode? LossWeightsJson(Model model) =>
        model.LossWeightSpec is { } w ? new JsonArray(w.Select(x => (JsonNode?)x).ToArray()) : null;

    private static JsonNode? Keras2Metrics(Model model, bool weighted)
    {
        if ((weighted ? model.CompileWeightedMetrics : model.MetricSpec).Count == 0) return null;
        // tf.keras 2.4 stores the compiled metric objects, one list per output: a metric given by a function name is a
        // MeanMetricWrapper naming the function ("accuracy" resolved from the shapes once trained), others their class.
        var perOutput = new JsonArray();
        int outputs = Math.Max(1, model.Outputs.Count);
        for (int i = 0; i < outputs; i++)
        {
            string loss = model.LossSpec[model.LossSpec.Count == 1 ? 0 : i].Name;
            var spec = weighted ? model.CompileWeightedMetrics : model.MetricSpecPerOutput?[i] ?? model.MetricSpec;
            var resolved = weighted ? model.ResolvedWeightedMetrics(i) : model.ResolvedMetrics(i);
            var list = new JsonArray();
            for (int k = 0; k < spec.Count; k++)
            {
                var given = spec[k];
                var m = resolved != null && k < resolved.Count ? resolved[k] : null;
                if (given is NamedMetric && !MetricRegistry.IsClassName(given.Name))
                    // As JsonNode: JsonArray.Add<T>(T) would pick a JsonValue path that trimming and NativeAOT cannot keep.
                    list.Add((JsonNode)new JsonObject
                    {
                        ["class_name"] = "MeanMetricWrapper",
                        ["config"] = new JsonObject
                        {
                            // A weighted metric is saved under its log name (weighted_accuracy), as Keras renames it.
                            ["name"] = weighted ? model.WeightedLogName(k) : given.Name, ["dtype"] = "float32",
                            ["fn"] = m?.FunctionName ?? MetricRegistry.FunctionFor(given.Name, loss),
                        },
                    });
                else
                {
                    var obj = given is NamedMetric ? m ?? MetricRegistry.Resolve(given.Name, [1, 1], [1, 1]) : given;
                    list.Add((JsonNode)new JsonObject { ["class_name"] = obj.ClassName, ["config"] = obj.GetConfig() });
                }
            }
            perOutput.Add((JsonNode)list);
        }
        return perOutput;
    }

    // Keras 3 keeps compile's arguments: names as strings, objects serialized; by output name when given so.
    private static JsonNode? Keras3Metrics(Model model, bool weighted = false)
    {
        static JsonArray List(IEnumerable<Metric> ms) => new(ms.Select(m => m is NamedMetric ? JsonValue.Create(m.Name)
            : (JsonNode)new JsonObject { ["module"] = "keras.metrics", ["class_name"] = m.ClassName, ["config"] = m.GetConfig(), ["registered_name"] = null }).ToArray());
        if (weighted) return model.CompileWeightedMetrics.Count == 0 ? null : List(model.CompileWeightedMetrics);
        if (model.MetricSpecPerOutput is { } per)
        {
            var byName = new JsonObject();
            for (int i = 0; i < per.Count && i < model.OutputNames.Count; i++) byName[model.OutputNames[i]] = List(per[i]);
            return byName;
        }
        return List(model.MetricSpec);
    }

    /// <summary>Keras 3's <c>compile_config</c>.</summary>
    public static JsonObject? Keras3(Model model)
    {
        if (!model.IsCompiled) return null;
        var opt = OptimizerConfig(model.Optimizer!);
        var metrics = Keras3Metrics(model);
        return new JsonObject
        {
            ["optimizer"] = new JsonObject
            {
                ["module"] = "keras.optimizers",
                ["class_name"] = opt["class_name"]!.GetValue<string>(),
                ["config"] = opt["config"]!.DeepClone(),
                ["registered_name"] = null,
            },
            ["loss"] = LossJson(model, keras3: true),
            ["loss_weights"] = LossWeightsJson(model),
            ["metrics"] = metrics,
            ["weighted_metrics"] = Keras3Metrics(model, weighted: true),
            ["run_eagerly"] = false,
            ["steps_per_execution"] = 1,
            ["jit_compile"] = false,
        };
    }

    /// <summary>
    /// Compiles <paramref name="model"/> from a training_config or compile_config. Returns false (with a warning)
    /// when the optimizer or loss is one KerasNet does not have, leaving the model uncompiled for inference.
    /// </summary>
    public static bool Apply(Model model, JsonObject config, string source)
    {
        var optNode = (config["optimizer_config"] ?? config["optimizer"]) as JsonObject;
        if (optNode == null) { Keras.Warn($"{source}: the training config has no optimizer; the model is not compiled."); return false; }
        try
        {
            var optimizer = OptimizerFrom(optNode, source);
            var (weightedMetrics, weightedByOutput) = MetricsFrom(config["weighted_metrics"], model, source);
            if (weightedByOutput != null) throw new KerasNetException("weighted_metrics that differ per output are not supported");
            var (metricNames, metricsByOutput) = MetricsFrom(config["metrics"], model, source);
            var lossWeights = config["loss_weights"];
            switch (config["loss"])
            {
                // One loss per output, by output name (Keras's loss dict).
                case JsonObject byName when byName["class_name"] is null && byName.Count > 1:
                    var losses = byName.ToDictionary(p => p.Key, p => LossFrom(p.Value, source));
                    model.Compile(optimizer, losses, metricsByOutput ?? losses.Keys.ToDictionary(k => k, _ => metricNames),
                        (lossWeights as JsonObject)?.ToDictionary(p => p.Key, p => p.Value!.GetValue<double>()));
                    break;
                case JsonArray list when list.Count > 1 && metricsByOutput != null:
                    var named = model.OutputNames.Zip(list).ToDictionary(p => p.First, p => LossFrom(p.Second, source));
                    var weights = WeightList(model, lossWeights);
                    model.Compile(optimizer, named, metricsByOutput, weights is null ? null : model.OutputNames.Zip(weights).ToDictionary(p => p.First, p => p.Second));
                    break;
                case JsonArray list when list.Count > 1:
                    model.Compile(optimizer, list.Select(l => LossFrom(l, source)).ToArray(), metricNames, WeightList(model, lossWeights));
                    break;
                case var single:
                    model.Compile(optimizer, LossFrom(single, source), metricNames, WeightList(model, lossWeights));
                    break;
            }
            if (weightedMetrics.Length > 0) model.SetWeightedMetrics(weightedMetrics);
            return true;
        }
        catch (Exception e) when (e is KerasNetException or InvalidOperationException or FormatException or OverflowException)
        {
            Keras.Warn($"{source}: cannot restore the training configuration ({e.Message}); the model is loaded uncompiled.");
            return false;
        }
    }

    // loss_weights as a list, or as a dict by output name put in output order.
    private static double[]? WeightList(Model model, JsonNode? n) => n switch
    {
        JsonArray a => a.Select(x => x!.GetValue<double>()).ToArray(),
        JsonObject o => model.OutputNames.Select(name => o[name]?.GetValue<double>() ?? 1.0).ToArray(),
        _ => null,
    };

    private static Optimizer OptimizerFrom(JsonObject o, string source) => Optimizers.OptimizerConfig.Read(o, source);

    // A name ("mse"), tf.keras 2.4's {class_name, config}, Keras 3's {module, class_name, config, registered_name}
    // (class_name "function" names a loss function by its config string).
    private static Losses.Loss LossFrom(JsonNode? n, string source) => n switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => Losses.Loss.Get(v.GetValue<string>()),
        JsonObject o when o["class_name"] is JsonValue cn && cn.GetValue<string>() == "function" && o["config"] is JsonValue fn
            && fn.GetValueKind() == JsonValueKind.String => Losses.Loss.Get(fn.GetValue<string>()),
        JsonObject o when o["class_name"] is JsonValue cn => Losses.Loss.FromConfig(cn.GetValue<string>(), o["config"] as JsonObject),
        JsonObject o when o.Count == 1 => LossFrom(o.First().Value, source), // per-output dict {"dense": "..."}
        JsonArray a when a.Count == 1 => LossFrom(a[0], source),
        _ => throw new KerasNetException($"unsupported loss {n?.ToJsonString() ?? "null"}"),
    };

    /// <summary>
    /// The saved metrics as compile arguments: one list for every output, or lists by output name (tf.keras 2.4 writes
    /// one list per output; identical lists, or a single one, serve all outputs). Names stay names (resolved from the
    /// shapes on the first batch, as compile does); configs become metric objects.
    /// </summary>
    private static (Metric[] All, Dictionary<string, Metric[]>? ByOutput) MetricsFrom(JsonNode? n, Model model, string source)
    {
        var names = model.OutputNames;
        switch (n)
        {
            case null: return ([], null);
            case JsonArray a when a.Count > 0 && a.All(x => x is JsonArray):
                var lists = a.Select(x => MetricList(x, source)).ToArray();
                if (lists.Length == 1 || lists.All(l => l.Select(m => m.Name).SequenceEqual(lists[0].Select(m => m.Name)))) return (lists[0], null);
                if (lists.Length != names.Count) throw new KerasNetException($"{lists.Length} metric lists for {names.Count} outputs");
                return ([], names.Select((name, i) => (name, lists[i])).ToDictionary(p => p.name, p => p.Item2));
            case JsonObject o when o["class_name"] is null:
                return ([], names.ToDictionary(k => k, k => o[k] is { } x ? MetricList(x, source) : []));
            default: return (MetricList(n, source), null);
        }
    }

    private static Metric[] MetricList(JsonNode? n, string source) => n switch
    {
        JsonArray a => a.SelectMany(x => MetricList(x, source)).ToArray(),
        null => [],
        _ => [MetricFrom(n, source)],
    };

    private static Metric MetricFrom(JsonNode n, string source)
    {
        if (n is JsonValue v && v.GetValueKind() == JsonValueKind.String) return v.GetValue<string>(); // checked as compile checks a name
        if (n is JsonObject o && o["class_name"] is JsonValue cn)
        {
            string cls = cn.GetValue<string>();
            return MetricRegistry.FromConfig(cls, o["config"] as JsonObject ?? new JsonObject(), source)
                ?? throw new KerasNetException($"metric class '{cls}' is not supported");
        }
        throw new KerasNetException($"unsupported metric {n.ToJsonString()}");
    }
}
