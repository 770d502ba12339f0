#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;

namespace KerasNet.Metrics;

/// <summary>
/// A Keras metric: a state accumulated batch by batch with <see cref="UpdateState"/>, read with <see cref="Result"/>
/// and cleared with <see cref="ResetState"/> (Keras resets the compiled metrics at the start of every epoch and of
/// every evaluation, so a logged value is the metric over the batches seen so far).
/// </summary>
public abstract class Metric
{
    /// <summary>Creates the metric with the name used in logs and History ("accuracy").</summary>
    /// <param name="name">The log key.</param>
    protected Metric(string name)
    {
        if (string.IsNullOrEmpty(name)) throw new KerasNetException("A metric needs a non-empty name (the log key).");
        Name = name;
    }

    /// <summary>The log key (Keras's <c>name</c>).</summary>
    public string Name { get; }

    /// <summary>Keras's class name in saved configs ("AUC", "MeanMetricWrapper").</summary>
    public virtual string ClassName => GetType().Name;

    /// <summary>
    /// Adds a batch: targets, predictions (the model's outputs, batch first) and optional weights, one per sample
    /// (or one per row of every axis but the last, as Keras broadcasts them).
    /// </summary>
    /// <param name="yTrue">The targets, batch axis first.</param>
    /// <param name="yPred">The predictions (the model's outputs), batch axis first.</param>
    /// <param name="sampleWeight">One weight per sample (or per row of every axis but the last); null weighs each
    /// 1.</param>
    public abstract void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null);

    /// <summary>The metric over the batches since the last reset (0 before any, as Keras's div_no_nan).</summary>
    /// <returns>The metric's value over the batches since the last reset.</returns>
    public abstract double Result();

    /// <summary>Clears the state (Keras 3's <c>reset_state</c>).</summary>
    public abstract void ResetState();

    /// <summary>tf.keras 2.4's name of <see cref="ResetState"/>.</summary>
    public void ResetStates() => ResetState();

    /// <summary>Keras's <c>get_config()</c>: the name, dtype and the constructor arguments.</summary>
    /// <returns>The config, a JSON object: <c>name</c>, <c>dtype</c>, then the constructor's arguments.</returns>
    public virtual JsonObject GetConfig() => new() { ["name"] = Name, ["dtype"] = "float32" };

    /// <summary>
    /// The Keras metric function this metric averages ("categorical_accuracy", "mean_absolute_error"), written as
    /// <c>fn</c> of the MeanMetricWrapper that tf.keras 2.4 saves for a metric given by that name; null for metrics
    /// that are not a mean of a function (AUC, Precision...).
    /// </summary>
    internal virtual string? FunctionName => null;

    /// <summary>
    /// A new metric with this one's configuration and an empty state: Keras copies a metric object given once for
    /// several outputs, and each Evaluate keeps sums of its own.
    /// </summary>
    /// <returns>The new metric.</returns>
    public virtual Metric Copy() => MetricRegistry.FromConfig(ClassName, GetConfig(), "Metric.Copy")
        ?? throw new KerasNetException($"Metric '{Name}' ({GetType().Name}) cannot be copied from its config: override Copy().");

    /// <summary>Why the metric cannot be logged (a log holds one number per metric), or null when it can.</summary>
    internal virtual string? NotScalar => null;

    /// <summary>Resets, for the model's training loop (kept for the callers that predate the Keras names).</summary>
    internal void Reset() => ResetState();

    /// <summary>
    /// Resolves a metric name as tf.keras 2.4's compile does on the first batch: "accuracy"/"acc" is binary accuracy
    /// when the output's last dimension is 1, sparse categorical accuracy when the targets have a lower rank than the
    /// outputs or a last dimension of 1 against wider outputs, and categorical accuracy otherwise ("crossentropy"/"ce"
    /// likewise pick binary, sparse or categorical cross-entropy). The loss plays no part (so binary_crossentropy on
    /// two softmax units reports categorical accuracy, as in Keras). Other names are Keras's metric functions
    /// ("mae", "top_k_categorical_accuracy", any loss name) or classes ("AUC", "Precision", or Keras 3's "auc").
    /// </summary>
    /// <param name="name">The name given to Compile; for function names it stays the log key ("acc" logs as "acc").</param>
    /// <param name="yTrueShape">Shape of a target batch, batch first.</param>
    /// <param name="yPredShape">Shape of an output batch, batch first.</param>
    /// <returns>A new metric; an unknown name throws.</returns>
    public static Metric Get(string name, int[] yTrueShape, int[] yPredShape) => MetricRegistry.Resolve(name, yTrueShape, yPredShape);

    /// <summary>A metric named in Compile's list: checked now, resolved against each output on the first batch.</summary>
    /// <param name="name">A Keras metric name: <c>"accuracy"</c>/<c>"acc"</c> (binary, categorical or sparse, from the
    /// shapes), <c>"binary_accuracy"</c>, <c>"categorical_accuracy"</c>, <c>"mae"</c>, <c>"mse"</c>, any loss name, or a
    /// class name (<c>"AUC"</c>, <c>"Precision"</c>, ...). Keras has no default: a name is required.</param>
    /// <returns>The named metric, resolved on the first batch.</returns>
    public static implicit operator Metric(string name) => new NamedMetric(name);

    /// <summary>Index of the first maximum, as argmax.</summary>
    internal static int ArgMax(ReadOnlySpan<float> v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
