using System.Text.Json;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;
using static KerasNet.Tests.Models.GraphTestKit;

namespace KerasNet.Tests.Layers;

/// <summary>
/// The normalization layers inside models: against tfjs-layers (predictions and every weight after one SGD step,
/// the moving statistics included, from KerasNet's own to_json()), a frozen BatchNormalization in Fit, the summary
/// and its parameter split, .h5 / .keras round trips (and the files' weight layout read by h5py), Keras 1 files.
/// </summary>
public class NormalizationModelTests
{
    private const double PredictTol = 1e-5, WeightTol = 2e-6;

    /// <summary>Random weights through Assign (so caches see them): variances and gammas in [0.5, 1.5), the rest in [-0.5, 0.5).</summary>
    private static void SetWeights(Model m, int seed)
    {
        var r = new Random(seed);
        foreach (var w in m.Weights)
        {
            var (lo, hi) = w.Name is "gamma" or "moving_variance" ? (0.5, 1.5) : (-0.5, 0.5);
            w.Assign(Enumerable.Range(0, w.Size).Select(_ => (float)(lo + (hi - lo) * r.NextDouble())).ToArray());
        }
    }

    private static string[] Names(Model m) => m.Weights.Select(w => $"{w.LayerName}/{w.Name}").ToArray();

    /// <summary>Predictions here and in tfjs, then one SGD step (mse) here; returns tfjs's result and the weights before the step.</summary>
    private static (TfjsGraphOracle.Result tfjs, Dictionary<string, float[]> before) PredictAndStep(Model m, Tensor x, Tensor y, double lr = 0.1)
    {
        var before = Snapshot(m);
        var tfjs = TfjsGraphOracle.Run(m.ToJson(), m.Weights.Select(w => O(w.Value)).ToList(), [O(x)], [O(y)], ["mean_squared_error"], sgdLr: lr);
        Assert.Equal(Names(m), tfjs.WeightNames);
        Close(tfjs.Outputs[0].Values.Select(v => (double)v).ToList(), m.Predict(x).Span, PredictTol, "prediction");
        m.Compile(new SGD(lr), "mse");
        var logs = m.TrainOnBatch(new Batch(x, y));
        Assert.Equal(tfjs.Loss!.Value, logs[0], 1e-5);
        return (tfjs, before);
    }

    private static void WeightsMatch(Model m, TfjsGraphOracle.Result tfjs, params string[] except)
    {
        var names = Names(m);
        for (int i = 0; i < names.Length; i++)
            if (!except.Contains(names[i]))
                Close(tfjs.WeightsAfter![i].Values.Select(v => (double)v).ToList(), Var(m, names[i]).Value.Span, WeightTol, names[i] + " after one SGD step");
    }

    [SkippableFact]
    public void DenseBatchNormalizationDenseMatchesTfjsIncludingTheMovingStatistics()
    {
        Oracle.RequireNodeTfjs();
        var m = new Sequential([new Dense(4, inputShape: 3, name: "d1"), new BatchNormalization(momentum: 0.8, name: "bn"),
            new Dense(2, activation: "tanh", name: "d2")]);
        SetWeights(m, 1);
        Assert.Equal(["d1/kernel", "d1/bias", "bn/gamma", "bn/beta", "bn/moving_mean", "bn/moving_variance", "d2/kernel", "d2/bias"], Names(m));
        var r = new Random(2);
        var (tfjs, before) = PredictAndStep(m, Rand(r, -1, 1, 6, 3), Rand(r, -1, 1, 6, 2));
        WeightsMatch(m, tfjs); // 2-D input: the biased variance here, as in tfjs
        Assert.False(((BatchNormalization)m.GetLayer("bn")).UsesUnbiasedMovingVariance);
        Assert.NotEqual(before["bn/moving_variance"], Var(m, "bn/moving_variance").Value.ToArray());
    }

