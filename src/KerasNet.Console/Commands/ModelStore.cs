#nullable enable
using KerasNet.Models;

namespace KerasNet.ConsoleApp.Commands;

/// <summary>A model named on the command line: a Keras model file, or a JSON architecture with an optional weights file.</summary>
public sealed record ModelSource(string Path, string? Weights = null)
{
    /// <summary>Whether <see cref="Path"/> is a JSON architecture (no weights inside).</summary>
    public bool IsJson => ModelStore.Kind(Path) == ModelFileKind.Json;

    /// <summary>Loads the model (with weights when the source has them).</summary>
    public Model Load()
    {
        ModelStore.RequireFile(Path, "model file");
        if (!IsJson) return Keras.LoadModel(Path);
        Model model;
        // model_from_json only sees the text, so its messages get the file's name here.
        try { model = Keras.ModelFromJson(ModelStore.ReadText(Path)); }
        catch (KerasNetException e) when (!e.Message.Contains(Path, StringComparison.Ordinal))
        {
            throw new KerasNetException($"{Path}: {e.Message}", e);
        }
        if (Weights != null)
        {
            ModelStore.RequireFile(Weights, "weights file");
            model.LoadWeights(Weights);
        }
        return model;
    }
}

/// <summary>What a model file holds, by its extension.</summary>
public enum ModelFileKind
{
    /// <summary>Keras's HDF5 model (<c>.h5</c>, <c>.hdf5</c>).</summary>
    Hdf5,
    /// <summary>Keras 3's zip (<c>.keras</c>).</summary>
    Keras,
    /// <summary>The architecture only (<c>model.to_json()</c>).</summary>
    Json,
    /// <summary>A NumPy array (<c>.npy</c>).</summary>
    Npy,
}

/// <summary>Reading and writing models by file extension, with messages that name the file.</summary>
public static class ModelStore
{
    /// <summary>The kind of file by extension; an unknown extension is an error naming the file.</summary>
    public static ModelFileKind Kind(string path) => System.IO.Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".h5" or ".hdf5" => ModelFileKind.Hdf5,
        ".keras" => ModelFileKind.Keras,
        ".json" => ModelFileKind.Json,
        ".npy" => ModelFileKind.Npy,
        _ => throw new KerasNetException($"{path}: unknown model file type '{System.IO.Path.GetExtension(path)}'; use .h5, .hdf5, .keras or .json."),
    };

    /// <summary>Whether <paramref name="path"/> names a whole-model file (.h5, .hdf5, .keras), the formats that keep the training config.</summary>
    public static bool IsFullModel(string path) => System.IO.Path.GetExtension(path).ToLowerInvariant() is ".h5" or ".hdf5" or ".keras";

    /// <summary>Throws a KerasNetException naming the file when it does not exist.</summary>
    public static void RequireFile(string path, string what)
    {
        if (Directory.Exists(path)) throw new KerasNetException($"{path}: {what} expected, but this is a folder.");
        if (!File.Exists(path)) throw new KerasNetException($"{path}: {what} not found.");
        // A named pipe or a device would make the reader wait forever.
        if (Saving.RegularFile.Problem(path) is { } problem) throw new KerasNetException($"{path}: {what} expected, but this {problem["is ".Length..]}");
    }

    /// <summary>Reads a text file, turning I/O failures into KerasNetExceptions that name it.</summary>
    public static string ReadText(string path)
    {
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KerasNetException($"{path}: cannot read the file ({e.Message}).", e);
        }
    }

    /// <summary>
    /// Saves <paramref name="model"/> as <paramref name="path"/>'s extension says: the full model for .h5/.hdf5/.keras;
    /// for .json the architecture, with the weights in <paramref name="weightsPath"/> (default: beside it, <c>NAME.weights.h5</c>).
    /// Returns the files written.
    /// </summary>
    public static IReadOnlyList<string> Save(Model model, string path, string? weightsPath = null)
    {
        switch (Kind(path))
        {
            case ModelFileKind.Json:
                weightsPath ??= System.IO.Path.ChangeExtension(path, ".weights.h5");
                Saving.AtomicFile.WriteAllText(path, model.ToJson());
                model.SaveWeights(weightsPath);
                return [path, weightsPath];
            case ModelFileKind.Npy:
                throw new KerasNetException($"{path}: a model cannot be saved as .npy; use .h5, .hdf5, .keras or .json.");
            default:
                if (weightsPath != null) throw new UsageException("--weights applies only when the output is a .json architecture.");
                model.Save(path);
                return [path];
        }
    }
}
