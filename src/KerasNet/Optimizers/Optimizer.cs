#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Optimizers.Schedules;

namespace KerasNet.Optimizers;

/// <summary>
/// A Keras optimizer. Per-variable state ("slots", e.g. Adam's m and v) is created on first use, in the order
/// Keras creates it, so it can be saved and restored with the model. Gradient clipping (<see cref="Clipvalue"/>,
/// <see cref="Clipnorm"/>, <see cref="GlobalClipnorm"/>) follows tf.keras 2.4's order and formulas; the learning rate
/// may be a <see cref="LearningRateSchedule"/> evaluated at <see cref="Iterations"/> before each step.
/// </summary>
public abstract partial class Optimizer : IFusedUpdates
{
    private readonly Dictionary<Variable, float[][]> _slots = new();
    private readonly List<Variable> _order = new();
    private double _learningRate;
    private double? _clipnorm, _globalClipnorm, _clipvalue, _weightDecay;
    private double _decay;

    /// <summary>Sets the learning rate (a number or a schedule; <c>default</c> takes <paramref name="defaultLearningRate"/>).</summary>
    private protected Optimizer(LearningRateSetting learningRate, double defaultLearningRate)
    {
        Schedule = learningRate.Schedule;
        double lr = learningRate.ValueOr(defaultLearningRate);
        if (Schedule == null) CheckLearningRate(lr);
        _learningRate = lr;
    }

    private void CheckLearningRate(double lr)
    {
        // 0 is allowed, as in Keras: a LearningRateScheduler may pause training for an epoch (or warm up from 0).
        if (!(lr >= 0) || double.IsInfinity(lr))
            throw new KerasNetException($"{GetType().Name}: learning_rate must be a finite number >= 0, got {lr}.");
    }

    /// <summary>Keras class name ("Adam").</summary>
    public virtual string ClassName => GetType().Name;

    /// <summary>
    /// The constant learning rate; with a <see cref="Schedule"/>, the rate the next step uses
    /// (<see cref="CurrentLearningRate"/>). Setting it replaces a schedule with the constant, as assigning
    /// <c>optimizer.learning_rate</c> does in Keras.
    /// </summary>
    public double LearningRate
    {
        get => Schedule != null ? CurrentLearningRate : _learningRate;
        set { CheckLearningRate(value); _learningRate = value; Schedule = null; }
    }

    /// <summary>The learning-rate schedule, or null for a constant <see cref="LearningRate"/>.</summary>
    public LearningRateSchedule? Schedule { get; private set; }

    /// <summary>
    /// The learning rate the next step uses (tf.keras 2.4's <c>_decayed_lr</c>): the schedule at <see cref="Iterations"/>
    /// in float32, divided by <c>1 + decay * iterations</c> when <see cref="Decay"/> is set.
    /// </summary>
    public float CurrentLearningRate => LearningRateAt(Iterations);

    /// <summary>The learning rate of the step being applied (valid from the start of a step to its end).</summary>
    protected float StepLearningRate { get; private set; }

    /// <summary>Number of updates applied (Keras's <c>iterations</c>).</summary>
    public long Iterations { get; set; }

    /// <summary>tf.keras 2.4's <c>decay</c>: the learning rate is divided by <c>1 + decay * iterations</c> (default 0).</summary>
    public double Decay
    {
        get => _decay;
        init => SetDecay(value);
    }

    private void SetDecay(double value)
    {
        if (!(value >= 0) || double.IsInfinity(value)) throw new KerasNetException($"{GetType().Name}: decay must be >= 0, got {value}.");
        if (value > 0 && !UsesLearningRateDecay) throw new KerasNetException($"{GetType().Name}: decay is not a learning-rate decay here; see its own arguments.");
        _decay = value;
    }

    /// <summary>Clips each variable's gradient to this L2 norm (Keras's <c>clipnorm</c>; not with <see cref="GlobalClipnorm"/>).</summary>
    public double? Clipnorm
    {
        get => _clipnorm;
        init
        {
            if (value != null && _globalClipnorm != null) throw BothNorms();
            _clipnorm = NonNegative(value, "clipnorm");
        }
    }

    /// <summary>Clips all gradients together to this global L2 norm (Keras's <c>global_clipnorm</c>).</summary>
    public double? GlobalClipnorm
    {
        get => _globalClipnorm;
        init
        {
            if (value != null && _clipnorm != null) throw BothNorms();
            _globalClipnorm = NonNegative(value, "global_clipnorm");
        }
    }

