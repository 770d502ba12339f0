#nullable enable
using KerasNet.Engine;

namespace KerasNet.Layers;

// Keras masks for one call: what the layer was given (Keras's `mask` argument of call) and what it passes on
// (compute_mask's result). The arrays are created on first use, so a call in a graph without masks (an image model)
// never allocates them.
public sealed partial class CallContext
{
    private Tensor?[]? _inputMasks, _outputMasks, _maskBuffers;

    /// <summary>
    /// The mask of each input, as Keras passes <c>mask</c> to <c>call</c>: null for an unmasked input. A mask is a
    /// float tensor of 1 (keep) and 0 (masked) shaped as its input without the last axis, batch first: (batch,
    /// timesteps) for a (batch, timesteps, features) sequence. Set by the graph before the forward pass and kept
    /// until the next call, so the backward pass can read it; read-only for the layer.
    /// </summary>
    public Tensor?[] InputMasks => _inputMasks ??= new Tensor?[Inputs.Length];

    /// <summary>The mask of each output (null: unmasked), set by the layer's <see cref="Layer.ComputeMask"/>.</summary>
    public Tensor?[] OutputMasks => _outputMasks ??= new Tensor?[Outputs.Length];

    /// <summary>The first input's mask, or null, without allocating the mask arrays (for single-input layers).</summary>
    public Tensor? InputMask => _inputMasks?[0];

    /// <summary>The input masks as a span, empty when none were ever set (no allocation).</summary>
    internal ReadOnlySpan<Tensor?> InputMasksOrEmpty => _inputMasks;

    /// <summary>
    /// A mask tensor of this context for output <paramref name="output"/>, of exactly <paramref name="shape"/>,
    /// reused across calls (a layer that makes a mask of its own, as Embedding with mask_zero, writes it here).
    /// </summary>
    /// <param name="output">The 0-based output the mask belongs to.</param>
    /// <param name="shape">The mask's dimensions (batch, timesteps).</param>
    /// <returns>The mask tensor (contents unspecified until written).</returns>
    public Tensor MaskScratch(int output, params ReadOnlySpan<int> shape)
    {
        var buffers = _maskBuffers ??= new Tensor?[Outputs.Length];
        return buffers[output] = Tensor.Ensure(buffers[output], shape);
    }

    /// <summary>Whether masks were set on this context since the last <see cref="ClearMasks"/>.</summary>
    internal bool HasMasks { get; set; }

    /// <summary>Forgets the masks of the last call (its mask buffers stay for reuse).</summary>
    internal void ClearMasks()
    {
        if (_inputMasks != null) Array.Clear(_inputMasks);
        if (_outputMasks != null) Array.Clear(_outputMasks);
        HasMasks = false;
    }
}
