#nullable enable
using KerasNet.Models;

namespace KerasNet.Layers;

/// <summary>Model-level operations of the recurrent layers.</summary>
public static class RecurrentModelExtensions
{
    /// <summary>
    /// Keras's <c>model.reset_states()</c>: sets the states of every stateful recurrent layer of the model (Bidirectional
    /// wrappers and nested models included) to zeros.
    /// </summary>
    /// <param name="model">The model whose stateful layers to reset.</param>
    public static void ResetStates(this Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var layer in model.Layers)
            switch (layer)
            {
                case Model inner: inner.ResetStates(); break;
                case RnnLayer { Stateful: true } rnn: rnn.ResetStates(); break;
                case Bidirectional { ForwardLayer.Stateful: true } bi: bi.ResetStates(); break;
            }
    }
}
