#nullable enable
using KerasNet.Engine;
using KerasNet.Losses;
using KerasNet.Metrics;
using KerasNet.Optimizers;
using LossFn = KerasNet.Losses.Loss;

namespace KerasNet.Models;

public partial class Model
{
    private Loss[] _lossSpec = [];
    private Metric[][]? _metricSpecPerOutput;
    private Metric[] _metricSpec = [];
    private double[]? _lossWeightSpec;
    private bool _resolved;
    private Loss[] _losses = [];
    private double[] _lossWeights = [];
    private Metric[][] _outputMetrics = [];
    private string[] _logNames = [];
    private Metric[] _weightedMetricSpec = [];
    private int[] _weightedStart = []; // per output: where the weighted metrics start in _outputMetrics[i]

    /// <summary>The optimizer given to Compile.</summary>
    public Optimizer? Optimizer { get; private set; }

    /// <summary>The loss given to Compile (the first output's, when there are several).</summary>
    public Loss? Loss => _lossSpec.Length > 0 ? _lossSpec[0] : null;

    /// <summary>The loss of each output, once resolved against the outputs (after the first batch).</summary>
    public IReadOnlyList<Loss> Losses => _resolved ? _losses : _lossSpec;

    /// <summary>The weight of each output's loss in the total (Keras's <c>loss_weights</c>).</summary>
    public IReadOnlyList<double> LossWeights => _resolved ? _lossWeights : _lossWeightSpec ?? [];

    /// <summary>The compiled metrics of every output, in log order (resolved on the first batch from the shapes).</summary>
    public IReadOnlyList<Metric> Metrics => _outputMetrics.SelectMany(m => m).ToList();

    /// <summary>The metric names as given to Compile ("accuracy"; a metric object's name).</summary>
    public IReadOnlyList<string> MetricNames => _metricSpec.Select(m => m.Name).ToList();

    /// <summary>
    /// The metrics as given to Compile (every output's, once each): objects as given, names as placeholders that
    /// resolve against each output on the first batch; pass their <see cref="Metric.Copy"/> to compile again alike.
    /// </summary>
    public IReadOnlyList<Metric> CompileMetrics => _metricSpec;

    internal IReadOnlyList<Metric> MetricSpec => _metricSpec;

    /// <summary>
    /// Compile's <c>weightedMetrics</c> as given (Keras's <c>weighted_metrics</c>): metrics updated with the batch's
    /// sample weight (times the class weight in Fit), logged after every output's unweighted metrics, under
    /// <c>weighted_&lt;name&gt;</c> when an unweighted metric has that name.
    /// </summary>
    public IReadOnlyList<Metric> CompileWeightedMetrics => _weightedMetricSpec;

    /// <summary>The log keys of Fit and Evaluate, in Keras's order: loss, each output's loss (when several), the metrics.</summary>
    public IReadOnlyList<string> MetricsNames => _resolved ? _logNames : ["loss"];

    /// <summary>The losses as given to Compile (one for all outputs, or one per output), for the saved training config.</summary>
    internal IReadOnlyList<Loss> LossSpec => _lossSpec;

    /// <summary>The loss weights as given to Compile (null: 1 each).</summary>
    internal IReadOnlyList<double>? LossWeightSpec => _lossWeightSpec;

    /// <summary>Per-output metrics when Compile was given them by output name; null when one list serves all.</summary>
    internal IReadOnlyList<Metric[]>? MetricSpecPerOutput => _metricSpecPerOutput;

    /// <summary>The metrics of output <paramref name="i"/> once resolved (null before the first batch).</summary>
    internal IReadOnlyList<Metric>? ResolvedMetrics(int i) => _resolved && i < _outputMetrics.Length ? _outputMetrics[i] : null;

    /// <summary>The weighted metrics of output <paramref name="i"/> once resolved (null before the first batch).</summary>
    internal IReadOnlyList<Metric>? ResolvedWeightedMetrics(int i) =>
        _resolved && i < _outputMetrics.Length ? _outputMetrics[i][_weightedStart[i]..] : null;

    /// <summary>Whether Compile has been called.</summary>
    public bool IsCompiled => Optimizer != null && _lossSpec.Length > 0;

