#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Layers;

namespace KerasNet.Optimizers;

/// <summary>
/// A Keras optimizer. Per-variable state ("slots", e.g. Adam's m and v) is created on first use, in the order
/// Keras creates it, so it can be saved and restored with the model.
/// </summary>
public abstract class Optimizer : IFusedUpdates
{
    private readonly Dictionary<Variable, float[][]> _slots = new();
    private readonly List<Variable> _order = new();

    /// <summary>Sets the learning rate.</summary>
    protected Optimizer(double learningRate)
    {
        if (!(learningRate > 0) || double.IsInfinity(learningRate))
            throw new KerasNetException($"{GetType().Name}: learning_rate must be a positive number, got {learningRate}.");
        LearningRate = learningRate;
    }

    /// <summary>Keras class name ("Adam").</summary>
    public virtual string ClassName => GetType().Name;

    /// <summary>The learning rate.</summary>
    public double LearningRate { get; set; }

    /// <summary>Number of updates applied (Keras's <c>iterations</c>).</summary>
    public long Iterations { get; set; }

    /// <summary>Slot names in Keras order ("m", "v" for Adam).</summary>
    public abstract IReadOnlyList<string> SlotNames { get; }

    /// <summary>Applies one update to every variable from its gradient.</summary>
    public void Apply(IReadOnlyList<Variable> variables)
    {
        BeginApply(variables);
        UpdateVariables(variables, null);
    }

    /// <summary>
    /// Starts a step whose updates may be split: counts the iteration, computes per-step constants, and creates any
    /// missing slots in <paramref name="variables"/>' order (so the slot order does not depend on which updates fuse).
    /// </summary>
    internal void BeginApply(IReadOnlyList<Variable> variables)
    {
        for (int i = 0; i < variables.Count; i++) SlotsOf(variables[i]);
        Iterations++;
        BeginStep();
    }

    /// <summary>
    /// Updates the variables from their stored gradients, except those the step's backward pass already updated in a
    /// fused kernel and those that got no gradient (off the loss's path: Keras skips a None gradient).
    /// </summary>
    internal void UpdateVariables(IReadOnlyList<Variable> variables, GradientSink? sink)
    {
        var job = _job ??= new UpdateJob(this);
        for (int i = 0; i < variables.Count; i++)
        {
            var v = variables[i];
            if (sink != null && (sink.WasFused(v) || !sink.Received(v))) continue;
            if (sink?.RowsOf(v) is { } rows && !SparseMatchesDense) { UpdateRows(v, rows); continue; }
            job.Slots = SlotsOf(v);
            job.W = v.Value.Buffer;
            job.G = v.Grad.Buffer;
            Threads.For(v.Size, 8, job);
            v.MarkChanged();
        }
        job.W = job.G = null!;
        job.Slots = null!;
    }

    /// <summary>
    /// This step's update of <paramref name="v"/> as a range operation, for kernels that produce the gradient piece
    /// by piece (only valid between <see cref="BeginApply"/> and the end of the step).
    /// </summary>
    public IWeightUpdate? FusedUpdate(Variable v)
    {
        if (!IsElementWise) return null;
        _fused ??= new Dictionary<Variable, IWeightUpdate>();
        if (!_fused.TryGetValue(v, out var u)) _fused[v] = u = CreateFusedUpdate(SlotsOf(v));
        return u;
    }

    /// <summary>The range update over one variable's slots (optimizers may return a kernel-recognised form).</summary>
    private protected virtual IWeightUpdate CreateFusedUpdate(float[][] slots) => new RangeUpdate(this, slots);

    /// <summary>Whether updates depend only on each element's own gradient, so they may be applied row by row.</summary>
    internal virtual bool IsElementWise => true;

    private Dictionary<Variable, IWeightUpdate>? _fused;

    private sealed class RangeUpdate(Optimizer owner, float[][] slots) : IWeightUpdate
    {
        public void Update(int offset, Span<float> w, ReadOnlySpan<float> g) => owner.Update(w, g, slots, offset, w.Length);
    }

    private UpdateJob? _job;

    /// <summary>The per-range update of one variable, reused across variables and steps (no per-step allocation).</summary>
    private sealed class UpdateJob(Optimizer owner) : ParallelJob
    {
        public float[] W = null!, G = null!;
        public float[][] Slots = null!;

        public override void Execute(int part, int start, int end) =>
            owner.Update(W.AsSpan(start, end - start), G.AsSpan(start, end - start), Slots, start, end - start);
    }

    /// <summary>
    /// Whether updating every element with a zero gradient outside the rows an Embedding looked up gives what
    /// TensorFlow's sparse update of only those rows gives (tf.keras 2.4 applies an Embedding's IndexedSlices
    /// gradient with _resource_apply_sparse). True for Adam (its sparse path decays m and v densely too), plain SGD
    /// and RMSprop without momentum; momentum variants update only the looked-up rows and override this.
    /// </summary>
    private protected virtual bool SparseMatchesDense => true;

    /// <summary>The update of the looked-up rows alone (TensorFlow's ResourceSparseApply* kernels).</summary>
    private void UpdateRows(Variable v, SparseRows rows)
    {
        var slots = SlotsOf(v);
        int d = rows.RowLength;
        var w = v.Value.Buffer;
        var g = v.Grad.Buffer;
        foreach (int r in rows.Rows) Update(w.AsSpan(r * d, d), g.AsSpan(r * d, d), slots, r * d, d);
    }

    /// <summary>Called once per step before the per-variable updates (e.g. Adam's bias correction).</summary>
    protected virtual void BeginStep() { }

    /// <summary>Updates a contiguous range [offset, offset + length) of one variable; slots are whole arrays.</summary>
    protected abstract void Update(Span<float> w, ReadOnlySpan<float> g, float[][] slots, int offset, int length);

    /// <summary>The slot arrays of a variable, created (zero) on first use.</summary>
    public float[][] SlotsOf(Variable v) => _slots.TryGetValue(v, out var s) ? s : CreateSlots(v);

    // Separate from SlotsOf: a lambda capturing v there would allocate its closure on every lookup.
    private float[][] CreateSlots(Variable v)
    {
        var s = new float[SlotNames.Count][];
        for (int i = 0; i < s.Length; i++) s[i] = new float[v.Size];
        _slots[v] = s;
        _order.Add(v);
        return s;
    }

    /// <summary>Variables with state, in creation order.</summary>
    public IReadOnlyList<Variable> TrackedVariables => _order;

    /// <summary>Whether the variable has state yet.</summary>
    public bool HasSlots(Variable v) => _slots.ContainsKey(v);

    /// <summary>The Keras config (learning_rate and the optimizer's own fields).</summary>
    public virtual JsonObject GetConfig() => new() { ["name"] = ClassName, ["learning_rate"] = LearningRate };

    /// <summary>Resolves a Keras optimizer name with its defaults ("adam", "sgd", "rmsprop").</summary>
    public static Optimizer Get(string name) => name.ToLowerInvariant() switch
    {
        "adam" => new Adam(),
        "sgd" => new SGD(),
        "rmsprop" => new RMSprop(),
        _ => throw new KerasNetException($"Unknown optimizer '{name}': supported are Adam, SGD, RMSprop."),
    };
}