    /// <summary>
    /// Conv2D → BatchNormalization (4-D): tf.keras 2.4 feeds the moving variance n/(n-1) times the batch variance
    /// where tfjs feeds the batch variance, so (new - momentum * old) differs by exactly n/(n-1) (n = 4 * 3 * 3); the
    /// same model told to use the biased variance matches tfjs to the last weight.
    /// </summary>
    [SkippableFact]
    public void ConvBatchNormalizationMatchesTfjsUpToTheUnbiasedMovingVariance()
    {
        Oracle.RequireNodeTfjs();
        Sequential Make() => new([new Conv2D(3, (3, 3), inputShape: (5, 5, 2), name: "conv"), new BatchNormalization(momentum: 0.5, name: "bn"),
            new Flatten(name: "flat"), new Dense(2, name: "out")]);
        var m = Make();
        SetWeights(m, 3);
        var r = new Random(4);
        Tensor x = Rand(r, -1, 1, 4, 5, 5, 2), y = Rand(r, -1, 1, 4, 2);
        var biased = Make();
        biased.SetWeights(m.GetWeights());
        var (tfjs, before) = PredictAndStep(m, x, y);
        Assert.True(((BatchNormalization)m.GetLayer("bn")).UsesUnbiasedMovingVariance);
        WeightsMatch(m, tfjs, "bn/moving_variance");
        int mv = Array.IndexOf(Names(m), "bn/moving_variance");
        var ours = Var(m, "bn/moving_variance").Value.ToArray();
        for (int c = 0; c < 3; c++)
        {
            double old = before["bn/moving_variance"][c];
            double ratio = (ours[c] - 0.5 * old) / (tfjs.WeightsAfter![mv].Values[c] - 0.5 * old);
            Assert.Equal(36.0 / 35.0, ratio, 1e-4);
        }

        var bn = (BatchNormalization)biased.GetLayer("bn");
        bn.UnbiasedMovingVariance = false;
        biased.Compile(new SGD(0.1), "mse");
        biased.TrainOnBatch(new Batch(x, y));
        WeightsMatch(biased, tfjs);
    }

    [SkippableFact]
    public void LayerNormalizationOverTwoAxesMatchesTfjs()
    {
        Oracle.RequireNodeTfjs();
        var m = new Sequential([new Dense(6, inputShape: (4, 3), name: "d1"), new LayerNormalization(axis: new[] { 1, 2 }, name: "ln"),
            new Flatten(name: "flat"), new Dense(2, name: "d2")]);
        SetWeights(m, 5);
        Assert.Equal([4, 6], Var(m, "ln/gamma").Shape);
        var r = new Random(6);
        var (tfjs, _) = PredictAndStep(m, Rand(r, -1, 1, 5, 4, 3), Rand(r, -1, 1, 5, 2));
        WeightsMatch(m, tfjs);
    }

    /// <summary>
    /// A frozen BatchNormalization in Fit: it normalises with its moving statistics (the first step's loss is the loss
    /// of the model's own predictions) and none of its four weights changes; a trainable one does neither.
    /// </summary>
    [Fact]
    public void AFrozenBatchNormalizationKeepsItsStatisticsInFit()
    {
        foreach (bool frozen in new[] { true, false })
        {
            var m = new Sequential([new Dense(4, inputShape: 3, name: "d1"), new BatchNormalization(name: "bn", trainable: !frozen), new Dense(2, name: "d2")]);
            SetWeights(m, 7);
            var r = new Random(8);
            Tensor x = Rand(r, -1, 1, 16, 3), y = Rand(r, -1, 1, 16, 2);
            var p = m.Predict(x);
            double mse = 0;
            for (int i = 0; i < p.Length; i++) mse += (p[i] - y[i]) * (double)(p[i] - y[i]);
            mse /= p.Length;
            var before = Snapshot(m);
            m.Compile(new SGD(0.05), "mse");
            double loss = m.TrainOnBatch(new Batch(x, y))[0];
            m.Fit(x, y, batchSize: 4, epochs: 2, verbose: 0);
            var after = Snapshot(m);
            Assert.NotEqual(before["d1/kernel"], after["d1/kernel"]);
            foreach (var w in new[] { "bn/gamma", "bn/beta", "bn/moving_mean", "bn/moving_variance" })
                if (frozen) BitEqual(before[w], after[w], w);
                else Assert.NotEqual(before[w], after[w]);
            if (frozen) Assert.Equal(mse, loss, 1e-6);
            else Assert.True(Math.Abs(mse - loss) > 1e-3, $"trainable: training loss {loss} vs inference {mse}");
        }
    }

