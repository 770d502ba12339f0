#nullable enable
using KerasNet.Models;
using KerasNet.Saving;

namespace KerasNet;

/// <summary>
/// Keras's model functions: <c>keras.models.model_from_json</c>, <c>load_model</c> and <c>save_model</c>.
/// </summary>
public static partial class Keras
{
    /// <summary>
    /// Receives warnings (skipped optimizer weights, an unsupported training config); by default they go to
    /// standard error, as Python's warnings do. The sink of <see cref="KerasContext.Current"/>: setting it replaces the
    /// current context's sink only.
    /// </summary>
    public static Action<string> Warning
    {
        get => KerasContext.Current.Warning;
        set => KerasContext.Current.Warning = value;
    }

    internal static void Warn(string message) => KerasContext.Current.Warn(message);

    /// <summary>
    /// A symbolic input of the Functional API, as <c>keras.Input(shape=(28, 28, 1), name="image")</c>: the start of
    /// a graph that layers are applied to and <c>new Model(inputs, outputs)</c> closes.
    /// </summary>
    /// <param name="shape">The per-sample shape (no batch dimension); every dimension positive.</param>
    /// <param name="name">The input layer's name (default <c>input_1</c>, <c>input_2</c>, ... as tf.keras 2.4).</param>
    /// <param name="dtype">Only "float32". Keras's default <c>"float32"</c>; others (<c>"float16"</c>, <c>"int32"</c>,
    /// ...) are refused.</param>
    /// <returns>The symbolic tensor to apply layers to.</returns>
    public static Layers.KerasTensor Input(Shape shape, string? name = null, string dtype = "float32")
    {
        if (dtype != "float32") throw new KerasNetException($"Keras.Input: dtype '{dtype}' is not supported (only float32).");
        return new Layers.InputLayer(shape, name ?? KerasBackend.UniqueName("input", zeroBased: false)).Output;
    }

    /// <summary>
    /// Creates an uncompiled model from <c>to_json()</c> text written by Keras 1.x, 2.x or 3.x (or by
    /// <see cref="Model.ToJson"/>): a <see cref="Sequential"/>, or a <see cref="Model"/> for Functional/Model configs,
    /// with any nested models. Unknown layer classes and missing fields throw naming them.
    /// </summary>
    /// <param name="json">The JSON text of the architecture (<c>model.to_json()</c>).</param>
    /// <returns>The model, with freshly initialised weights.</returns>
    public static Model ModelFromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        const string source = "model JSON";
        var root = ModelConfigReader.ParseObject(json, source);
        var model = ModelConfigReader.Read(root, source);
        var (version, backend) = SavedBy.OfJson(root);
        SavedBy.Apply(model, version, backend);
        return model;
    }

    /// <summary>
    /// Loads a model saved by Keras or KerasNet: legacy <c>.h5</c>/<c>.hdf5</c> (Keras 1.x to 3.x) or <c>.keras</c>;
    /// a <see cref="Sequential"/> or a Functional <see cref="Model"/>, nested models included. When the file has a
    /// training config the model comes back compiled, with its optimizer state, so training resumes where it stopped.
    /// </summary>
    /// <param name="path">The <c>.h5</c>/<c>.hdf5</c> or <c>.keras</c> file.</param>
    /// <returns>The model, with the file's weights (compiled when the file has a training config).</returns>
    public static Model LoadModel(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return ModelFiles.Load(path);
    }

    /// <summary>Saves a model as <see cref="Model.Save"/> does.</summary>
    /// <param name="model">The model to save.</param>
    /// <param name="path">The file; <c>.h5</c>/<c>.hdf5</c> writes tf.keras 2.4's legacy HDF5, <c>.keras</c> a Keras 3
    /// archive.</param>
    public static void SaveModel(Model model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.Save(path);
    }
}
