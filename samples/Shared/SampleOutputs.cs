using KerasNet.Engine;
using KerasNet.Models;
using KerasNet.Saving;

/// <summary>
/// The lines every sample ends with, as one call: Python's
/// <c>os.makedirs(out); model.save(out/NAME.h5); model.save(out/NAME.keras); np.save(out/x_sample*.npy, x[:n]);
/// np.save(out/predictions.npy, model.predict(x[:n])); for name in sorted(os.listdir(out)): print(name)</c>.
/// </summary>
internal static class SampleOutputs
{
    /// <summary>Saves the model in both Keras formats, the input samples and their predictions, and lists the folder.</summary>
    /// <param name="model">The trained model.</param>
    /// <param name="output">The output folder (created when missing).</param>
    /// <param name="sample">The sample's name: the model files are NAME.h5 and NAME.keras.</param>
    /// <param name="inputs">One (file name, batch) per model input, in the model's input order.</param>
    public static int Save(Model model, string output, string sample, params (string File, Tensor Batch)[] inputs)
    {
        Directory.CreateDirectory(output);
        model.Save(Path.Combine(output, sample + ".h5"));
        model.Save(Path.Combine(output, sample + ".keras"));
        foreach (var (file, batch) in inputs) Npy.Save(Path.Combine(output, file), batch);
        Npy.Save(Path.Combine(output, "predictions.npy"), model.PredictOnBatch(inputs.Select(i => i.Batch).ToArray())[0]);
        foreach (var name in Directory.GetFiles(output).Order(StringComparer.Ordinal)) Console.WriteLine(name);
        return 0;
    }
}