    [Fact]
    public void FitRefusesARegularizerItWouldIgnoreAndInferenceIgnoresIt()
    {
        var m = new Sequential([new Dense(3, inputShape: 2, name: "d"), new BatchNormalization(gammaRegularizer: new L2(1e-3), name: "bn_reg")]);
        m.Compile(new SGD(0.1), "mse");
        var x = new Tensor([1f, 2f, 3f, 4f], 2, 2);
        Assert.Equal(6, m.Predict(x).Length);
        var e = Assert.ThrowsAny<KerasNetException>(() => m.TrainOnBatch(new Batch(x, new Tensor(2, 3))));
        Assert.StartsWith("Layer 'bn_reg' has gamma_regularizer L2", e.Message);
        ((BatchNormalization)m.GetLayer("bn_reg")).GammaRegularizer = null;
        m.TrainOnBatch(new Batch(x, new Tensor(2, 3)));
    }

    [Fact]
    public void SummarySplitsTrainableAndNonTrainableParams()
    {
        var m = new Sequential([new Conv2D(8, (3, 3), inputShape: (8, 8, 3)), new BatchNormalization(), new Flatten(), new Dense(2)]);
        const string expected = """
            Model: "sequential"
            _________________________________________________________________
            Layer (type)                 Output Shape              Param #   
            =================================================================
            conv2d (Conv2D)              (None, 6, 6, 8)           224       
            _________________________________________________________________
            batch_normalization (BatchNo (None, 6, 6, 8)           32        
            _________________________________________________________________
            flatten (Flatten)            (None, 288)               0         
            _________________________________________________________________
            dense (Dense)                (None, 2)                 578       
            =================================================================
            Total params: 834
            Trainable params: 818
            Non-trainable params: 16
            _________________________________________________________________

            """;
        Assert.Equal(expected.ReplaceLineEndings("\n"), m.SummaryText());
        m.GetLayer("batch_normalization").Trainable = false;
        Assert.Contains("Trainable params: 802\nNon-trainable params: 32\n", m.SummaryText());
    }

    private static Sequential SavedModel()
    {
        var m = new Sequential([new Conv2D(4, (3, 3), inputShape: (6, 6, 2), name: "conv"), new BatchNormalization(name: "bn"),
            new Flatten(name: "flat"), new Dense(5, name: "d1"), new LayerNormalization(name: "ln"), new UnitNormalization(name: "unit"),
            new Dense(2, name: "d2")]);
        SetWeights(m, 9);
        m.Compile(new SGD(0.1), "mse");
        var r = new Random(10);
        m.TrainOnBatch(new Batch(Rand(r, -1, 1, 3, 6, 6, 2), Rand(r, -1, 1, 3, 2))); // the moving statistics move
        return m;
    }

    [Theory]
    [InlineData(".h5", true)]
    [InlineData(".keras", false)]
    public void SaveAndLoadKeepPredictionsWeightsConfigAndTheFilesVarianceRule(string ext, bool unbiased)
    {
        var m = SavedModel();
        var x = Rand(new Random(11), -1, 1, 4, 6, 6, 2);
        var dir = Oracle.TempDir();
        var path = Path.Combine(dir, "model" + ext);
        m.Save(path);
        var loaded = Keras.LoadModel(path);
        BitEqual(m.Predict(x).ToArray(), loaded.Predict(x).ToArray(), "prediction after " + ext);
        Assert.Equal(Names(m), Names((Model)loaded));
        foreach (var (a, b) in m.Weights.Zip(loaded.Weights)) BitEqual(a.Value.ToArray(), b.Value.ToArray(), a.FullName);
        Assert.Equal(m.ToJson(), loaded.ToJson());
        Assert.Equal(unbiased, ((BatchNormalization)loaded.GetLayer("bn")).UsesUnbiasedMovingVariance);
        Assert.True(((BatchNormalization)m.GetLayer("bn")).UsesUnbiasedMovingVariance);
        Directory.Delete(dir, true);
    }