    /// <summary>
    /// Configures training, e.g. <c>Compile(optimizer: "Adam", loss: "categorical_crossentropy", metrics: ["accuracy"])</c>.
    /// One loss and one metric list apply to every output; <paramref name="lossWeights"/> weigh the outputs' losses.
    /// </summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='optimizer']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='loss']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='metrics']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='lossWeights']"/>
    /// <param name="weightedMetrics">Keras's <c>weighted_metrics</c> (names or objects as for <c>metrics</c>): updated
    /// with the sample weights (and class weights) that weigh the loss; see <see cref="CompileWeightedMetrics"/>.
    /// Default none. For example <c>["accuracy"]</c> or <c>["mae", "mse"]</c>; null (Keras's default) for none.</param>
    public void Compile(string optimizer = "rmsprop", string loss = "categorical_crossentropy", string[]? metrics = null, double[]? lossWeights = null,
        string[]? weightedMetrics = null) =>
        Compile(Optimizers.Optimizer.Get(optimizer), [LossFn.Get(loss)], Named(metrics), null, lossWeights, Named(weightedMetrics));

    /// <summary>Configures training with an optimizer object.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='optimizer']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='loss']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='metrics']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='lossWeights']"/>
    /// <param name="weightedMetrics">Keras's <c>weighted_metrics</c> (names or objects as for <c>metrics</c>): updated
    /// with the sample weights (and class weights) that weigh the loss; see <see cref="CompileWeightedMetrics"/>.
    /// Default none. For example <c>["accuracy"]</c> or <c>["mae", "mse"]</c>; null (Keras's default) for none.</param>
    public void Compile(Optimizer optimizer, string loss, string[]? metrics = null, double[]? lossWeights = null, string[]? weightedMetrics = null) =>
        Compile(optimizer, [LossFn.Get(loss)], Named(metrics), null, lossWeights, Named(weightedMetrics));

    /// <summary>Configures training with optimizer and loss objects.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='optimizer']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='loss']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='metrics']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='lossWeights']"/>
    /// <param name="weightedMetrics">Keras's <c>weighted_metrics</c> (names or objects as for <c>metrics</c>): updated
    /// with the sample weights (and class weights) that weigh the loss; see <see cref="CompileWeightedMetrics"/>.
    /// Default none. For example <c>["accuracy"]</c> or <c>["mae", "mse"]</c>; null (Keras's default) for none.</param>
    public void Compile(Optimizer optimizer, Loss loss, string[]? metrics = null, double[]? lossWeights = null, string[]? weightedMetrics = null) =>
        Compile(optimizer, [loss ?? throw new ArgumentNullException(nameof(loss))], Named(metrics), null, lossWeights, Named(weightedMetrics));

    /// <summary>Configures training with one loss object per output, in <see cref="Outputs"/> order.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='optimizer']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='loss']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='metrics']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='lossWeights']"/>
    public void Compile(Optimizer optimizer, Loss[] loss, string[]? metrics = null, double[]? lossWeights = null)
        => Compile(optimizer, CopyOfLosses(loss), metrics, null, lossWeights);

    /// <summary>Configures training with one loss object per output and metric objects applied to every output.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='optimizer']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='loss']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='metrics']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='lossWeights']"/>
    public void Compile(Optimizer optimizer, Loss[] loss, Metric[] metrics, double[]? lossWeights = null)
        => Compile(optimizer, CopyOfLosses(loss), metrics, null, lossWeights);

    /// <summary>Configures training with metric objects (or names: a string converts to a metric), e.g. <c>[new AUC(), "accuracy"]</c>.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='optimizer']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='loss']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='metrics']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='lossWeights']"/>
    /// <param name="weightedMetrics">Keras's <c>weighted_metrics</c> (names or objects as for <c>metrics</c>): updated with
    /// the sample weights (and class weights) that weigh the loss; see <see cref="CompileWeightedMetrics"/>. Default none.</param>
    public void Compile(string optimizer, string loss, Metric[] metrics, double[]? lossWeights = null, Metric[]? weightedMetrics = null) =>
        Compile(Optimizers.Optimizer.Get(optimizer), [LossFn.Get(loss)], metrics, null, lossWeights, weightedMetrics);

