#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;

namespace KerasNet.Losses;

/// <summary>
/// A Keras loss. Each loss maps a row (one slice along the last axis: a sample, or a (sample, timestep) pair) to a
/// per-sample loss; those are multiplied by the sample weights and reduced as Keras's <c>compute_weighted_loss</c>:
/// "sum_over_batch_size" (the default; "auto" is accepted) divides their sum by the number of rows, "sum" keeps the
/// sum, "none" keeps the per-sample values (for <see cref="Call"/> only: <c>fit</c> needs a scalar).
/// Losses that tf.keras fuses with the output activation inside <c>fit</c> (softmax + categorical cross-entropy,
/// sigmoid + binary cross-entropy) name that activation and compute from the logits when the model passes them.
/// </summary>
public abstract class Loss
{
    /// <summary>Creates a loss with Keras's <c>reduction</c> and <c>name</c>.</summary>
    private protected Loss(string reduction, string name)
    {
        ArgumentNullException.ThrowIfNull(reduction);
        if (reduction is not ("sum_over_batch_size" or "auto" or "sum" or "none"))
            throw new KerasNetException($"{GetType().Name}: reduction must be \"sum_over_batch_size\", \"auto\", \"sum\" or \"none\", got \"{reduction}\".");
        if (string.IsNullOrEmpty(name)) throw new KerasNetException($"{GetType().Name}: name must be a non-empty string.");
        Reduction = reduction;
        Name = name;
    }

    /// <summary>Keras's <c>name</c> of the loss object ("categorical_crossentropy", "huber_loss").</summary>
    public string Name { get; }

    /// <summary>Keras's <c>reduction</c>: "sum_over_batch_size", "auto" (the same), "sum" or "none".</summary>
    public string Reduction { get; }

    /// <summary>Keras's class name, as saved configs name it ("MeanSquaredError").</summary>
    public virtual string ClassName => GetType().Name;

    /// <summary>The output activation whose logits this loss can take directly, if any.</summary>
    internal virtual ActivationKind? FusableActivation => null;

    /// <summary>The string this loss was resolved from (Compile's "mse"), saved back as that string; null for an object.</summary>
    internal string? Identifier { get; set; }

    /// <summary>Keras 3's <c>get_config()</c>: reduction, name and the loss's own arguments.</summary>
    /// <returns>The config, a JSON object: <c>reduction</c>, <c>name</c>, then the loss's own arguments.</returns>
    public virtual JsonObject GetConfig() => new() { ["reduction"] = Reduction, ["name"] = Name };

    /// <summary>The config tf.keras 2.4 writes and can read back (without the arguments it does not know).</summary>
    internal JsonObject GetKeras2Config()
    {
        var c = GetConfig();
        foreach (var k in Keras3OnlyKeys) c.Remove(k);
        return c;
    }

    /// <summary>Config keys Keras 3 added to this loss that tf.keras 2.4's constructor would refuse.</summary>
    private protected virtual string[] Keras3OnlyKeys => [];

    /// <summary>Whether the loss takes logits as <c>y_pred</c> (its <c>from_logits</c>).</summary>
    private protected virtual bool TakesLogits => false;

    /// <summary>The probabilities of <paramref name="logits"/> (sigmoid or softmax), for losses that take logits.</summary>
    private protected virtual void Activate(Tensor logits, Tensor into) =>
        throw new InvalidOperationException($"{ClassName} does not take logits.");

    /// <summary>
    /// Writes each row's loss into <c>a.Loss</c> and, when <c>a.Grad</c> is not empty, the gradient of the row loss
    /// with respect to the row's predictions (or logits) times <c>a.Scale[row]</c>.
    /// </summary>
    private protected abstract void Rows(in LossRows a);

    /// <summary>Checks the targets against the predictions and returns the number of rows.</summary>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private protected virtual int CheckTargets(Tensor yPred, Tensor yTrue)
    {
        CheckSameShape(yPred, yTrue, Name);
        return yPred.Length / Math.Max(1, yPred.Shape.Length == 0 ? 1 : yPred.Shape[^1]);
    }

    /// <summary>
    /// The scalar loss of a batch without sample weights (see the other overload).
    /// </summary>
    /// <param name="yPred">The predictions, batch axis first.</param>
    /// <param name="yTrue">The targets, the predictions' shape (or without its trailing 1).</param>
    /// <param name="grad">Where to write the gradient of the reduced loss with respect to <paramref name="yPred"/> (or
    /// the logits), the predictions' shape; null for none.</param>
    /// <param name="logits">The pre-activation outputs when the output layer's softmax or sigmoid is fused into the
    /// loss; null otherwise.</param>
    /// <returns>The reduced loss.</returns>
    public double Compute(Tensor yPred, Tensor yTrue, Tensor? grad, Tensor? logits = null) => Compute(yPred, yTrue, null, grad, logits);

