using KerasNet.Models;

namespace KerasNet.Serving;

/// <summary>
/// One model being served: its URL name, its file, the loaded <see cref="Models.Model"/> (whose Predict runs on any
/// number of threads at once), its inputs and outputs as TF Serving's metadata lists them, and the image
/// preprocessing of <c>:classify-image</c> (from the sidecar file or the serve options).
/// </summary>
public sealed class ServedModel
{
    internal ServedModel(string name, string path, Model model, ImagePreprocessing? preprocessing, ServeOptions options)
    {
        Name = name;
        Path = path;
        Model = model;
        InputNames = model.InputNames.ToArray();
        OutputNames = model.OutputNames.ToArray();
        InputShapes = model.Inputs.Select(t => (int[])t.Shape.Clone()).ToArray();
        OutputShapes = model.Outputs.Select(t => (int[])t.Shape.Clone()).ToArray();
        Preprocessing = preprocessing;
        ClassNames = preprocessing?.ClassNames;
        LoadedAt = DateTimeOffset.UtcNow;
        Batcher = new Batcher(this, options);
    }

    /// <summary>The name in the URL (<c>/v1/models/{Name}</c>).</summary>
    public string Name { get; }
    /// <summary>The model file it was loaded from.</summary>
    public string Path { get; }
    /// <summary>The loaded model.</summary>
    public Model Model { get; }
    /// <summary>The input names (Keras's <c>model.input_names</c>): the keys of named inputs in requests.</summary>
    public IReadOnlyList<string> InputNames { get; }
    /// <summary>The output names (Keras's <c>model.output_names</c>): the keys of a multi-output model's answers.</summary>
    public IReadOnlyList<string> OutputNames { get; }
    /// <summary>Per-sample shape of each input (no batch dimension).</summary>
    public IReadOnlyList<int[]> InputShapes { get; }
    /// <summary>Per-sample shape of each output (no batch dimension).</summary>
    public IReadOnlyList<int[]> OutputShapes { get; }
    /// <summary>Class names of the (single) output's units, in index order, or null (classes named by index).</summary>
    public IReadOnlyList<string>? ClassNames { get; }
    /// <summary>How <c>:classify-image</c> prepares an image (null: the model's input size, its channels' colour mode, rescale 1/255).</summary>
    public ImagePreprocessing? Preprocessing { get; }
    /// <summary>When the model was loaded.</summary>
    public DateTimeOffset LoadedAt { get; }
    /// <summary>TF Serving's version number of this model (KerasNet serves one version per name: always 1).</summary>
    public long Version => 1;

    internal Batcher Batcher { get; }
}