    /// <summary>What h5py finds in the files: tf.keras 2.4's weight names in Keras's order, and Keras 3's vars/0..3.</summary>
    [SkippableFact]
    public void TheFilesHoldTheWeightsWhereKerasLooksForThem()
    {
        Oracle.RequirePython("h5py", "numpy");
        var m = SavedModel();
        var dir = Oracle.TempDir();
        m.Save(Path.Combine(dir, "m.h5"));
        m.Save(Path.Combine(dir, "m.keras"));
        var text = Oracle.RunPythonCode("""
            import sys, json, zipfile, io, h5py
            d = sys.argv[1]
            out = {}
            with h5py.File(d + "/m.h5", "r") as f:
                g = f["model_weights"]["bn"]
                names = [n.decode() if isinstance(n, bytes) else n for n in g.attrs["weight_names"]]
                out["names"] = names
                out["h5"] = [g[n][()].tolist() for n in names]
            with zipfile.ZipFile(d + "/m.keras") as z:
                cfg = json.loads(z.read("config.json"))
                bn = [l for l in cfg["config"]["layers"] if l["class_name"] == "BatchNormalization"][0]["config"]
                out["axis"], out["sync"], out["gamma_init"] = bn["axis"], bn["synchronized"], bn["gamma_initializer"]
                with h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as w:
                    v = w["layers"]["batch_normalization"]["vars"]
                    out["k3"] = [v[str(i)][()].tolist() for i in range(len(v))]
            print(json.dumps(out))
            """, dir);
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement;
        Assert.Equal(["bn/gamma:0", "bn/beta:0", "bn/moving_mean:0", "bn/moving_variance:0"], root.GetProperty("names").EnumerateArray().Select(e => e.GetString()!));
        var bn = (BatchNormalization)m.GetLayer("bn");
        var expected = new[] { bn.Gamma!, bn.Beta!, bn.MovingMean!, bn.MovingVariance! }.Select(v => v.Value.ToArray()).ToArray();
        foreach (var key in new[] { "h5", "k3" })
        {
            var arrays = root.GetProperty(key).EnumerateArray().Select(a => a.EnumerateArray().Select(e => e.GetSingle()).ToArray()).ToArray();
            Assert.Equal(expected.Length, arrays.Length);
            for (int i = 0; i < arrays.Length; i++) Assert.Equal(expected[i], arrays[i]);
        }
        Assert.Equal(-1, root.GetProperty("axis").GetInt32()); // Keras 3's BatchNormalization takes one int axis
        Assert.False(root.GetProperty("sync").GetBoolean());
        Assert.Equal("keras.initializers", root.GetProperty("gamma_init").GetProperty("module").GetString());
        Directory.Delete(dir, true);
    }

    [Fact]
    public void AConfigsKerasVersionDecidesTheVarianceRule()
    {
        var m = SavedModel();
        bool Rule(Model model) => ((BatchNormalization)model.GetLayer("bn")).UsesUnbiasedMovingVariance;
        Assert.True(Rule(Keras.ModelFromJson(m.ToJson())));
        Assert.False(Rule(Keras.ModelFromJson(PyJson.Dumps(ModelConfigWriter.Keras3(m, null))))); // Keras 3: biased
        var keras1 = m.ToJson().Replace("\"keras_version\": \"2.4.0\"", "\"keras_version\": \"1.2.2\"");
        Assert.NotEqual(m.ToJson(), keras1);
        Assert.False(Rule(Keras.ModelFromJson(keras1)));
        var theano = m.ToJson().Replace("\"backend\": \"tensorflow\"", "\"backend\": \"theano\"");
        Assert.False(Rule(Keras.ModelFromJson(theano)));
    }

    /// <summary>A Keras 1.2 file (written by h5py as Keras 1 saved it): mode 0, running_std loaded as the variance.</summary>
    [SkippableFact]
    public void AKeras1BatchNormalizationFileLoadsAndPredicts()
    {
        Oracle.RequirePython("h5py", "numpy");
        var dir = Oracle.TempDir();
        Oracle.RunPythonScript("norm_keras1_h5.py", dir);
        var m = Keras.LoadModel(Path.Combine(dir, "k1_bn.h5"));
        var bn = (BatchNormalization)m.GetLayer("batchnormalization_1");
        Assert.False(bn.UsesUnbiasedMovingVariance);
        Assert.Equal(-1, bn.Axis.Values.Single());
        OracleCompare.Close(Npy.Load(Path.Combine(dir, "expected.npy")), m.Predict(Npy.Load(Path.Combine(dir, "x.npy"))).ToArray(), "Keras 1 prediction");
        Directory.Delete(dir, true);
    }
}
