#nullable enable
using KerasNet.Applications;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;
using Microsoft.ML.OnnxRuntime;

namespace KerasNet.Tests.Models;

/// <summary>
/// Inference against ONNX Runtime: onnx_export.py rebuilds each model in PyTorch from nothing but its
/// <c>ToJson()</c> and per-layer .npy weights, exports it to ONNX, and ONNX Runtime's own kernels (not KerasNet's,
/// not torch's) compute the reference outputs that <see cref="Sequential.Predict(Tensor)"/> must match.
/// </summary>
public class OnnxOracleTests
{
    private const double Tolerance = 1e-5;

    [SkippableFact]
    public void TutorialCnnPredictMatchesOnnxRuntime()
    {
        Oracle.RequirePython("torch", "numpy");
        KerasRandom.SetRandomSeed(1234);
        var model = TutorialCnn.Build(imageSize: 32);
        TrainTwoSteps(model, classes: 2);
        var onnx = Export(model);
        AssertMatches(model, onnx, "TutorialCnn(32)");
    }

    /// <summary>
    /// The keras.io MNIST convnet, whose convolutions run fused with their max pools at inference (13 and 11 rows:
    /// the second pool leaves a row and a column over), with 5 and 40 filters so neither fills whole filter panels.
    /// </summary>
    [SkippableFact]
    public void FusedConvolutionPoolingMatchesOnnxRuntime()
    {
        Oracle.RequirePython("torch", "numpy");
        KerasRandom.SetRandomSeed(21);
        var model = new Sequential();
        model.Add(new Conv2D(5, (3, 3), activation: "relu", inputShape: (28, 28, 1)));
        model.Add(new MaxPooling2D((2, 2)));
        model.Add(new Conv2D(40, (3, 3), activation: "relu"));
        model.Add(new MaxPooling2D((2, 2)));
        model.Add(new Flatten());
        model.Add(new Dropout(0.5));
        model.Add(new Dense(10, activation: "softmax"));
        TrainTwoSteps(model, classes: 10);
        var onnx = Export(model);
        AssertMatches(model, onnx, "MNIST convnet");
        Assert.Equal(2, model.Graph!.FusablePoolPairs);
    }

    [SkippableFact]
    public void SamePaddingStridesAveragePoolingAndDropoutMatchOnnxRuntime()
    {
        Oracle.RequirePython("torch", "numpy");
        KerasRandom.SetRandomSeed(99);
        var model = PaddingModel();
        TrainTwoSteps(model, classes: 3);
        var onnx = Export(model);
        AssertMatches(model, onnx, "padding model");
    }

    /// <summary>
    /// The negative control: the same export with TensorFlow's odd 'same' padding placed on the wrong side must be
    /// far outside the tolerance, so the comparison above really checks the padding geometry.
    /// </summary>
    [SkippableFact]
    public void MisplacedSamePaddingInTheOracleIsDetected()
    {
        Oracle.RequirePython("torch", "numpy");
        KerasRandom.SetRandomSeed(99);
        var model = PaddingModel();
        var onnx = Export(model, "--mutate", "same-padding");
        double diff;
        try
        {
            using var session = OnnxRuntimeOracle.Open(onnx);
            var x = Synthetic.Uniform(new Random(5), -1f, 1f, [5, .. model.InputShape!]);
            diff = OnnxRuntimeOracle.MaxAbsDiff(model.Predict(x).ToArray(), OnnxRuntimeOracle.Run(session, x));
        }
        finally { DeleteExport(onnx); }
        Assert.True(diff > 100 * Tolerance, $"a misplaced 'same' padding changed the outputs by only {diff:E2}");
    }

    /// <summary>
    /// Even-sized maps with strides 2 make every 'same' padding asymmetric (TensorFlow puts the odd row/column
    /// after the data), and the average pool has windows that overlap the padding, which Keras leaves out of the mean.
    /// </summary>
    private static Sequential PaddingModel()
    {
        var m = new Sequential();
        m.Add(new Conv2D(5, (3, 3), strides: (2, 2), padding: "same", inputShape: (12, 10, 3), activation: "relu"));
        m.Add(new AveragePooling2D((3, 3), strides: (2, 2), padding: "same"));
        m.Add(new Conv2D(4, (2, 2), padding: "same", activation: "tanh"));
        m.Add(new MaxPooling2D((2, 2), padding: "same"));
        m.Add(new Flatten());
        m.Add(new Dropout(0.5));
        m.Add(new Dense(6, activation: "tanh"));
        m.Add(new Dense(3, activation: "sigmoid"));
        return m;
    }

    /// <summary>Two SGD steps, so the exported weights are trained ones (biases non-zero) rather than initial.</summary>
    private static void TrainTwoSteps(Sequential model, int classes)
    {
        model.Compile(new SGD(0.05), classes == 2 ? "categorical_crossentropy" : "binary_crossentropy");
        model.ProgressOutput = new StringWriter();
        var rng = new Random(3);
        var x = Synthetic.Uniform(rng, 0f, 1f, [8, .. model.InputShape!]);
        var y = new Tensor(8, classes);
        for (int i = 0; i < 8; i++) y[i * classes + i % classes] = 1;
        var before = model.Weights.Last().Value.ToArray();
        model.Fit(x, y, batchSize: 4, epochs: 1, verbose: 0, shuffle: false);
        Assert.NotEqual(before, model.Weights.Last().Value.ToArray());
    }

    /// <summary>Writes model.json and {layer}__{weight}.npy, runs the oracle, returns the .onnx path.</summary>
    private static string Export(Sequential model, params string[] oracleArgs)
    {
        var dir = Oracle.TempDir();
        File.WriteAllText(Path.Combine(dir, "model.json"), model.ToJson());
        foreach (var layer in model.Layers)
            foreach (var w in layer.Weights)
                Npy.Save(Path.Combine(dir, $"{layer.Name}__{w.Name}.npy"), w.Value);
        Oracle.RunPythonScript("onnx_export.py", [dir, .. oracleArgs]);
        return Path.Combine(dir, "model.onnx");
    }

    /// <summary>The TutorialCnn export is about 40 MB: remove each export's folder once the session is closed.</summary>
    private static void DeleteExport(string onnxPath) => Directory.Delete(Path.GetDirectoryName(onnxPath)!, recursive: true);

    private static void AssertMatches(Sequential model, string onnxPath, string what)
    {
        try { CompareBatches(model, onnxPath, what); }
        finally { DeleteExport(onnxPath); }
    }

    private static void CompareBatches(Sequential model, string onnxPath, string what)
    {
        using var session = OnnxRuntimeOracle.Open(onnxPath);
        var rng = new Random(11);
        foreach (int batch in new[] { 1, 5 })
        {
            var x = Synthetic.Uniform(rng, -1f, 2f, [batch, .. model.InputShape!]);
            var expected = OnnxRuntimeOracle.Run(session, x);
            var actual = model.Predict(x);
            Assert.Equal([batch, .. model.OutputShape!], actual.Shape);
            Assert.Equal(expected.Length, actual.Length);
            double diff = OnnxRuntimeOracle.MaxAbsDiff(expected, actual.ToArray());
            Assert.True(diff <= Tolerance, $"{what}, batch {batch}: KerasNet differs from ONNX Runtime by {diff:E2} (> {Tolerance:E0})");
        }
    }



}
