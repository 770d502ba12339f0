#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Saving;

namespace KerasNet.Models;

public partial class Model
{
    /// <summary>
    /// Set when a loaded config listed an InputLayer: the model is then a graph network whose to_json lists the
    /// InputLayer, even when its name looks like the implicit one Build creates.
    /// </summary>
    internal bool HasConfigInputLayer { get; set; }

    /// <summary>
    /// Keras's <c>model.get_config()</c>: a Sequential's layer list, a Functional model's network config (layers with
    /// their inbound nodes, input_layers, output_layers). This is what a model nested in another writes as its config.
    /// </summary>
    /// <returns>The config as a JSON object.</returns>
    public override JsonObject GetConfig() => ModelConfigWriter.Config(this);

    /// <summary>
    /// The model's architecture as tf.keras 2.4's <c>model.to_json()</c> writes it, byte for byte: class_name
    /// ("Sequential" or "Functional"), config (a Sequential's layers with the InputLayer tf.keras adds; a Functional
    /// model's layers with their inbound nodes, input_layers and output_layers; nested models in full),
    /// keras_version "2.4.0" and backend "tensorflow".
    /// </summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => PyJson.Dumps(ModelConfigWriter.ToJson(this));

    /// <summary>
    /// Saves architecture, weights, training config and optimizer state: <c>.h5</c>/<c>.hdf5</c> as tf.keras 2.4's
    /// legacy HDF5, <c>.keras</c> as a Keras 3 archive. The file is replaced atomically.
    /// </summary>
    /// <param name="path">The file: <c>.h5</c>/<c>.hdf5</c> or <c>.keras</c>.</param>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        ModelFiles.Save(this, path);
    }

    /// <summary>
    /// Saves the weights: legacy HDF5 for <c>.h5</c>/<c>.hdf5</c>, Keras 3's layout for <c>.weights.h5</c>.
    /// The file is replaced atomically.
    /// </summary>
    /// <param name="path">The file: <c>.h5</c>/<c>.hdf5</c> or <c>.weights.h5</c>.</param>
    public void SaveWeights(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        ModelFiles.SaveWeights(this, path);
    }

    /// <summary>
    /// Loads weights from a legacy <c>.h5</c> (in layer order, or matching layer names when
    /// <paramref name="byName"/>), a Keras 3 <c>.weights.h5</c> or a <c>.keras</c> archive. Every shape is checked
    /// before any weight changes; a mismatch names the layer and both shapes.
    /// </summary>
    /// <param name="path">The file: <c>.h5</c>/<c>.hdf5</c>, <c>.weights.h5</c> or <c>.keras</c>.</param>
    /// <param name="byName">Whether to match a legacy file's layers by name instead of order (Keras's <c>by_name</c>,
    /// default false).</param>
    public void LoadWeights(string path, bool byName = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        ModelFiles.LoadWeights(this, path, byName);
    }
}
