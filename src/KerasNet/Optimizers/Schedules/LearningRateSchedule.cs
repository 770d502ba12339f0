#nullable enable
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KerasNet.Optimizers.Schedules;

/// <summary>
/// A Keras learning-rate schedule: the learning rate as a function of the optimizer's <c>iterations</c> before each
/// step, computed in float32 as tf.keras 2.4 computes it. Serialised in the optimizer's config as
/// <c>{"class_name": "ExponentialDecay", "config": {...}}</c>.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>Keras class name ("ExponentialDecay").</summary>
    public virtual string ClassName => GetType().Name;

    /// <summary>The schedule's name argument (null: none, as Keras's default).</summary>
    public string? Name { get; init; }

    /// <summary>The learning rate at <paramref name="step"/> (Keras's <c>schedule(step)</c>).</summary>
    /// <param name="step">The optimizer's step count (<c>iterations</c>), from 0.</param>
    /// <returns>The learning rate.</returns>
    public float Call(long step) => Evaluate(step);

    /// <summary>The learning rate at a step already cast to float32 (as the optimizer casts <c>iterations</c>).</summary>
    internal abstract float Evaluate(float step);

    /// <summary>The Keras config of the schedule.</summary>
    /// <returns>The config, a JSON object of Keras's field names to values.</returns>
    public abstract JsonObject GetConfig();

    /// <summary>The known schedule class names.</summary>
    public static IReadOnlyList<string> KnownNames { get; } =
        ["ExponentialDecay", "PiecewiseConstantDecay", "InverseTimeDecay", "PolynomialDecay", "CosineDecay", "CosineDecayRestarts"];

    /// <summary>
    /// Reads a serialised schedule, tf.keras 2.4's <c>{"class_name", "config"}</c> or Keras 3's form with
    /// <c>module</c> and <c>registered_name</c>.
    /// </summary>
    /// <param name="o">The serialised schedule.</param>
    /// <returns>The schedule; an unknown class throws.</returns>
    public static LearningRateSchedule FromConfig(JsonObject o)
    {
        string cls = o["class_name"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>()
            : throw new KerasNetException("learning-rate schedule config without 'class_name'.");
        var c = o["config"] as JsonObject ?? new JsonObject();
        string? name = c["name"] is JsonValue n && n.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : null;
        double Num(string key, double? fallback = null) => c[key] is JsonValue x && x.GetValueKind() == JsonValueKind.Number ? x.GetValue<double>()
            : fallback ?? throw new KerasNetException($"{cls}: config has no number '{key}'.");
        bool Flag(string key) => c[key] is JsonValue x && x.GetValueKind() == JsonValueKind.True;
        double[] List(string key) => c[key] is JsonArray a ? a.Select(x => x!.GetValue<double>()).ToArray()
            : throw new KerasNetException($"{cls}: config has no list '{key}'.");
        string bare = cls[(cls.LastIndexOf('>') + 1)..];
        return bare switch
        {
            "ExponentialDecay" => new ExponentialDecay(Num("initial_learning_rate"), Num("decay_steps"), Num("decay_rate"), Flag("staircase")) { Name = name },
            "PiecewiseConstantDecay" => new PiecewiseConstantDecay(List("boundaries"), List("values")) { Name = name },
            "InverseTimeDecay" => new InverseTimeDecay(Num("initial_learning_rate"), Num("decay_steps"), Num("decay_rate"), Flag("staircase")) { Name = name },
            "PolynomialDecay" => new PolynomialDecay(Num("initial_learning_rate"), Num("decay_steps"), Num("end_learning_rate", 0.0001), Num("power", 1.0), Flag("cycle")) { Name = name },
            "CosineDecay" => new CosineDecay(Num("initial_learning_rate"), Num("decay_steps"), Num("alpha", 0.0),
                c["warmup_target"] is JsonValue wt && wt.GetValueKind() == JsonValueKind.Number ? wt.GetValue<double>() : null, Num("warmup_steps", 0)) { Name = name },
            "CosineDecayRestarts" => new CosineDecayRestarts(Num("initial_learning_rate"), Num("first_decay_steps"), Num("t_mul", 2.0), Num("m_mul", 1.0), Num("alpha", 0.0)) { Name = name },
            _ => throw new KerasNetException($"Unknown learning-rate schedule '{cls}': supported are {string.Join(", ", KnownNames)}."),
        };
    }

    /// <summary>The config's common start: the schedule's fields in Keras's order, then its name.</summary>
    private protected JsonObject Config(params (string Key, JsonNode? Value)[] fields)
    {
        var c = new JsonObject();
        foreach (var (k, v) in fields) c[k] = v;
        c["name"] = Name;
        return c;
    }

    /// <summary>Checks a positive step count.</summary>
    private protected static void RequirePositive(double value, string name, string cls)
    {
        if (!(value > 0) || double.IsInfinity(value)) throw new KerasNetException($"{cls}: {name} must be a positive number, got {value}.");
    }
}