    /// <summary>Clips every gradient element to [-clipvalue, clipvalue] (Keras's <c>clipvalue</c>), before any norm clipping.</summary>
    public double? Clipvalue { get => _clipvalue; init => _clipvalue = NonNegative(value, "clipvalue"); }

    /// <summary>
    /// Keras 3's decoupled <c>weight_decay</c>: before each update every variable with a gradient becomes
    /// <c>w - w * weight_decay * lr</c> (null: none).
    /// </summary>
    public double? WeightDecay { get => _weightDecay; init => _weightDecay = NonNegative(value, "weight_decay"); }

    /// <summary>Sets the arguments every optimizer shares, with the same checks as the properties (for configs read back).</summary>
    internal void Configure(double? clipnorm, double? globalClipnorm, double? clipvalue, double? weightDecay, double decay)
    {
        if (clipnorm != null && globalClipnorm != null) throw BothNorms();
        _clipnorm = NonNegative(clipnorm, "clipnorm");
        _globalClipnorm = NonNegative(globalClipnorm, "global_clipnorm");
        _clipvalue = NonNegative(clipvalue, "clipvalue");
        if (weightDecay != null || this is not AdamW) _weightDecay = NonNegative(weightDecay, "weight_decay");
        SetDecay(decay);
    }

    private KerasNetException BothNorms() =>
        new($"{GetType().Name}: cannot accept both clipnorm and global_clipnorm (tf.keras 2.4 refuses the pair too).");

    private double? NonNegative(double? value, string name)
    {
        if (value is double d && (!(d >= 0) || double.IsInfinity(d)))
            throw new KerasNetException($"{GetType().Name}: {name} must be a finite number >= 0, got {d}.");
        return value;
    }

    /// <summary>Whether <see cref="Decay"/> divides the learning rate (Nadam reads <c>decay</c> as its momentum schedule).</summary>
    private protected virtual bool UsesLearningRateDecay => true;

    /// <summary>The learning rate at a given iteration count, in float32 as TensorFlow computes it.</summary>
    private protected float LearningRateAt(long iterations)
    {
        float step = iterations;
        float lr = Schedule?.Evaluate(step) ?? (float)_learningRate;
        if (_decay > 0 && UsesLearningRateDecay) lr /= 1f + (float)_decay * step;
        return lr;
    }

    /// <summary>Slot names in Keras order ("m", "v" for Adam).</summary>
    public abstract IReadOnlyList<string> SlotNames { get; }

    /// <summary>Applies one update to every variable from its gradient.</summary>
    /// <param name="variables">The variables, each with this step's gradient.</param>
    public void Apply(IReadOnlyList<Variable> variables)
    {
        BeginApply(variables);
        UpdateVariables(variables, null);
    }

    /// <summary>
    /// Starts a step whose updates may be split: creates any missing slots in <paramref name="variables"/>' order (so
    /// the slot order does not depend on which updates fuse), evaluates the learning rate at the iteration count before
    /// the step (as tf.keras 2.4 does), counts the iteration and computes per-step constants.
    /// </summary>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal void BeginApply(IReadOnlyList<Variable> variables)
    {
        for (int i = 0; i < variables.Count; i++) SlotsOf(variables[i]);
        StepLearningRate = LearningRateAt(Iterations);
        Iterations++;
        BeginStep();
    }

