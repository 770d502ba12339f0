using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Tests.TestUtil;
using static KerasNet.Tests.Models.GraphTestKit;

namespace KerasNet.Tests.Layers;

/// <summary>
/// The preprocessing layers inside models: Keras 2.4's summary text and parameter counts, save/load through .h5
/// and .keras keeping predictions and the adapted Normalization state, training through an augmentation layer, and
/// tfjs-layers (an independent Keras, which has Rescaling and CenterCrop) reading KerasNet's to_json and agreeing
/// on predictions and on the weights after one SGD step.
/// </summary>
public class PreprocessingModelTests
{
    /// <summary>Rescaling -> Resizing -> RandomFlip -> Normalization (adapted) -> Conv2D, on 32 x 32 x 3 images.</summary>
    private static Sequential ImageModel()
    {
        KerasBackend.ClearSession();
        var norm = new Normalization();
        var m = new Sequential([new Rescaling(1.0 / 255, inputShape: (32, 32, 3)), new Resizing(16, 16), new RandomFlip(seed: 1), norm, new Conv2D(4, 3)]);
        norm.Adapt(Rand(new Random(1), 0, 1, 10, 16, 16, 3));
        var adapted = norm.Weights.Select(w => w.Value.ToArray()).ToList();
        SetRandomWeights(m, 2);
        for (int i = 0; i < adapted.Count; i++) norm.Weights[i].Assign(adapted[i]); // keep the adapted statistics
        return m;
    }

    [Fact]
    public void SummaryPrintsKeras24RowsAndCountsNormalizationStateAsNonTrainable()
    {
        var m = ImageModel();
        var expected = string.Join("\n",
            "Model: \"sequential\"",
            new string('_', 65),
            "Layer (type)                 Output Shape              Param #   ",
            new string('=', 65),
            "rescaling (Rescaling)        (None, 32, 32, 3)         0         ",
            new string('_', 65),
            "resizing (Resizing)          (None, 16, 16, 3)         0         ",
            new string('_', 65),
            "random_flip (RandomFlip)     (None, 16, 16, 3)         0         ",
            new string('_', 65),
            "normalization (Normalization (None, 16, 16, 3)         7         ",
            new string('_', 65),
            "conv2d (Conv2D)              (None, 14, 14, 4)         112       ",
            new string('=', 65),
            "Total params: 119",
            "Trainable params: 112",
            "Non-trainable params: 7",
            new string('_', 65));
        Assert.Equal(expected, m.SummaryText().TrimEnd('\n').Replace("\r\n", "\n"));
        Assert.Equal(["mean", "variance", "count"], m.Layers[3].Weights.Select(w => w.Name));
        Assert.All(m.Layers[3].Weights, w => Assert.False(w.Trainable));
        Assert.Equal([[3], [3], []], m.Layers[3].Weights.Select(w => w.Shape));
    }

    [Theory]
    [InlineData("model.h5")]
    [InlineData("model.keras")]
    public void SaveAndLoadKeepPredictionsConfigsAndTheAdaptedStatistics(string file)
    {
        var m = ImageModel();
        var x = Rand(new Random(3), 0, 255, 4, 32, 32, 3);
        var before = m.Predict(x).ToArray();
        var path = Path.Combine(Oracle.TempDir(), file);
        m.Save(path);
        var loaded = Keras.LoadModel(path);
        Assert.Equal(m.Layers.Select(l => l.GetConfig().ToJsonString()), loaded.Layers.Select(l => l.GetConfig().ToJsonString()));
        Assert.Equal(m.Layers.Select(l => l.GetType()), loaded.Layers.Select(l => l.GetType()));
        for (int i = 0; i < m.Weights.Count; i++)
            BitEqual(m.Weights[i].Value.ToArray(), loaded.Weights[i].Value.ToArray(), m.Weights[i].FullName);
        BitEqual(before, loaded.Predict(x).ToArray(), $"predictions after {file}");
        Assert.Equal(10f * 16 * 16, loaded.Layers[3].Weights[2].Value[0]); // count: values averaged per statistic
    }