    /// <summary>
    /// Returns the reduced loss of a batch (as <c>fit</c> uses it) and, when <paramref name="grad"/> is given, writes
    /// its gradient with respect to <paramref name="yPred"/>, or to <paramref name="logits"/> when those are given
    /// (the fused softmax/sigmoid path: <paramref name="yPred"/> are then the activation of the logits). With
    /// <c>fromLogits</c>, <paramref name="yPred"/> are the logits. <paramref name="sampleWeight"/> has one value per
    /// row, one per sample (broadcast over the timesteps) or a single one.
    /// </summary>
    /// <exception cref="KerasNetException">The reduction is "none": use <see cref="Call"/> for per-sample values.</exception>
    /// <param name="yPred">The predictions, batch axis first.</param>
    /// <param name="yTrue">The targets, the predictions' shape (or without its trailing 1).</param>
    /// <param name="sampleWeight">One weight per sample (or per row of every axis but the last, broadcast as Keras
    /// does) scaling its contribution; null weighs every sample 1.</param>
    /// <param name="grad">Where to write the gradient of the reduced loss with respect to <paramref name="yPred"/> (or
    /// the logits), the predictions' shape; null for none.</param>
    /// <param name="logits">The pre-activation outputs when the output layer's softmax or sigmoid is fused into the
    /// loss; null otherwise.</param>
    /// <returns>The reduced loss.</returns>
    public double Compute(Tensor yPred, Tensor yTrue, Tensor? sampleWeight, Tensor? grad, Tensor? logits)
    {
        ArgumentNullException.ThrowIfNull(yPred);
        ArgumentNullException.ThrowIfNull(yTrue);
        if (Reduction == "none")
            throw new KerasNetException($"{ClassName} '{Name}': reduction \"none\" gives per-sample values, not a scalar: use Call(yTrue, yPred, sampleWeight).");
        return Reduce(yPred, yTrue, sampleWeight, grad, logits, perRow: null);
    }

    /// <summary>
    /// Keras's <c>loss(y_true, y_pred, sample_weight)</c>: a scalar tensor (shape []) for "sum_over_batch_size" and
    /// "sum", the weighted per-sample losses (the shape of <paramref name="yPred"/> without its last axis) for "none".
    /// </summary>
    /// <param name="yTrue">The targets, batch axis first.</param>
    /// <param name="yPred">The predictions (the model's outputs), batch axis first, the shape of the targets.</param>
    /// <param name="sampleWeight">One weight per sample (or per row of every axis but the last, broadcast as Keras
    /// does) scaling its contribution; null weighs every sample 1.</param>
    /// <returns>A scalar tensor (shape []), or the per-sample losses for <c>"none"</c>.</returns>
    public Tensor Call(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(yPred);
        ArgumentNullException.ThrowIfNull(yTrue);
        if (Reduction != "none") return new Tensor([(float)Reduce(yPred, yTrue, sampleWeight, null, null, null)]);
        int axis = yPred.Rank <= 1 ? 0 : AxisIndex(yPred.Rank);
        var rowShape = yPred.Rank <= 1 ? Array.Empty<int>() : [.. yPred.Shape[..axis], .. yPred.Shape[(axis + 1)..]];
        var result = new Tensor(rowShape);
        var perRow = new double[result.Length];
        Reduce(yPred, yTrue, sampleWeight, null, null, perRow);
        for (int i = 0; i < perRow.Length; i++) result[i] = (float)perRow[i];
        return result;
    }

    /// <summary>The axis the loss reduces over (Keras's <c>axis</c> where the loss has one; -1 for the others).</summary>
    private protected virtual int ReductionAxis => -1;

    // The reduced axis as an index into a shape of rank `rank`: 1 .. rank - 1 (axis 0 is the batch, refused).
    private int AxisIndex(int rank)
    {
        int axis = ReductionAxis, a = axis < 0 ? rank + axis : axis;
        if (a <= 0 || a >= rank)
            throw new KerasNetException($"{ClassName} '{Name}': axis={axis} is not an axis of outputs of rank {rank} other than the batch axis (0); use -1 .. {-(rank - 1)} or 1 .. {rank - 1}.");
        return a;
    }

    private double Reduce(Tensor yPred, Tensor yTrue, Tensor? sampleWeight, Tensor? grad, Tensor? logits, double[]? perRow)
    {
        if (ReductionAxis != -1 && yPred.Rank > 1 && AxisIndex(yPred.Rank) is int a && a != yPred.Rank - 1)
            return ReduceOverAxis(a, yPred, yTrue, sampleWeight, grad, logits, perRow);
        return ReduceLast(yPred, yTrue, sampleWeight, grad, logits, perRow);
    }