    /// <summary>
    /// Updates the variables from their stored gradients, except those the step's backward pass already updated in a
    /// fused kernel and those that got no gradient (off the loss's path: Keras skips a None gradient).
    /// </summary>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal void UpdateVariables(IReadOnlyList<Variable> variables, GradientSink? sink)
    {
        float globalScale = _globalClipnorm is double gc ? GlobalClipScale(variables, sink, (float)gc) : 1f;
        var job = _job ??= new UpdateJob(this);
        for (int i = 0; i < variables.Count; i++)
        {
            var v = variables[i];
            if (sink != null && (sink.WasFused(v) || !sink.Received(v))) continue;
            ClipGradient(v.Grad.Span, globalScale);
            if (_weightDecay is double wd) OptimizerKernels.WeightDecay(v.Value.Span, (float)wd, StepLearningRate);
            if (sink?.RowsOf(v) is { } rows && !SparseMatchesDense) { UpdateRows(v, rows); v.MarkChanged(); continue; }
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
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal IWeightUpdate? FusedUpdate(Variable v)
    {
        if (!IsElementWise) return null;
        _fused ??= new Dictionary<Variable, IWeightUpdate>();
        if (!_fused.TryGetValue(v, out var u)) _fused[v] = u = CreateFusedUpdate(SlotsOf(v));
        return u;
    }

    /// <summary>The range update over one variable's slots (optimizers may return a kernel-recognised form).</summary>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    IWeightUpdate? IFusedUpdates.FusedUpdate(Variable v) => FusedUpdate(v);

    private protected virtual IWeightUpdate CreateFusedUpdate(float[][] slots) => new RangeUpdate(this, slots);

    /// <summary>
    /// Whether updates depend only on each element's own gradient, so they may be applied piece by piece as a kernel
    /// forms the gradient. Clipping by a norm needs the whole gradient (or all of them) first, so it turns fusion off;
    /// clipping by value and weight decay are element-wise and keep it.
    /// </summary>
    internal bool IsElementWise => _clipnorm == null && _globalClipnorm == null;

    /// <summary>Whether the plain update applies (no value clipping, no weight decay): kernels may then use a special form.</summary>
    private protected bool IsPlainUpdate => _clipvalue == null && _weightDecay == null;

    private Dictionary<Variable, IWeightUpdate>? _fused;

    [ThreadStatic] private static float[]? t_clipped;

    private sealed class RangeUpdate(Optimizer owner, float[][] slots) : IWeightUpdate
    {
        public void Update(int offset, Span<float> w, ReadOnlySpan<float> g)
        {
            if (owner._clipvalue is double cv)
            {
                // The kernel's gradient piece is read-only: clip a per-thread copy of it.
                var buf = t_clipped is { } b && b.Length >= g.Length ? b : t_clipped = new float[Math.Max(g.Length, 256)];
                var clipped = buf.AsSpan(0, g.Length);
                OptimizerKernels.ClipByValue(g, (float)cv, clipped);
                g = clipped;
            }
            if (owner._weightDecay is double wd) OptimizerKernels.WeightDecay(w, (float)wd, owner.StepLearningRate);
            owner.Update(w, g, slots, offset, w.Length);
        }
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
    /// gradient with _resource_apply_sparse). True for Adam (its sparse path decays m and v densely too), plain SGD,
    /// RMSprop without momentum and Adagrad; the others update only the looked-up rows and override this.
    /// </summary>
    private protected virtual bool SparseMatchesDense => true;

    /// <summary>The update of the looked-up rows alone (TensorFlow's ResourceSparseApply* kernels).</summary>
    private protected virtual void UpdateRows(Variable v, SparseRows rows)
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
    /// <param name="w">The variable's values in the range (updated in place).</param>
    /// <param name="g">The gradient of the same range.</param>
    /// <param name="slots">The optimizer's state arrays of the variable (whole arrays, indexed like the variable:
    /// moments, accumulators).</param>
    /// <param name="offset">The first element of the range in the variable (and its slots).</param>
    /// <param name="length">The number of elements in the range.</param>
    protected abstract void Update(Span<float> w, ReadOnlySpan<float> g, float[][] slots, int offset, int length);

    /// <summary>The value a new slot starts at (Adagrad's and Ftrl's accumulators start at initial_accumulator_value).</summary>
    private protected virtual float SlotInitialValue(int slot) => 0f;

    /// <summary>The slot arrays of a variable, created on first use.</summary>
    /// <param name="v">The variable.</param>
    /// <returns>Its state arrays (moments, accumulators), each the variable's size.</returns>
    public float[][] SlotsOf(Variable v) => _slots.TryGetValue(v, out var s) ? s : CreateSlots(v);

    // Separate from SlotsOf: a lambda capturing v there would allocate its closure on every lookup.
    private float[][] CreateSlots(Variable v)
    {
        var s = new float[SlotNames.Count][];
        for (int i = 0; i < s.Length; i++)
        {
            s[i] = new float[v.Size];
            if (SlotInitialValue(i) is var init and not 0f) Array.Fill(s[i], init);
        }
        _slots[v] = s;
        _order.Add(v);
        return s;
    }

    /// <summary>Variables with state, in creation order.</summary>
    public IReadOnlyList<Variable> TrackedVariables => _order;

    /// <summary>Whether the variable has state yet.</summary>
    /// <param name="v">The variable.</param>
    /// <returns>True once the variable has slot arrays.</returns>
    public bool HasSlots(Variable v) => _slots.ContainsKey(v);
}
