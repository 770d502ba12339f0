#nullable enable
using KerasNet.Saving;

namespace KerasNet.Models;

public partial class Model
{
    /// <summary>This model as the Sequential the file formats below support so far, or a clear refusal.</summary>
    internal Sequential SavableSequential(string what) => this as Sequential
        ?? throw new KerasNetException($"Model '{Name}' ({ClassName}): {what} of Functional models is not supported yet; only Sequential models can be saved.");

    /// <summary>
    /// Set when a loaded config listed an InputLayer: the model is then a graph network whose to_json lists the
    /// InputLayer, even when its name looks like the implicit one Build creates.
    /// </summary>
    internal bool HasConfigInputLayer { get; set; }


    /// <summary>
    /// The model's architecture as tf.keras 2.4's <c>model.to_json()</c> writes it, byte for byte: class_name,
    /// config (with the InputLayer tf.keras adds), keras_version "2.4.0" and backend "tensorflow".
    /// </summary>
    public string ToJson() => PyJson.Dumps(ModelConfigWriter.ToJson(SavableSequential("to_json")));

    /// <summary>
    /// Saves architecture, weights, training config and optimizer state: <c>.h5</c>/<c>.hdf5</c> as tf.keras 2.4's
    /// legacy HDF5, <c>.keras</c> as a Keras 3 archive. The file is replaced atomically.
    /// </summary>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        ModelFiles.Save(SavableSequential("saving"), path);
    }

    /// <summary>
    /// Saves the weights: legacy HDF5 for <c>.h5</c>/<c>.hdf5</c>, Keras 3's layout for <c>.weights.h5</c>.
    /// The file is replaced atomically.
    /// </summary>
    public void SaveWeights(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        ModelFiles.SaveWeights(SavableSequential("saving weights"), path);
    }

    /// <summary>
    /// Loads weights from a legacy <c>.h5</c> (in layer order, or matching layer names when
    /// <paramref name="byName"/>), a Keras 3 <c>.weights.h5</c> or a <c>.keras</c> archive. Every shape is checked
    /// before any weight changes; a mismatch names the layer and both shapes.
    /// </summary>
    public void LoadWeights(string path, bool byName = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        ModelFiles.LoadWeights(SavableSequential("loading weights"), path, byName);
    }
}
