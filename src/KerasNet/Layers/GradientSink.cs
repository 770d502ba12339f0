#nullable enable
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>
/// Where a backward pass sends weight gradients. It answers three questions for each variable: whether its gradient
/// is wanted in this step (a frozen layer's is not, so it is not even computed), whether the update may be fused into
/// the layer's backward kernel (only for the step's trainable variables, an element-wise optimizer, and a variable used
/// by a single call in the graph and without a regularizer), and which array to write the gradient into. A variable of a layer called several
/// times gets each call's gradient added, never overwritten. Layers never know the optimizer.
/// </summary>
public sealed partial class GradientSink
{
    private readonly HashSet<Variable> _wanted = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<Variable> _shared = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<Variable> _fused = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Variable, int> _writes = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Variable, float[]> _scratch = new(ReferenceEqualityComparer.Instance);
    private readonly bool _all;
    private IFusedUpdates? _updates;

    /// <summary>A sink that wants every gradient and fuses nothing (gradient checks, eager backward calls).</summary>
    /// <returns>The sink.</returns>
    public static GradientSink All() => new(all: true);

    internal GradientSink(bool all = false) => _all = all;

    /// <summary>Starts a step: the variables to train, those used by more than one call, and the fusable updates (or null).</summary>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal void BeginStep(IReadOnlyList<Variable> trainable, IReadOnlySet<Variable> shared, IFusedUpdates? updates)
    {
        if (!SameSet(trainable))
        {
            _wanted.Clear();
            for (int i = 0; i < trainable.Count; i++) _wanted.Add(trainable[i]);
        }
        if (!_shared.SetEquals(shared)) { _shared.Clear(); _shared.UnionWith(shared); }
        _updates = updates;
        _fused.Clear();
        _writes.Clear();
        ResetRows();
    }

    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private bool SameSet(IReadOnlyList<Variable> vars)
    {
        if (vars.Count != _wanted.Count) return false;
        for (int i = 0; i < vars.Count; i++) if (!_wanted.Contains(vars[i])) return false;
        return true;
    }

    /// <summary>Whether the gradient of <paramref name="v"/> is needed in this step.</summary>
    /// <param name="v">The variable.</param>
    /// <returns>True when the step needs it (trainable and not frozen).</returns>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool Wants(Variable v) => _all || _wanted.Contains(v);

    /// <summary>Whether any of the variables' gradients is needed.</summary>
    /// <param name="vars">The variables.</param>
    /// <returns>True when the step needs one of them.</returns>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool WantsAny(IReadOnlyList<Variable> vars)
    {
        for (int i = 0; i < vars.Count; i++) if (Wants(vars[i])) return true;
        return false;
    }

    /// <summary>
    /// The update to apply to each piece of <paramref name="v"/>'s gradient as the kernel forms it, or null when the
    /// gradient must be stored. A non-null answer means the layer applies it: the variable then counts as updated.
    /// </summary>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal IWeightUpdate? TryFuse(Variable v)
    {
        // A regularized weight's gradient gets the penalty's added after the backward pass: it must be stored.
        if (_updates is null || !Wants(v) || _shared.Contains(v) || v.IsRegularized) return null;
        var u = _updates.FusedUpdate(v);
        if (u != null) { _fused.Add(v); _writes[v] = 1; v.MarkChanged(); }
        return u;
    }

    /// <summary>
    /// The array to write <paramref name="v"/>'s whole gradient into (overwriting it); call <see cref="Commit"/>
    /// afterwards. The first call of a step gets the variable's own gradient; later calls (a shared layer) get a
    /// scratch array that Commit adds in.
    /// </summary>
    /// <param name="v">The variable.</param>
    /// <returns>The array to overwrite with the gradient (the variable's size).</returns>
    public float[] GradientFor(Variable v)
    {
        _writes.TryGetValue(v, out int n);
        _writes[v] = n + 1;
        if (n == 0) return v.Grad.Buffer;
        if (!_scratch.TryGetValue(v, out var s)) _scratch[v] = s = new float[v.Size];
        return s;
    }

    /// <summary>Finishes a gradient written into <see cref="GradientFor"/>'s array.</summary>
    /// <param name="v">The variable whose array was written.</param>
    public void Commit(Variable v)
    {
        if (_writes.TryGetValue(v, out int n) && n > 1)
            System.Numerics.Tensors.TensorPrimitives.Add(v.Grad.Span, _scratch[v].AsSpan(0, v.Size), v.Grad.Span);
    }

    /// <summary>Whether the step already applied the update of <paramref name="v"/> inside a kernel.</summary>
    internal bool WasFused(Variable v) => _fused.Contains(v);

    /// <summary>Whether <paramref name="v"/> received a gradient in this step (a weight off the loss's path does not).</summary>
    internal bool Received(Variable v) => _writes.ContainsKey(v);
}

/// <summary>The optimizer side of fusion: an element-wise update of one variable, or null when it cannot be fused.</summary>
internal interface IFusedUpdates
{
    /// <summary>This step's update of <paramref name="v"/> as a range operation, or null.</summary>
    IWeightUpdate? FusedUpdate(Variable v);
}