    [Fact]
    public void TrainingThroughAugmentationLayersReachesTheWeightsBelowThem()
    {
        // Dense -> Rescaling -> ... cannot make images, so a Conv2D sits below the augmentation layers: its gradient
        // flows back through RandomRotation, RandomContrast, RandomFlip and CenterCrop.
        KerasBackend.ClearSession();
        var m = new Sequential([new Conv2D(3, 1, inputShape: (8, 8, 2)), new RandomRotation(0.2, seed: 1), new RandomContrast(0.3, seed: 2, valueRange: (-100, 100)),
            new RandomFlip(seed: 3), new CenterCrop(6, 6), new Flatten(), new Dense(2)]);
        SetRandomWeights(m, 4);
        var kernel = m.Layers[0].Weights[0].Value.ToArray();
        m.Compile(new SGD(0.1), "mse");
        var logs = m.TrainOnBatch(new Batch(Rand(new Random(5), -1, 1, 4, 8, 8, 2), Rand(new Random(6), -1, 1, 4, 2)));
        Assert.True(double.IsFinite(logs[0]));
        Assert.NotEqual(kernel, m.Layers[0].Weights[0].Value.ToArray());
    }

    // ---- tfjs-layers ----

    [SkippableFact]
    public void RescalingModelMatchesTfjsPredictionsAndOneSgdStep()
    {
        Oracle.RequireNodeTfjs();
        KerasBackend.ClearSession();
        var m = new Sequential([new Conv2D(3, 3, inputShape: (6, 6, 2), name: "conv"), new Rescaling(0.5, -0.25, name: "rescale"),
            new Flatten(name: "flat"), new Dense(2, name: "out")], name: "rescaled");
        SetRandomWeights(m, 7);
        var x = Rand(new Random(8), -1, 1, 5, 6, 6, 2);
        var y = Rand(new Random(9), -1, 1, 5, 2);
        var names = KernelBias("conv", "out");
        var tfjs = TfjsGraphOracle.Run(m.ToJson(), WeightsInOrder(m, names), [O(x)], [O(y)], ["mean_squared_error"], sgdLr: 0.1);
        Close(tfjs.Outputs[0].Values.Select(v => (double)v).ToList(), m.PredictOnBatch(x)[0].Span, 1e-5, "predictions");
        m.Compile(new SGD(0.1), "mse");
        var logs = m.TrainOnBatch(new Batch(x, y));
        Assert.Equal(tfjs.Loss!.Value, logs[0], 1e-5);
        // The conv kernel's step went back through Rescaling's input gradient (scale 0.5).
        for (int i = 0; i < names.Length; i++)
            Close(tfjs.WeightsAfter![i].Values.Select(v => (double)v).ToList(), Var(m, names[i]).Value.Span, 2e-6, names[i] + " after one SGD step");
    }

    [SkippableFact]
    public void CenterCropModelMatchesTfjsPredictions()
    {
        Oracle.RequireNodeTfjs();
        KerasBackend.ClearSession();
        // Width margins of 0, 2 or 3 only: tfjs's CenterCrop moves a 1-pixel margin to 1 (Keras: 0), and it has no
        // gradient (CropAndResize), so only predictions are compared.
        foreach (var (h, w, ch, cw) in new[] { (8, 9, 4, 6), (7, 7, 3, 7), (9, 8, 5, 5) })
        {
            var m = new Sequential([new Conv2D(2, 1, inputShape: (h, w, 2), name: "conv"), new CenterCrop(ch, cw, name: "crop"),
                new Flatten(name: "flat"), new Dense(3, name: "out")], name: "cropped");
            SetRandomWeights(m, h * w);
            var x = Rand(new Random(h), -1, 1, 3, h, w, 2);
            var tfjs = TfjsGraphOracle.Run(m.ToJson(), WeightsInOrder(m, KernelBias("conv", "out")), [O(x)]);
            Close(tfjs.Outputs[0].Values.Select(v => (double)v).ToList(), m.PredictOnBatch(x)[0].Span, 1e-5, $"CenterCrop({ch}, {cw}) of {h}x{w} predictions");
        }
    }
}