    /// <summary>Configures training with an optimizer object and metric objects.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='optimizer']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='loss']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='metrics']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='lossWeights']"/>
    /// <param name="weightedMetrics">Keras's <c>weighted_metrics</c> (names or objects as for <c>metrics</c>): updated with
    /// the sample weights (and class weights) that weigh the loss; see <see cref="CompileWeightedMetrics"/>. Default none.</param>
    public void Compile(Optimizer optimizer, string loss, Metric[] metrics, double[]? lossWeights = null, Metric[]? weightedMetrics = null) =>
        Compile(optimizer, [LossFn.Get(loss)], metrics, null, lossWeights, weightedMetrics);

    /// <summary>Configures training with optimizer, loss and metric objects.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='optimizer']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='loss']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='metrics']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='lossWeights']"/>
    /// <param name="weightedMetrics">Keras's <c>weighted_metrics</c> (names or objects as for <c>metrics</c>): updated with
    /// the sample weights (and class weights) that weigh the loss; see <see cref="CompileWeightedMetrics"/>. Default none.</param>
    public void Compile(Optimizer optimizer, Loss loss, Metric[] metrics, double[]? lossWeights = null, Metric[]? weightedMetrics = null) =>
        Compile(optimizer, [loss ?? throw new ArgumentNullException(nameof(loss))], metrics, null, lossWeights, weightedMetrics);

    /// <summary>Configures training with one loss per output and metric objects applied to every output (copied per output, as Keras).</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='optimizer']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='loss']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='metrics']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='lossWeights']"/>
    public void Compile(Optimizer optimizer, string[] loss, Metric[] metrics, double[]? lossWeights = null) =>
        Compile(optimizer, ParseLosses(loss), metrics, null, lossWeights);

    /// <summary>Configures training with one loss per output, in <see cref="Outputs"/> order.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='optimizer']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='loss']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='metrics']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='lossWeights']"/>
    public void Compile(string optimizer, string[] loss, string[]? metrics = null, double[]? lossWeights = null) =>
        Compile(Optimizers.Optimizer.Get(optimizer), ParseLosses(loss), metrics, null, lossWeights);

    /// <summary>Configures training with one loss per output, in <see cref="Outputs"/> order.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='optimizer']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='loss']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='metrics']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='lossWeights']"/>
    public void Compile(Optimizer optimizer, string[] loss, string[]? metrics = null, double[]? lossWeights = null) =>
        Compile(optimizer, ParseLosses(loss), metrics, null, lossWeights);

    /// <summary>
    /// Configures training by output name, as Keras's dictionaries: <c>loss: {"out_a": "mse", "out_b": "categorical_crossentropy"}</c>,
    /// metrics and loss weights per output (outputs missing from <paramref name="metrics"/> get none, from
    /// <paramref name="lossWeights"/> weight 1).
    /// </summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='optimizer']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='loss']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='metrics']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='lossWeights']"/>
    public void Compile(string optimizer, IDictionary<string, string> loss, IDictionary<string, string[]>? metrics = null,
        IDictionary<string, double>? lossWeights = null) => Compile(Optimizers.Optimizer.Get(optimizer), loss, metrics, lossWeights);

    /// <summary>Configures training by output name (see the string overload).</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='optimizer']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='loss']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='metrics']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='lossWeights']"/>
    public void Compile(Optimizer optimizer, IDictionary<string, string> loss, IDictionary<string, string[]>? metrics = null,
        IDictionary<string, double>? lossWeights = null) =>
        Compile(optimizer, loss, metrics?.ToDictionary(p => p.Key, p => Named(p.Value)!), lossWeights);

    /// <summary>Configures training by output name with metric objects per output.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='optimizer']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='loss']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='metrics']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='lossWeights']"/>
    public void Compile(Optimizer optimizer, IDictionary<string, string> loss, IDictionary<string, Metric[]>? metrics,
        IDictionary<string, double>? lossWeights = null)
    {
        ArgumentNullException.ThrowIfNull(loss);
        Compile(optimizer, loss.ToDictionary(p => p.Key, p => LossFn.Get(p.Value)), metrics, lossWeights);
    }

    /// <summary>Configures training by output name with loss objects (see the string overload).</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='optimizer']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='loss']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='metrics']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='lossWeights']"/>
    public void Compile(Optimizer optimizer, IDictionary<string, Loss> loss, IDictionary<string, string[]>? metrics = null,
        IDictionary<string, double>? lossWeights = null) =>
        Compile(optimizer, loss, metrics?.ToDictionary(p => p.Key, p => Named(p.Value)!), lossWeights);

