#nullable enable
using KerasNet.Engine;

namespace KerasNet.Data;

/// <summary>A batch of inputs and (optional) targets. Tensors may be reused by the source for its next batch.</summary>
/// <param name="X">The inputs of the batch, batch axis first (the first input of a multi-input model).</param>
/// <param name="Y">The targets, batch axis first, or null for a batch without targets (prediction).</param>
public readonly record struct Batch(Tensor X, Tensor? Y)
{
    /// <summary>A batch for a model with several inputs and/or outputs (in the model's order).</summary>
    /// <param name="xs">Each input's batch, in the model's input order, batch axis first.</param>
    /// <param name="ys">Each output's targets, in the model's output order; null for none.</param>
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
    /// <param name="index">The batch index, from 0 to <see cref="IDataSequence.Count"/> - 1.</param>
    /// <returns>The batch; its tensors may be reused by the next call.</returns>
    Batch GetBatch(int index);

    /// <summary>Called after every epoch (Keras's <c>on_epoch_end</c>).</summary>
    void OnEpochEnd();
}
