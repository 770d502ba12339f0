#nullable enable
using PureHDF;
using KerasNet.Layers;
using KerasNet.Models;

namespace KerasNet.Saving;

/// <summary>
/// Chooses the file format from the file name, as Keras does, and runs the matching writer or reader:
/// <c>.h5</c>/<c>.hdf5</c> legacy HDF5, <c>.weights.h5</c> Keras 3 weights, <c>.keras</c> Keras 3 archive.
/// </summary>
internal static class ModelFiles
{
    private static bool Ends(string path, string ext) => path.EndsWith(ext, StringComparison.OrdinalIgnoreCase);

    private static bool IsLegacyH5(string path) => Ends(path, ".h5") || Ends(path, ".hdf5");

    private static void RequireBuilt(Model model, string path)
    {
        if (!model.Built) throw new KerasNetException($"{path}: model '{model.Name}' is not built yet (no input shape): give the first layer an inputShape or call Build first.");
    }

    /// <summary><c>model.save(path)</c>.</summary>
    public static void Save(Model model, string path)
    {
        RequireBuilt(model, path);
        if (Ends(path, ".keras")) KerasArchive.Save(model, path);
        else if (Ends(path, ".weights.h5")) throw new KerasNetException($"{path}: a '.weights.h5' name is for SaveWeights; use '.h5' or '.keras' to save the whole model.");
        else if (IsLegacyH5(path)) SaveLegacy(model, path);
        else throw new KerasNetException($"{path}: unknown model file extension; use '.h5', '.hdf5' or '.keras'.");
    }

    private static void SaveLegacy(Model model, string path)
    {
        var file = new H5File();
        file.Attributes["keras_version"] = ModelConfigWriter.KerasVersion;
        file.Attributes["backend"] = "tensorflow";
        file.Attributes["model_config"] = PyJson.Dumps(ModelConfigWriter.Keras2(model));
        if (TrainingConfig.Keras2(model) is { } tc) file.Attributes["training_config"] = PyJson.Dumps(tc);
        var weights = new H5Group();
        LegacyH5Weights.Write(weights, model);
        file["model_weights"] = weights;
        OptimizerState.WriteLegacy(file, model);
        WriteH5(file, path);
    }

    private static void WriteH5(H5File file, string path) => AtomicFile.Write(path, stream => stream.Write(ToBytes(file, path)));

    /// <summary>The HDF5 image of a write tree (PureHDF needs a readable, seekable stream, which AtomicFile's is not).</summary>
    internal static byte[] ToBytes(H5File file, string path)
    {
        using var ms = new MemoryStream();
        try { file.Write(ms); }
        catch (Exception e) when (e is not KerasNetException)
        {
            throw new KerasNetException(PureHdfAot.IsMissingNativeCode(e) ? $"{path}: cannot write the HDF5 file: {PureHdfAot.Explain("write", e)}"
                : $"{path}: cannot write the HDF5 file ({e.Message}).", e);
        }
        return ms.ToArray();
    }

    /// <summary><c>model.save_weights(path)</c>: legacy h5, or Keras 3's store for <c>.weights.h5</c>.</summary>
    public static void SaveWeights(Model model, string path)
    {
        RequireBuilt(model, path);
        if (Ends(path, ".weights.h5")) WriteH5(Keras3Weights.Build(model, includeOptimizer: model.IsCompiled), path);
        else if (IsLegacyH5(path))
        {
            var file = new H5File();
            LegacyH5Weights.Write(file, model);
            WriteH5(file, path);
        }
        else throw new KerasNetException($"{path}: unknown weights file extension; use '.h5', '.hdf5' or '.weights.h5'.");
    }

    /// <summary><c>model.load_weights(path, by_name)</c> for legacy h5, <c>.weights.h5</c> and <c>.keras</c>.</summary>
    public static void LoadWeights(Model model, string path, bool byName)
    {
        RequireBuilt(model, path);
        if (Ends(path, ".keras"))
        {
            using var archive = KerasArchive.Open(path);
            using var store = archive.Weights(KerasArchive.MaxWeightsFileBytes(model), $"model '{model.Name}'");
            Keras3Weights.Read(store, model, includeOptimizer: false);
            return;
        }
        using var r = H5Reader.Open(path);
        if (r.Group(r.Root, "layers") != null && !r.HasAttribute(r.Root, "layer_names")) Keras3Weights.Read(r, model, includeOptimizer: false);
        else LegacyH5Weights.Read(r, r.Group(r.Root, "model_weights") ?? r.Root, model, byName);
    }

    /// <summary><c>keras.models.load_model(path)</c>: the model, compiled with its optimizer state when the file has them.</summary>
    public static Model Load(string path)
    {
        if (Ends(path, ".keras")) return LoadArchive(path);
        if (Ends(path, ".weights.h5"))
            throw new KerasNetException($"{path}: a '.weights.h5' file holds only weights; build the model (or Keras.ModelFromJson) and call LoadWeights.");
        using var r = H5Reader.Open(path);
        var configText = r.StringAttribute(r.Root, "model_config")
            ?? throw new InvalidModelFileException(path, "no 'model_config' attribute: the file holds only weights; build the model and call LoadWeights.");
        // The file's weights overwrite every initializer's values: their fills wait and run only for what it lacks.
        using var deferred = DeferredInit.Begin();
        var model = ModelConfigReader.Read(ModelConfigReader.ParseObject(configText, $"{path} (model_config)"), $"{path} (model_config)",
            maxParams: new FileInfo(path).Length / 4, kerasVersion: r.StringAttribute(r.Root, "keras_version"));
        var weights = r.Group(r.Root, "model_weights")
            ?? throw new InvalidModelFileException(path, "no 'model_weights' group.");
        LegacyH5Weights.Read(r, weights, model, byName: false);
        deferred?.Complete();
        var origin = LegacyH5Weights.OriginOf(r, r.Root);
        SavedBy.Apply(model, origin.KerasVersion, origin.Backend);
        if (r.StringAttribute(r.Root, "training_config") is { } tc
            && TrainingConfig.Apply(model, ModelConfigReader.ParseObject(tc, $"{path} (training_config)"), path))
            OptimizerState.ReadLegacy(r, model);
        return model;
    }

    private static Model LoadArchive(string path)
    {
        using var archive = KerasArchive.Open(path);
        string source = $"{path}!config.json";
        var root = ModelConfigReader.ParseObject(archive.ConfigJson, source);
        using var deferred = DeferredInit.Begin();
        var model = ModelConfigReader.Read(root, source, maxParams: new FileInfo(path).Length, kerasVersion: archive.KerasVersion);
        bool compiled = root["compile_config"] is System.Text.Json.Nodes.JsonObject cc && TrainingConfig.Apply(model, cc, source);
        using var weights = archive.Weights(KerasArchive.MaxWeightsFileBytes(model), $"the model in config.json ('{model.Name}', {model.CountParams()} weights)");
        Keras3Weights.Read(weights, model, includeOptimizer: compiled);
        deferred?.Complete();
        SavedBy.Apply(model, "3", null);
        return model;
    }
}
