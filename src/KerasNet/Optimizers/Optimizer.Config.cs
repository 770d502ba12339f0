#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Optimizers;

public abstract partial class Optimizer
{
    /// <summary>The names <see cref="Get"/> accepts, in Keras's spelling.</summary>
    public static IReadOnlyList<string> KnownNames { get; } = ["SGD", "RMSprop", "Adam", "AdamW", "Adamax", "Nadam", "Adagrad", "Adadelta", "Ftrl"];

    /// <summary>
    /// Resolves a Keras optimizer name (any case) with its Keras defaults: "sgd", "rmsprop", "adam", "adamw",
    /// "adamax", "nadam", "adagrad", "adadelta", "ftrl".
    /// </summary>
    /// <param name="name">An optimizer name (any case): <c>"sgd"</c>, <c>"rmsprop"</c> (Keras's <c>compile</c> default),
    /// <c>"adam"</c>, <c>"adamw"</c>, <c>"adamax"</c>, <c>"nadam"</c>, <c>"adagrad"</c>, <c>"adadelta"</c> or
    /// <c>"ftrl"</c>.</param>
    /// <returns>A new optimizer with Keras's default arguments; an unknown name throws, listing the known
    /// ones.</returns>
    public static Optimizer Get(string name) => (name ?? throw new ArgumentNullException(nameof(name))).ToLowerInvariant() switch
    {
        "adam" => new Adam(),
        "sgd" => new SGD(),
        "rmsprop" => new RMSprop(),
        "adamw" => new AdamW(),
        "adamax" => new Adamax(),
        "nadam" => new Nadam(),
        "adagrad" => new Adagrad(),
        "adadelta" => new Adadelta(),
        "ftrl" => new Ftrl(),
        _ => throw new KerasNetException($"Unknown optimizer '{name}': supported are {string.Join(", ", KnownNames)}."),
    };

    /// <summary>
    /// The Keras config as tf.keras 2.4's get_config writes it: name, the clipping arguments that are set,
    /// learning_rate (a number or a serialised schedule), decay, then the optimizer's own fields.
    /// </summary>
    /// <returns>The config, a JSON object of Keras's field names to values.</returns>
    public virtual JsonObject GetConfig()
    {
        var c = new JsonObject { ["name"] = ClassName };
        if (_clipnorm != null) c["clipnorm"] = _clipnorm;
        if (_clipvalue != null) c["clipvalue"] = _clipvalue;
        if (_globalClipnorm != null) c["global_clipnorm"] = _globalClipnorm;
        c["learning_rate"] = LearningRateJson();
        c["decay"] = _decay;
        if (_weightDecay != null) c["weight_decay"] = _weightDecay; // Keras 3's argument; tf.keras 2.4 has none
        return c;
    }

    /// <summary>learning_rate in a config: the number, or {"class_name", "config"} of the schedule.</summary>
    private protected JsonNode LearningRateJson() => Schedule is { } s
        ? new JsonObject { ["class_name"] = s.ClassName, ["config"] = s.GetConfig() }
        : JsonValue.Create(_learningRate);

    /// <summary>Whether tf.keras 2.4 keeps this optimizer's hyperparameters in float32 variables (its config holds widened values).</summary>
    internal virtual bool WidensHyperparameters => true;

    /// <summary>
    /// The order tf.keras 2.4 creates the slots in: groups of slot indices, each group made variable by variable
    /// (Ftrl: accumulator and linear per variable), one group after the other (Adam: every m, then every v).
    /// </summary>
    internal virtual int[][] LegacySlotGroups => Enumerable.Range(0, SlotNames.Count).Select(i => new[] { i }).ToArray();

    /// <summary>The order Keras 3 creates the slots in, as <see cref="LegacySlotGroups"/> (Adam: m and v per variable, then every velocity_hat).</summary>
    internal virtual int[][] Keras3SlotGroups => [Enumerable.Range(0, SlotNames.Count).ToArray()];

    /// <summary>Keras 3's names of the slots, parallel to <see cref="SlotNames"/> (Adam: "momentum", "velocity").</summary>
    internal abstract IReadOnlyList<string> Keras3SlotNames { get; }

    /// <summary>Optimizer-wide float state saved after the iteration count (Nadam's momentum_cache).</summary>
    internal virtual IReadOnlyList<string> ScalarNames => [];

    /// <summary>The value of scalar state <paramref name="index"/>.</summary>
    internal virtual float GetScalar(int index) => throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>Restores scalar state <paramref name="index"/>.</summary>
    internal virtual void SetScalar(int index, float value) => throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>Every (variable, slot) pair in the order given by <paramref name="groups"/>.</summary>
    internal static IEnumerable<(Layers.Variable Var, int Slot)> SlotOrder(int[][] groups, IReadOnlyList<Layers.Variable> vars) =>
        groups.SelectMany(group => vars.SelectMany(v => group.Select(s => (v, s))));

    /// <summary>The index of a slot by its tf.keras 2.4 or Keras 3 name, or -1.</summary>
    internal int SlotIndex(string name)
    {
        for (int i = 0; i < SlotNames.Count; i++)
            if (SlotNames[i] == name || Keras3SlotNames[i] == name) return i;
        return -1;
    }
}