    /// <summary>
    /// Keras's <c>axis</c> other than the last: the reduced axis is moved last (so the rows are the per-sample losses
    /// in the order of the other axes, Keras's output shape), the loss computed there, and the gradient moved back.
    /// </summary>
    private double ReduceOverAxis(int axis, Tensor yPred, Tensor yTrue, Tensor? sampleWeight, Tensor? grad, Tensor? logits, double[]? perRow)
    {
        if (!ShapeUtil.Equal(yPred.Shape, yTrue.Shape))
            throw new ShapeMismatchException($"{Name}: targets of shape {ShapeUtil.Format(yTrue.Shape)} do not match model outputs of shape {ShapeUtil.Format(yPred.Shape)}.");
        var p = AxisMove.ToEnd(yPred, axis);
        var movedGrad = grad is null ? null : new Tensor(p.Shape);
        double v = ReduceLast(p, AxisMove.ToEnd(yTrue, axis), sampleWeight, movedGrad, logits is null ? null : AxisMove.ToEnd(logits, axis), perRow);
        if (grad != null) AxisMove.FromEnd(movedGrad!, axis, grad);
        return v;
    }

    // Once per step of Fit or Evaluate: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private double ReduceLast(Tensor yPred, Tensor yTrue, Tensor? sampleWeight, Tensor? grad, Tensor? logits, double[]? perRow)
    {
        int rows = CheckTargets(yPred, yTrue);
        if (grad != null && !ShapeUtil.Equal(grad.Shape, yPred.Shape))
            throw new ShapeMismatchException($"{Name}: the gradient tensor has shape {ShapeUtil.Format(grad.Shape)}, not the predictions' {ShapeUtil.Format(yPred.Shape)}.");
        var s = LossScratch.Current;
        var weights = s.Weights(rows);
        ExpandWeights(sampleWeight, rows, yPred.BatchSize, weights);
        // Keras divides the weighted sum by the number of per-sample losses, whatever the weights are.
        float factor = Reduction is "sum" or "none" ? 1f : 1f / rows;
        var scale = s.Scale(rows);
        for (int r = 0; r < rows; r++) scale[r] = weights[r] * factor;
        Tensor p = yPred;
        if (TakesLogits)
        {
            if (logits != null) throw new KerasNetException($"{ClassName}: from_logits=True takes the logits as y_pred; the output activation is not fused.");
            logits = yPred;
            p = s.Probabilities = Tensor.Ensure(s.Probabilities, (ReadOnlySpan<int>)yPred.Shape);
            Activate(logits, p);
        }
        var rowLoss = s.RowLoss(rows);
        Rows(new LossRows(p, yTrue, logits, rowLoss, grad is null ? default : grad.Span, scale, rows));
        double total = 0;
        if (sampleWeight is null) for (int r = 0; r < rows; r++) total += rowLoss[r];
        else for (int r = 0; r < rows; r++) total += weights[r] * rowLoss[r];
        if (perRow != null) for (int r = 0; r < rows; r++) perRow[r] = weights[r] * rowLoss[r];
        return Reduction == "sum" ? total : total / rows;
    }

    /// <summary>
    /// One weight per row from Keras's broadcastable sample weights: per row ((N,) for (N, C) outputs, (N, T) for
    /// (N, T, C) ones), per sample ((N,) or (N, 1), repeated over the timesteps), or a single value.
    /// </summary>
    // Once per step of Fit or Evaluate: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void ExpandWeights(Tensor? sw, int rows, int batch, Span<float> into)
    {
        if (sw is null) { into.Fill(1f); return; }
        var w = sw.Span;
        if (w.Length == rows) w.CopyTo(into);
        else if (w.Length == 1) into.Fill(w[0]);
        else if (w.Length == batch && batch > 0 && rows % batch == 0)
        {
            int per = rows / batch;
            for (int i = 0; i < batch; i++) into.Slice(i * per, per).Fill(w[i]);
        }
        else throw new ShapeMismatchException($"{Name}: sample weights of shape {ShapeUtil.Format(sw.Shape)} do not broadcast to the {rows} per-sample losses of a batch of {batch} (give one weight per sample, or per sample and timestep).");
        foreach (float v in into)
            if (!float.IsFinite(v)) throw new KerasNetException($"{Name}: sample weights must be finite, got {v}.");
    }

