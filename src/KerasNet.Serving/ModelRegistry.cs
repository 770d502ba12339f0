using System.Collections.Concurrent;
using KerasNet.Models;

namespace KerasNet.Serving;

/// <summary>The served models by name; safe to read and add to from any thread.</summary>
public sealed class ModelRegistry : IDisposable
{
    private readonly ConcurrentDictionary<string, ServedModel> _models = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();

    /// <summary>The model names in the order they were added.</summary>
    public IReadOnlyList<string> Names => _order.ToArray();

    /// <summary>The models in the order they were added.</summary>
    public IReadOnlyList<ServedModel> All => _order.Select(n => _models[n]).ToArray();

    /// <summary>The model named <paramref name="name"/>, or false.</summary>
    public bool TryGet(string name, out ServedModel model) => _models.TryGetValue(name, out model!);

    /// <summary>
    /// Loads <paramref name="path"/> (.h5, .hdf5 or .keras, with weights) as <paramref name="name"/>; its sidecar
    /// <see cref="ImagePreprocessing"/> file is read when present and <paramref name="options"/>' preprocessing
    /// overrides its fields.
    /// </summary>
    public ServedModel Load(string name, string path, ServeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!File.Exists(path)) throw new KerasNetException($"{path}: model file not found (model '{name}').");
        string ext = System.IO.Path.GetExtension(path).ToLowerInvariant();
        if (ext is not (".h5" or ".hdf5" or ".keras"))
            throw new KerasNetException($"{path}: serve needs a whole-model file (.h5, .hdf5 or .keras), got '{ext}'.");
        Model model = Keras.LoadModel(path);
        if (model.Inputs.Count == 0) throw new KerasNetException($"{path}: the model has no inputs (it was never built).");
        string sidecar = ImagePreprocessing.SidecarPath(path);
        var pre = File.Exists(sidecar) ? ImagePreprocessing.Read(sidecar) : null;
        if (options.Preprocessing != null) pre = (pre ?? new ImagePreprocessing()).With(options.Preprocessing);
        var served = new ServedModel(name, path, model, pre, options);
        Add(served);
        return served;
    }

    /// <summary>Adds a loaded model; a second model of the same name is an error.</summary>
    public void Add(ServedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!_models.TryAdd(model.Name, model)) throw new KerasNetException($"A model named '{model.Name}' is already served.");
        _order.Enqueue(model.Name);
    }

    /// <summary>Stops every model's batch threads (queued requests are answered first).</summary>
    public void Dispose()
    {
        foreach (var m in _models.Values) m.Batcher.Dispose();
    }
}
