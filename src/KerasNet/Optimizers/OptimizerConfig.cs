#nullable enable
using System.Text.Json;
using System.Text.Json.Nodes;
using KerasNet.Optimizers.Schedules;

namespace KerasNet.Optimizers;

/// <summary>
/// Optimizer configs in model files: written as tf.keras 2.4's <c>{"class_name", "config"}</c> and read back from
/// tf.keras 2.x, keras 2.11+ ("Custom>Adam") and Keras 3 configs.
/// </summary>
internal static class OptimizerConfig
{
    // tf.keras 2.4 keeps these hyperparameters in float32 variables, so its config holds their widened values
    // (0.0010000000474974513); epsilon, decay and initial_accumulator_value are Python floats and stay as given.
    private static readonly HashSet<string> Float32Fields =
        ["learning_rate", "beta_1", "beta_2", "rho", "momentum", "learning_rate_power", "l1_regularization_strength", "l2_regularization_strength", "beta"];

    /// <summary>The optimizer's <c>{"class_name", "config"}</c> as tf.keras 2.4 writes it (AdamW: as Keras 3 does).</summary>
    public static JsonObject Write(Optimizer o)
    {
        var c = o.GetConfig();
        foreach (var key in c.Select(p => p.Key).ToList())
            if ((o.WidensHyperparameters ? Float32Fields.Contains(key) : key == "learning_rate") && c[key] is JsonValue v && v.TryGetValue<double>(out var d))
                c[key] = (double)(float)d;
        return new JsonObject { ["class_name"] = o.ClassName, ["config"] = c };
    }

    /// <summary>Builds the optimizer a config describes; throws a <see cref="KerasNetException"/> for what KerasNet cannot run.</summary>
    public static Optimizer Read(JsonObject o, string source)
    {
        string cls = o["class_name"] is JsonValue cv && cv.GetValueKind() == JsonValueKind.String ? cv.GetValue<string>()
            : throw new KerasNetException($"{source}: optimizer config without 'class_name'.");
        var c = o["config"] as JsonObject ?? new JsonObject();
        string bare = cls[(cls.LastIndexOf('>') + 1)..]; // keras 2.11-2.15 register their optimizers as "Custom>Adam"
        double? Opt(string key) => c[key] is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.GetValue<double>() : null;
        double Num(string key, double fallback) => Opt(key) ?? fallback;
        bool Flag(string key) => c[key] is JsonValue v && v.GetValueKind() == JsonValueKind.True;
        Refuse(c, bare);
        var lrNode = c["learning_rate"] ?? c["lr"];
        LearningRateSetting lr = lrNode switch
        {
            JsonObject schedule => LearningRateSchedule.FromConfig(schedule),
            JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>(),
            null => default,
            _ => throw new KerasNetException($"{source}: optimizer {cls}: learning_rate {lrNode.ToJsonString()} is neither a number nor a schedule."),
        };
        Optimizer opt = bare.ToLowerInvariant() switch
        {
            "adam" => new Adam(lr, Num("beta_1", 0.9), Num("beta_2", 0.999), Num("epsilon", 1e-7), Flag("amsgrad")),
            "adamw" => new AdamW(lr, Num("weight_decay", 0.004), Num("beta_1", 0.9), Num("beta_2", 0.999), Num("epsilon", 1e-7), Flag("amsgrad")),
            "sgd" => new SGD(lr, Num("momentum", 0), Flag("nesterov")),
            "rmsprop" => new RMSprop(lr, Num("rho", 0.9), Num("momentum", 0), Num("epsilon", 1e-7), Flag("centered")),
            "adamax" => new Adamax(lr, Num("beta_1", 0.9), Num("beta_2", 0.999), Num("epsilon", 1e-7)),
            "nadam" => new Nadam(lr, Num("beta_1", 0.9), Num("beta_2", 0.999), Num("epsilon", 1e-7), Num("decay", Num("schedule_decay", 0.004))),
            "adagrad" => new Adagrad(lr, Num("initial_accumulator_value", 0.1), Num("epsilon", 1e-7)),
            "adadelta" => new Adadelta(lr, Num("rho", 0.95), Num("epsilon", 1e-7)),
            "ftrl" => new Ftrl(lr, Num("learning_rate_power", -0.5), Num("initial_accumulator_value", 0.1), Num("l1_regularization_strength", 0),
                Num("l2_regularization_strength", 0), Num("l2_shrinkage_regularization_strength", 0), Num("beta", 0)),
            _ => throw new KerasNetException($"optimizer '{cls}' is not supported ({string.Join(", ", Optimizer.KnownNames)})"),
        };
        // Nadam's "decay" is its momentum schedule's, read above.
        opt.Configure(Opt("clipnorm"), Opt("global_clipnorm"), Opt("clipvalue"), bare.Equals("adamw", StringComparison.OrdinalIgnoreCase) ? null : Opt("weight_decay"),
            opt is Nadam ? 0 : Num("decay", 0));
        return opt;
    }

    /// <summary>Keras 3 options KerasNet does not run: refused by name rather than ignored.</summary>
    private static void Refuse(JsonObject c, string cls)
    {
        if (c["use_ema"] is JsonValue ema && ema.GetValueKind() == JsonValueKind.True)
            throw new KerasNetException($"optimizer {cls}: use_ema=True (Keras 3's exponential moving average of the weights) is not supported.");
        if (c["loss_scale_factor"] is JsonValue ls && ls.GetValueKind() == JsonValueKind.Number)
            throw new KerasNetException($"optimizer {cls}: loss_scale_factor is not supported.");
        if (c["gradient_accumulation_steps"] is JsonValue ga && ga.GetValueKind() == JsonValueKind.Number && ga.GetValue<double>() > 1)
            throw new KerasNetException($"optimizer {cls}: gradient_accumulation_steps is not supported.");
    }
}