    /// <summary>Resolves a Keras loss name or alias ("mse", "huber_loss", "CategoricalCrossentropy") to a new loss.</summary>
    /// <exception cref="KerasNetException">The name is unknown (the message lists the known ones).</exception>
    /// <param name="name">A Keras loss name or alias (any listed under <c>Compile</c>'s <c>loss</c>): <c>"mse"</c>,
    /// <c>"mae"</c>, <c>"huber_loss"</c>, <c>"binary_crossentropy"</c>, <c>"categorical_crossentropy"</c>, ..., or a
    /// class name (<c>"CategoricalCrossentropy"</c>). Keras has no default: a name is required.</param>
    /// <returns>A new loss with Keras's default arguments; an unknown name throws, listing the known ones.</returns>
    public static Loss Get(string name) => LossCatalog.Get(name);

    /// <summary>Rebuilds a loss from its class name and config, as Keras's <c>losses.deserialize</c>.</summary>
    /// <param name="className">The Keras class name (<c>"CategoricalCrossentropy"</c>, ...).</param>
    /// <param name="config">Its config (Keras's <c>get_config()</c> fields); null for the defaults.</param>
    /// <returns>The loss.</returns>
    public static Loss FromConfig(string className, JsonObject? config) => LossCatalog.FromConfig(className, config);

    /// <summary>Keras's fuzz factor (backend epsilon) used to clip probabilities.</summary>
    public const float Epsilon = 1e-7f;

    /// <summary>
    /// Checks that predictions and targets agree, naming both shapes otherwise. As Keras's
    /// squeeze_or_expand_dimensions, targets of shape (N,) are accepted for outputs of shape (N, 1) (a binary
    /// class_mode yields those); the element order is then the same.
    /// </summary>
    /// <param name="yPred">The predictions.</param>
    /// <param name="yTrue">The targets.</param>
    /// <param name="loss">The loss's name, for the message.</param>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    protected static void CheckSameShape(Tensor yPred, Tensor yTrue, string loss)
    {
        bool trailingOne = yPred.Rank == yTrue.Rank + 1 && yPred.Shape[^1] == 1 && yPred.Shape.AsSpan(0, yTrue.Rank).SequenceEqual(yTrue.Shape);
        if (!trailingOne && !ShapeUtil.Equal(yPred.Shape, yTrue.Shape))
            throw new ShapeMismatchException($"{loss}: targets of shape {ShapeUtil.Format(yTrue.Shape)} do not match model outputs of shape {ShapeUtil.Format(yPred.Shape)}.");
    }

    /// <summary>Refuses the batch axis (0); others are checked against the outputs' rank when the loss runs.</summary>
    private protected static int CheckAxis(int axis, string cls)
    {
        if (axis == 0) throw new KerasNetException($"{cls}: axis=0 is the batch axis; reduce over another (default -1, the last).");
        return axis;
    }
}

/// <summary>The arguments of <see cref="Loss"/>'s row computation.</summary>
internal readonly ref struct LossRows(Tensor pred, Tensor target, Tensor? logits, Span<double> loss, Span<float> grad, ReadOnlySpan<float> scale, int rows)
{
    /// <summary>The predictions (probabilities for the cross-entropies, the activation of <see cref="Logits"/> when given).</summary>
    public Tensor Pred { get; } = pred;
    /// <summary>The targets, shaped as the predictions (or one class index per row for the sparse loss).</summary>
    public Tensor Target { get; } = target;
    /// <summary>The logits the gradient is taken against, or null.</summary>
    public Tensor? Logits { get; } = logits;
    /// <summary>Where each row's loss goes.</summary>
    public Span<double> Loss { get; } = loss;
    /// <summary>Where the scaled gradient goes (empty: none wanted).</summary>
    public Span<float> Grad { get; } = grad;
    /// <summary>The factor of each row's gradient (sample weight times the reduction's 1/rows).</summary>
    public ReadOnlySpan<float> Scale { get; } = scale;
    /// <summary>The number of rows.</summary>
    public int Count { get; } = rows;
    /// <summary>The row length (the last axis of the predictions).</summary>
    public int Width => Pred.Length / Math.Max(1, Count);
}

/// <summary>Per-thread buffers of the loss computation: concurrent Evaluate calls on one model share its loss objects.</summary>
internal sealed class LossScratch
{
    [ThreadStatic] private static LossScratch? t_current;
    public static LossScratch Current => t_current ??= new LossScratch();

    private double[] _rowLoss = [];
    private float[] _weights = [], _scale = [];
    public Tensor? Probabilities, Targets, OneHot;

    public Span<double> RowLoss(int n) => Grow(ref _rowLoss, n);
    public Span<float> Weights(int n) => Grow(ref _weights, n);
    public Span<float> Scale(int n) => Grow(ref _scale, n);

    private static Span<T> Grow<T>(ref T[] a, int n)
    {
        if (a.Length < n) a = new T[n];
        return a.AsSpan(0, n);
    }
}
