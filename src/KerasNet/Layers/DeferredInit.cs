#nullable enable
namespace KerasNet.Layers;

/// <summary>
/// Start-up (issue 17): while a model file is read, the weights its layers create are not filled by their
/// initializers, since the file's values overwrite them (filling the tutorial CNN's 20 million weights with random
/// numbers only to overwrite them took longer than reading them). <see cref="Begin"/> opens the scope on this thread
/// around building the model and reading its weights; <see cref="Complete"/> then runs, in creation order, the fill
/// of every weight that was not assigned (a weight the file does not hold keeps its initializer, as before). Shape
/// errors an initializer would raise are still raised when the weight is created (<see cref="Initializer.CheckShape"/>).
/// </summary>
/// <remarks>
/// What changes: the values of loaded weights are the file's, bit for bit, as before; initializers that draw from the
/// context's unseeded "init" stream draw nothing for loaded weights, so a model built after a load in the same seeded
/// run gets other (still reproducible) initial weights than before this deferral.
/// </remarks>
internal sealed class DeferredInit : IDisposable
{
    [ThreadStatic] private static DeferredInit? _current;

    private readonly List<Variable> _pending = [];
    private bool _completed;

    private DeferredInit() { }

    /// <summary>Opens the scope on this thread; inside an open one, a no-op scope (the outer one completes).</summary>
    public static DeferredInit? Begin() => _current != null ? null : _current = new DeferredInit();

    /// <summary>
    /// Inside a scope, records <paramref name="initializer"/> as <paramref name="v"/>'s pending fill (after checking the
    /// shape) and returns true; outside, or for an initializer that must run at once, returns false.
    /// </summary>
    public static bool Defer(Variable v, Initializer initializer)
    {
        var scope = _current;
        if (scope == null || !initializer.Deferrable) return false;
        initializer.CheckShape(v.Shape);
        v.DeferredInitializer = initializer;
        scope._pending.Add(v);
        return true;
    }

    /// <summary>Fills every weight of the scope that nothing assigned, in the order they were created.</summary>
    public void Complete()
    {
        _completed = true;
        Close();
        foreach (var v in _pending)
        {
            if (v.DeferredInitializer is not { } init) continue;
            v.DeferredInitializer = null;
            init.Fill(v.Value.Span, v.Shape);
            v.MarkChanged();
        }
        _pending.Clear();
    }

    /// <summary>
    /// Closes the scope. Without <see cref="Complete"/> (the load failed) the pending weights belong to a model that
    /// is being discarded: they are filled anyway, so no weight is ever left unfilled, unless a fill fails, which
    /// must not hide the load's own error.
    /// </summary>
    public void Dispose()
    {
        if (_completed) return;
        try { Complete(); }
        catch (KerasNetException) { }
    }

    private void Close()
    {
        if (ReferenceEquals(_current, this)) _current = null;
    }
}