    /// <summary>Configures training by output name with loss objects and metric objects per output.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='optimizer']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='loss']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='metrics']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='lossWeights']"/>
    public void Compile(Optimizer optimizer, IDictionary<string, Loss> loss, IDictionary<string, Metric[]>? metrics,
        IDictionary<string, double>? lossWeights = null)
    {
        ArgumentNullException.ThrowIfNull(loss);
        RequireGraph("be compiled by output name");
        var names = OutputNames;
        void CheckKeys(IEnumerable<string> keys, string what)
        {
            foreach (var k in keys)
                if (!names.Contains(k)) throw new KerasNetException($"Model '{Name}': {what} names output '{k}', but the outputs are [{string.Join(", ", names)}].");
        }
        CheckKeys(loss.Keys, "loss");
        if (metrics != null) CheckKeys(metrics.Keys, "metrics");
        if (lossWeights != null) CheckKeys(lossWeights.Keys, "loss_weights");
        var losses = names.Select(n => loss.TryGetValue(n, out var l) ? l ?? throw new ArgumentNullException(nameof(loss), $"The loss of output '{n}' is null.")
            : throw new KerasNetException($"Model '{Name}': the loss dictionary has no entry for output '{n}'.")).ToArray();
        var perOutput = names.Select(n => metrics != null && metrics.TryGetValue(n, out var m) ? m ?? [] : []).ToArray();
        Compile(optimizer, losses, null, perOutput, names.Select(n => lossWeights != null && lossWeights.TryGetValue(n, out var w) ? w : 1.0).ToArray());
    }

    private static Loss[] CopyOfLosses(Loss[] loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        if (loss.Length == 0 || loss.Any(l => l is null)) throw new KerasNetException("Compile: the list of losses is empty or holds a null.");
        return (Loss[])loss.Clone();
    }

    private static Loss[] ParseLosses(string[] loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        if (loss.Length == 0) throw new KerasNetException("Compile: the list of losses is empty.");
        return loss.Select(LossFn.Get).ToArray();
    }

    private void Compile(Optimizer optimizer, Loss[] losses, string[]? metrics, string[][]? metricsPerOutput, double[]? lossWeights) =>
        Compile(optimizer, losses, Named(metrics), metricsPerOutput?.Select(m => Named(m)!).ToArray(), lossWeights);

    // Names become placeholders checked now (an unknown name fails Compile, not the first batch).
    private static Metric[]? Named(string[]? names) => names?.Select(n => (Metric)new NamedMetric(n)).ToArray();

