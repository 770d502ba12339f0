#nullable enable
using KerasNet.Engine;

namespace KerasNet.Data;

/// <summary>A batch of inputs and (optional) targets. Tensors may be reused by the source for its next batch.</summary>
public readonly record struct Batch(Tensor X, Tensor? Y)
{
    /// <summary>A batch for a model with several inputs and/or outputs (in the model's order).</summary>
    public Batch(Tensor[] xs, Tensor[]? ys) : this(xs[0], ys?[0])
    {
        Xs = xs.Length > 1 ? xs : null;
        Ys = ys is { Length: > 1 } ? ys : null;
    }

    /// <summary>Every input of the batch, when the model has more than one (else null: use <see cref="X"/>).</summary>
    public Tensor[]? Xs { get; init; }

    /// <summary>Every target of the batch, when the model has more than one output (else null: use <see cref="Y"/>).</summary>
    public Tensor[]? Ys { get; init; }

    /// <summary>
    /// Keras's <c>sample_weight</c> of the batch (optional): one weight per sample, shape (batch,), or per sample and
    /// timestep, shape (batch, timesteps), for sequence outputs. It weighs every output's loss (not the metrics).
    /// </summary>
    public Tensor? SampleWeight { get; init; }
}

/// <summary>
/// A source of batches for Fit, Evaluate and Predict, like <c>keras.utils.Sequence</c>:
/// a fixed number of batches per epoch, random access, and a hook at the end of each epoch (to reshuffle).
/// </summary>
public interface IDataSequence
{
    /// <summary>Batches per epoch (Python's <c>len(seq)</c>).</summary>
    int Count { get; }

    /// <summary>Total samples per epoch.</summary>
    int Samples { get; }

    /// <summary>Batch <paramref name="index"/> of the current epoch's order.</summary>
    Batch GetBatch(int index);

    /// <summary>Called after every epoch (Keras's <c>on_epoch_end</c>).</summary>
    void OnEpochEnd();
}