    private void Compile(Optimizer optimizer, Loss[] losses, Metric[]? metrics, Metric[][]? metricsPerOutput, double[]? lossWeights,
        Metric[]? weightedMetrics = null)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (lossWeights != null && lossWeights.Any(w => !double.IsFinite(w)))
            throw new KerasNetException($"Compile: loss_weights must be finite numbers, got [{string.Join(", ", lossWeights)}].");
        foreach (var l in losses)
            if (l.Reduction == "none")
                throw new KerasNetException($"Compile: the loss '{l.Name}' has reduction \"none\", which gives per-sample values; training needs a scalar (tf.keras would train on the gradient of their sum while reporting their mean). Use \"sum_over_batch_size\" or \"sum\", or call the loss directly (Loss.Call).");
        if (metrics != null) CheckMetrics(metrics);
        if (metricsPerOutput != null) foreach (var m in metricsPerOutput) CheckMetrics(m);
        if (weightedMetrics != null) CheckMetrics(weightedMetrics);
        Optimizer = optimizer;
        _weightedMetricSpec = weightedMetrics ?? [];
        _lossSpec = losses;
        _metricSpec = metrics ?? metricsPerOutput?.SelectMany(m => m).DistinctBy(m => m.Name).ToArray() ?? [];
        _metricSpecPerOutput = metricsPerOutput;
        _lossWeightSpec = lossWeights;
        _resolved = false;
        _outputMetrics = [];
    }

    private static void CheckMetrics(Metric[] metrics)
    {
        var seen = new HashSet<string>();
        foreach (var m in metrics)
        {
            if (m is null) throw new KerasNetException("Compile: the metrics list holds a null entry.");
            if (m is Mean) throw new KerasNetException($"Compile: Mean '{m.Name}' averages values, not (y_true, y_pred); pass a metric of targets and predictions.");
            if (m.NotScalar is { } why) throw new KerasNetException($"Compile: {why}.");
            // A class name logs under the class's default name ("AUC" as "auc").
            string key = m is NamedMetric && MetricRegistry.IsClassName(m.Name) ? MetricRegistry.Resolve(m.Name, [1, 1], [1, 1]).Name : m.Name;
            if (!seen.Add(key)) throw new KerasNetException($"Compile: two metrics are named '{key}'; give one another name (its log key).");
        }
    }

    /// <summary>
    /// Resolves losses, weights and metric objects against the outputs on the first batch: tf.keras 2.4 resolves
    /// "accuracy" from the shapes of the targets and outputs (see <see cref="Metric.Get(string, int[], int[])"/>), not from the loss.
    /// </summary>
    private void Resolve(FunctionalGraph g, ReadOnlySpan<Tensor> targets)
    {
        // The check stays apart from ResolveNow: its lambdas capture g, and C# creates the closure on method entry,
        // which would allocate on every training step. Concurrent first Evaluate calls resolve once, under the gate
        // (two resolving at once saw each other's half-filled metric arrays).
        if (Volatile.Read(ref _resolved) && _resolvedFor == g) return;
        lock (_resolveGate)
            if (!(_resolved && _resolvedFor == g)) ResolveNow(g, targets);
    }

    private readonly object _resolveGate = new();

    private void ResolveNow(FunctionalGraph g, ReadOnlySpan<Tensor> targets)
    {
        int n = g.Outputs.Length;
        var targetShapes = new int[targets.Length][];
        for (int i = 0; i < targets.Length; i++) targetShapes[i] = targets[i].Shape;
        if (targets.Length != n)
            throw new KerasNetException($"Model '{Name}' has {n} output(s) ({string.Join(", ", OutputNames)}) but {targets.Length} target array(s) were given.");
        _losses = _lossSpec.Length == 1 ? Enumerable.Repeat(_lossSpec[0], n).ToArray()
            : _lossSpec.Length == n ? _lossSpec
            : throw new KerasNetException($"Model '{Name}' has {n} outputs but Compile was given {_lossSpec.Length} losses.");
        _lossWeights = _lossWeightSpec is null ? Enumerable.Repeat(1.0, n).ToArray()
            : _lossWeightSpec.Length == n ? _lossWeightSpec
            : throw new KerasNetException($"Model '{Name}' has {n} outputs but Compile was given {_lossWeightSpec.Length} loss weights.");
        var names = OutputNames;
        _outputMetrics = new Metric[n][];
        _weightedStart = new int[n];
        for (int i = 0; i < n; i++)
        {
            var spec = _metricSpecPerOutput?[i] ?? _metricSpec;
            var yTrue = targetShapes[i];
            var yPred = ShapeUtil.WithBatch(yTrue.Length == 0 ? 1 : yTrue[0], g.Outputs[i].Shape);
            // Names resolve from the shapes; with several outputs each gets copies, as Keras copies a metric given
            // for all of them (so no two outputs ever share one metric's counts).
            var plain = spec.Select(m => m is NamedMetric ? Metric.Get(m.Name, yTrue, yPred) : n > 1 ? m.Copy() : m).ToArray();
            // A weighted metric object is copied when it is also an unweighted one (or serves several outputs), so
            // that the two never share counts.
            var weighted = _weightedMetricSpec.Select(m => m is NamedMetric ? Metric.Get(m.Name, yTrue, yPred)
                : n > 1 || spec.Contains(m) ? m.Copy() : m);
            _outputMetrics[i] = [.. plain, .. weighted];
            _weightedStart[i] = plain.Length;
            foreach (var m in _outputMetrics[i]) m.ResetState();
        }
        _logNames = LogNames(names);
        _fusedNodes = Enumerable.Range(0, n).Select(i => FusedNode(g, i)).ToArray();
        _resolvedFor = g;
        _resolved = true;
    }

    private FunctionalGraph? _resolvedFor;

    // Keras 2.4's metrics_names: loss, then each output's loss, then every output's metrics, then every output's
    // weighted metrics (compiled_metrics.metrics), prefixed by the output when there are several; a weighted
    // metric whose name is taken becomes weighted_<name> (<output>_weighted_<name>), as MetricsContainer names it.
    private string[] LogNames(IReadOnlyList<string> names)
    {
        int n = _outputMetrics.Length;
        var logNames = new List<string> { "loss" };
        if (n > 1) for (int i = 0; i < n; i++) logNames.Add(names[i] + "_loss");
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (i, m, weighted) in MetricsInLogOrder(_outputMetrics))
        {
            string prefix = n > 1 ? names[i] + "_" : "";
            string name = prefix + m.Name;
            if (weighted && taken.Contains(name)) name = prefix + "weighted_" + m.Name;
            if (!taken.Add(name)) throw new KerasNetException($"Compile: two metrics are logged as '{name}'; give one another name.");
            logNames.Add(name);
        }
        return logNames.ToArray();
    }

    /// <summary>The metrics of <paramref name="perOutput"/> (laid out as the compiled ones) in log order, with their output.</summary>
    private IEnumerable<(int Output, Metric Metric, bool Weighted)> MetricsInLogOrder(Metric[][] perOutput)
    {
        for (int pass = 0; pass < 2; pass++)
            for (int i = 0; i < perOutput.Length; i++)
            {
                int start = Math.Min(i < _weightedStart.Length ? _weightedStart[i] : perOutput[i].Length, perOutput[i].Length);
                for (int k = pass == 0 ? 0 : start; k < (pass == 0 ? start : perOutput[i].Length); k++) yield return (i, perOutput[i][k], pass == 1);
            }
    }

    /// <summary>
    /// Updates one output's metrics: the weighted ones with the batch's sample weights, the others without (tf.keras
    /// 2.4's MetricsContainer.update_state). Allocation-free: it runs every training step.
    /// </summary>
    // Once per step of Fit or Evaluate: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void UpdateOutputMetrics(Metric[] metrics, int output, Tensor yTrue, Tensor yPred, Tensor? sampleWeight, bool masked)
    {
        int start = output < _weightedStart.Length ? _weightedStart[output] : metrics.Length;
        if (masked && sampleWeight != null && start < metrics.Length)
            throw new KerasNetException($"Model '{Name}': weighted_metrics on a masked output with sample weights are not supported (the weights of the masked rows would have to be dropped).");
        for (int k = 0; k < metrics.Length; k++) metrics[k].UpdateState(yTrue, yPred, k >= start ? sampleWeight : null);
    }

    /// <summary>The name a weighted metric of Compile is logged under for a single output (its saved name too).</summary>
    internal string WeightedLogName(int k)
    {
        if (_resolved && _outputMetrics.Length == 1) return _logNames[1 + _weightedStart[0] + k];
        var m = _weightedMetricSpec[k];
        return _metricSpec.Any(u => u.Name == m.Name) ? "weighted_" + m.Name : m.Name;
    }

    /// <summary>Sets Keras's weighted_metrics after a Compile from a saved config (which compiles without them).</summary>
    internal void SetWeightedMetrics(Metric[] weightedMetrics)
    {
        CheckMetrics(weightedMetrics);
        _weightedMetricSpec = weightedMetrics;
        _resolved = false;
        _outputMetrics = [];
    }

    /// <summary>New metric objects like the compiled ones, so that concurrent Evaluate calls keep separate sums.</summary>
    private Metric[][] FreshMetrics() => _outputMetrics.Select(ms => ms.Select(m => m.Copy()).ToArray()).ToArray();
    private int[] _fusedNodes = [];

    // tf.keras's fit computes softmax/sigmoid cross-entropy from the logits of the output layer; so do we, when the
    // output tensor is read by the loss alone (another reader would need the activation's true gradient).
    private int FusedNode(FunctionalGraph g, int output)
    {
        int k = g.SoleProducerOfOutput(output);
        if (k < 0) return -1;
        return g.Nodes[k].Layer is Layers.IActivatedLayer a && _losses[output].FusableActivation == a.Stage.Kind ? k : -1;
    }

    private void EnsureCompiled(string what)
    {
        if (!IsCompiled) throw new KerasNetException($"Model '{Name}' must be compiled before {what}: call Compile(optimizer, loss, metrics) first.");
    }
}
