using System.Text.RegularExpressions;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using NumSharp;
using static KerasNet.Tests.Models.GraphTestKit;

namespace KerasNet.Tests.Models;

/// <summary>
/// The multi-input/multi-output API: Fit/Evaluate/Predict with lists and with dictionaries keyed by input and
/// output name, tf.keras 2.4's log names and their order (History keys, the progress line), errors for wrong counts
/// and names, feature extractors from a Sequential's layers, GetLayer, and layer.Input/Output.
/// </summary>
public class GraphMultiIOApiTests
{
    /// <summary>in_a(3), in_b(2) -> Dense "trunk" on each... two classification outputs named dense_1 and dense_2.</summary>
    private static Model TwoByTwo(int seed = 1)
    {
        KerasBackend.ClearSession();
        var a = Keras.Input(3, name: "in_a");
        var b = Keras.Input(2, name: "in_b");
        var ha = new Dense(5, activation: "relu", name: "dense").Apply(a);
        var m = new Model([a, b], [
            new Dense(3, activation: "softmax", name: "dense_1").Apply(ha),
            new Dense(2, activation: "softmax", name: "dense_2").Apply(new Dense(4, activation: "tanh", name: "dense_3").Apply(b))],
            name: "two_by_two");
        SetRandomWeights(m, seed);
        m.ProgressOutput = new StringWriter();
        return m;
    }

    private static (NDArray a, NDArray b, NDArray y1, NDArray y2) Data(int n, int seed)
    {
        var r = new Random(seed);
        return (Rand(r, -1, 1, n, 3).ToNDArray(), Rand(r, -1, 1, n, 2).ToNDArray(), OneHot(n, 3, seed).ToNDArray(), OneHot(n, 2, seed + 1).ToNDArray());
    }

    private static void SameArrays(IReadOnlyList<NDArray> expected, IReadOnlyList<NDArray> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].shape, actual[i].shape);
            BitEqual(expected[i].ToArray<float>(), actual[i].ToArray<float>(), $"array {i}");
        }
    }

    [Fact]
    public void ListsAndDictionariesByNameGiveTheSameFitEvaluateAndPredict()
    {
        var (a, b, y1, y2) = Data(24, 2);
        var byList = TwoByTwo();
        var byDict = TwoByTwo();
        byList.Compile(new SGD(0.1), ["categorical_crossentropy", "categorical_crossentropy"], ["accuracy"], [1.0, 0.5]);
        byDict.Compile(new SGD(0.1), new Dictionary<string, string> { ["dense_2"] = "categorical_crossentropy", ["dense_1"] = "categorical_crossentropy" },
            new Dictionary<string, string[]> { ["dense_1"] = ["accuracy"], ["dense_2"] = ["accuracy"] },
            new Dictionary<string, double> { ["dense_2"] = 0.5 });
        Assert.Equal(byList.LossWeights, byDict.LossWeights);

        var h1 = byList.Fit([a, b], [y1, y2], batchSize: 8, epochs: 2, verbose: 0, shuffle: false);
        // Keys in any order: matched by name, not position.
        var h2 = byDict.Fit(new Dictionary<string, NDArray> { ["in_b"] = b, ["in_a"] = a },
            new Dictionary<string, NDArray> { ["dense_2"] = y2, ["dense_1"] = y1 }, batchSize: 8, epochs: 2, verbose: 0, shuffle: false);

        Assert.Equal(h1.history.Keys, h2.history.Keys);
        foreach (var k in h1.history.Keys) Assert.Equal(h1.history[k], h2.history[k]);
        SameArrays(byList.GetWeights(), byDict.GetWeights());

        var e1 = byList.Evaluate([a, b], [y1, y2], batchSize: 5, verbose: 0);
        var e2 = byDict.Evaluate(new Dictionary<string, NDArray> { ["in_a"] = a, ["in_b"] = b },
            new Dictionary<string, NDArray> { ["dense_1"] = y1, ["dense_2"] = y2 }, batchSize: 5, verbose: 0);
        Assert.Equal(e1, e2);
        Assert.Equal(5, e1.Length); // loss, dense_1_loss, dense_2_loss, dense_1_accuracy, dense_2_accuracy
        Assert.Equal(e1[1] + 0.5 * e1[2], e1[0], 1e-6);

        var p1 = byList.Predict([a, b], batchSize: 7);
        var p2 = byDict.Predict(new Dictionary<string, NDArray> { ["in_b"] = b, ["in_a"] = a }, batchSize: 7);
        SameArrays(p1, p2);
        Assert.Equal([24, 3], p1[0].shape.Select(d => (int)d));
        Assert.Equal([24, 2], p1[1].shape.Select(d => (int)d));
        // Batch by batch equals one batch of everything (the model computes each sample alone).
        var whole = byList.PredictOnBatch(NDArrays.ToTensor(a), NDArrays.ToTensor(b));
        for (int o = 0; o < 2; o++) Close(whole[o].ToArray().Select(v => (double)v).ToList(), p1[o].ToArray<float>(), 1e-6, $"output {o}");
    }

    [Fact]
    public void HistoryKeysAndProgressLineFollowTfKeras24ForTwoOutputs()
    {
        var (a, b, y1, y2) = Data(16, 3);
        var (va, vb, vy1, vy2) = Data(8, 4);
        var m = TwoByTwo();
        m.Compile("adam", ["categorical_crossentropy", "categorical_crossentropy"], ["accuracy"]);
        var output = new StringWriter();
        m.ProgressOutput = output;

        var h = m.Fit([a, b], [y1, y2], batchSize: 8, epochs: 2, verbose: 1, validationData: ([va, vb], [vy1, vy2]));

        // tf.keras 2.4: compiled_loss.metrics (loss, then each output's loss) then compiled_metrics per output;
        // Fit's epoch logs then add the validation logs, each name prefixed by val_.
        string[] train = ["loss", "dense_1_loss", "dense_2_loss", "dense_1_accuracy", "dense_2_accuracy"];
        Assert.Equal(train, m.MetricsNames);
        Assert.Equal(train.Concat(train.Select(k => "val_" + k)), h.history.Keys);
        Assert.All(h.history.Values, v => Assert.Equal(2, v.Count));
        for (int e = 0; e < 2; e++)
        {
            Assert.Equal(h.history["dense_1_loss"][e] + h.history["dense_2_loss"][e], h.history["loss"][e], 1e-6);
            Assert.Equal(h.history["val_dense_1_loss"][e] + h.history["val_dense_2_loss"][e], h.history["val_loss"][e], 1e-6);
        }
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("Epoch 1/2", lines[0]);
        var epochLine = lines[1];
        Assert.Matches(@"^2/2 \[={30}\] - \d+s \d+(ms|us|s)/step - loss: \d+\.\d{4} - ", epochLine);
        var names = Regex.Matches(epochLine, @" - ([a-z_0-9]+): ").Select(x => x.Groups[1].Value).ToList();
        Assert.Equal(h.history.Keys, names);
        // The values printed are those of the History, as '%.4f'.
        Assert.Contains(" - val_dense_2_accuracy: " + h.history["val_dense_2_accuracy"][0].ToString("F4", System.Globalization.CultureInfo.InvariantCulture), epochLine);

        // Metrics for one output only (a dictionary): only its metric is logged.
        var m2 = TwoByTwo();
        m2.Compile("adam", new Dictionary<string, string> { ["dense_1"] = "categorical_crossentropy", ["dense_2"] = "categorical_crossentropy" },
            new Dictionary<string, string[]> { ["dense_2"] = ["accuracy"] });
        var h2 = m2.Fit([a, b], [y1, y2], batchSize: 8, verbose: 0);
        Assert.Equal(["loss", "dense_1_loss", "dense_2_loss", "dense_2_accuracy"], h2.history.Keys);
    }

    [Fact]
    public void OneOutputModelsKeepUnprefixedNames()
    {
        KerasBackend.ClearSession();
        var x = Keras.Input(3);
        var m = new Model(x, new Dense(2, activation: "softmax").Apply(x));
        m.Compile("adam", "categorical_crossentropy", ["accuracy"]);
        var r = new Random(5);
        var h = m.Fit(Rand(r, -1, 1, 8, 3), OneHot(8, 2), batchSize: 4, verbose: 0, validationData: (Rand(r, -1, 1, 4, 3), OneHot(4, 2)));
        Assert.Equal(["loss", "accuracy", "val_loss", "val_accuracy"], h.history.Keys);
        Assert.Equal(["input_1"], m.InputNames);
        Assert.Equal(["dense"], m.OutputNames);
    }

    [Fact]
    public void WrongCountsAndNamesAreClearErrors()
    {
        var (a, b, y1, y2) = Data(8, 6);
        var m = TwoByTwo();
        m.Compile("adam", "categorical_crossentropy", ["accuracy"]);

        var e = Assert.ThrowsAny<KerasNetException>(() => m.Predict([a], batchSize: 4));
        Assert.Contains("expects 2 input(s) (in_a, in_b) but received 1", e.Message);
        e = Assert.ThrowsAny<KerasNetException>(() => m.Fit([a, b], [y1], verbose: 0));
        Assert.Contains("has 2 output(s) (dense_1, dense_2) but 1 target array(s)", e.Message);
        e = Assert.ThrowsAny<KerasNetException>(() => m.Evaluate([a, b], [y1], verbose: 0));
        Assert.Contains("1 target array(s)", e.Message);
        // Swapped inputs: the shapes name the input.
        e = Assert.ThrowsAny<KerasNetException>(() => m.Predict([b, a], batchSize: 4));
        Assert.Contains("input 'in_a' of shape (None, 3)", e.Message);
        // Different sample counts.
        e = Assert.ThrowsAny<KerasNetException>(() => m.Predict([a, Data(5, 1).b], batchSize: 8));
        Assert.Contains("samples", e.Message);
        // A single array for a multi-output model's Predict.
        var x1 = Keras.Input(3, name: "solo");
        var oneIn = new Model(x1, new Dense(2, name: "d").Apply(x1));
        var twoOut = new Model([x1], [oneIn.GetLayer("d").Output, new Dense(1, name: "d_b").Apply(x1)]);
        e = Assert.ThrowsAny<KerasNetException>(() => twoOut.Predict(a, batchSize: 4));
        Assert.Contains("has 2 outputs", e.Message);

        // An output that does not come from the inputs given.
        var other = Keras.Input(3, name: "other");
        e = Assert.ThrowsAny<KerasNetException>(() => new Model(x1, new Dense(2).Apply(other)));
        Assert.Contains("Graph disconnected", e.Message);
        Assert.Contains("\"other\"", e.Message);

        // Dictionaries: unknown names and missing names are named.
        e = Assert.ThrowsAny<KerasNetException>(() => m.Predict(new Dictionary<string, NDArray> { ["in_a"] = a, ["in_c"] = b }));
        Assert.Contains("No input named 'in_c'", e.Message);
        Assert.Contains("[in_a, in_b]", e.Message);
        e = Assert.ThrowsAny<KerasNetException>(() => m.Predict(new Dictionary<string, NDArray> { ["in_a"] = a }));
        Assert.Contains("Missing data for input 'in_b'", e.Message);
        e = Assert.ThrowsAny<KerasNetException>(() => m.Fit(new Dictionary<string, NDArray> { ["in_a"] = a, ["in_b"] = b },
            new Dictionary<string, NDArray> { ["dense_1"] = y1, ["dense"] = y2 }, verbose: 0));
        Assert.Contains("No output named 'dense'", e.Message);
        Assert.Contains("[dense_1, dense_2]", e.Message);

        // Compile: per-output lists of the wrong length, dictionaries naming no output or missing one.
        var m3 = TwoByTwo();
        m3.Compile("adam", ["mse", "mse", "mse"]);
        e = Assert.ThrowsAny<KerasNetException>(() => m3.Fit([a, b], [y1, y2], verbose: 0));
        Assert.Contains("2 outputs but Compile was given 3 losses", e.Message);
        m3.Compile("adam", "mse", lossWeights: [1.0]);
        e = Assert.ThrowsAny<KerasNetException>(() => m3.Fit([a, b], [y1, y2], verbose: 0));
        Assert.Contains("2 outputs but Compile was given 1 loss weights", e.Message);
        e = Assert.ThrowsAny<KerasNetException>(() => m3.Compile("adam", new Dictionary<string, string> { ["dense_1"] = "mse", ["out"] = "mse" }));
        Assert.Contains("names output 'out'", e.Message);
        e = Assert.ThrowsAny<KerasNetException>(() => m3.Compile("adam", new Dictionary<string, string> { ["dense_1"] = "mse", ["dense_2"] = "mse" },
            lossWeights: new Dictionary<string, double> { ["dense_9"] = 2 }));
        Assert.Contains("loss_weights names output 'dense_9'", e.Message);
    }

    [Fact]
    public void TwoOutputsOfOneLayerGetUniqueNamesAsTfKeras24()
    {
        KerasBackend.ClearSession();
        var x = Keras.Input(3, name: "x");
        var d = new Dense(3, activation: "tanh", name: "dense");
        var h1 = d.Apply(x);
        var h2 = d.Apply(h1);
        var m = new Model([x], [h1, h2, new Dense(2, name: "dense_1").Apply(h2)]);
        // tf.keras 2.4's _set_output_names: "dense"; "dense" again -> "dense_1"; then layer dense_1's own name is
        // taken by the second output -> "dense_1_1".
        Assert.Equal(["dense", "dense_1", "dense_1_1"], m.OutputNames);
        m.Compile("sgd", "mse");
        var r = new Random(7);
        var xs = Rand(r, -1, 1, 4, 3);
        var h = m.Fit([xs], [Rand(r, -1, 1, 4, 3), Rand(r, -1, 1, 4, 3), Rand(r, -1, 1, 4, 2)], verbose: 0);
        Assert.Equal(["loss", "dense_loss", "dense_1_loss", "dense_1_1_loss"], h.history.Keys);
        // Dictionaries use the unique names.
        var p = m.Predict(new Dictionary<string, NDArray> { ["x"] = xs.ToNDArray() });
        Assert.Equal(3, p.Length);
    }

    [Fact]
    public void FeatureExtractorFromASequentialEqualsRunningItsFirstLayersByHand()
    {
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(3);
        var model = new Sequential();
        model.Add(new Conv2D(4, (3, 3), inputShape: (10, 10, 2), activation: "relu"));
        model.Add(new MaxPooling2D(poolSize: (2, 2)));
        model.Add(new Conv2D(5, (3, 3), activation: "relu"));
        model.Add(new Flatten());
        model.Add(new Dense(2, activation: "softmax"));
        Assert.Equal(["conv2d", "max_pooling2d", "conv2d_1", "flatten", "dense"], model.Layers.Select(l => l.Name));

        var extractor = new Model(model.Inputs, model.GetLayer("conv2d_1").Output);
        Assert.Equal(["conv2d_input", "conv2d", "max_pooling2d", "conv2d_1"], extractor.Layers.Select(l => l.Name));
        Assert.Equal([2, 2, 5], extractor.Outputs[0].Shape);
        var r = new Random(4);
        var x = Rand(r, 0, 1, 6, 10, 10, 2);

        Tensor ByHand()
        {
            var t = x;
            for (int i = 0; i < 3; i++) t = model.Layers[i].Call(t);
            return t;
        }

        var features = extractor.Predict(x.ToNDArray(), batchSize: 6).ToArray<float>();
        BitEqual(ByHand().ToArray(), features, "conv2d_1 activations");
        // The extractor shares the model's layers: training the model changes the features the same way.
        model.Compile(new Adam(0.05), "categorical_crossentropy");
        model.Fit(x, OneHot(6, 2), batchSize: 3, verbose: 0);
        var after = extractor.PredictOnBatch(x)[0].ToArray();
        Assert.NotEqual(features, after);
        BitEqual(ByHand().ToArray(), after, "conv2d_1 activations after training");

        // A new head on the model's own output tensor (Keras's model.output), sharing every layer.
        var head = new Model(model.Input, new Dense(3, activation: "softmax", name: "new_head").Apply(model.Output));
        Assert.Equal([3], head.Outputs[0].Shape);
        Assert.Equal(model.Weights.Count + 2, head.Weights.Count);
        Assert.Same(model.Weights[0], head.Weights[0]);
    }

    [Fact]
    public void GetLayerByNameAndIndex()
    {
        var m = TwoByTwo();
        // tf.keras 2.4's model.layers: by decreasing depth, inputs first, then by first visit from the outputs.
        Assert.Equal(["in_a", "in_b", "dense", "dense_3", "dense_1", "dense_2"], m.Layers.Select(l => l.Name));
        Assert.Same(m.Layers[2], m.GetLayer("dense"));
        Assert.Same(m.GetLayer("dense_3"), m.GetLayer(3));
        Assert.IsType<InputLayer>(m.GetLayer(0));
        var e = Assert.ThrowsAny<KerasNetException>(() => m.GetLayer("dense_9"));
        Assert.Contains("no layer named 'dense_9'", e.Message);
        e = Assert.ThrowsAny<KerasNetException>(() => m.GetLayer(6));
        Assert.Contains("has 6 layers; index 6 is out of range", e.Message);
        e = Assert.ThrowsAny<KerasNetException>(() => m.GetLayer(-1));
        Assert.Contains("index -1", e.Message);
        // A Sequential's layers leave the input out (as Keras's).
        var s = new Sequential();
        s.Add(new Dense(2, inputShape: 3, name: "only"));
        Assert.Same(s.Layers[0], s.GetLayer(0));
        Assert.Equal("only_input", s.InputLayer!.Name);
        Assert.ThrowsAny<KerasNetException>(() => s.GetLayer("only_input"));
    }

    [Fact]
    public void InputAndOutputOfLayersAndModels()
    {
        KerasBackend.ClearSession();
        var uncalled = new Dense(3, name: "lonely");
        var e = Assert.ThrowsAny<KerasNetException>(() => uncalled.Output);
        Assert.Contains("'lonely' has never been called", e.Message);
        Assert.Contains("output", e.Message);
        e = Assert.ThrowsAny<KerasNetException>(() => uncalled.Input);
        Assert.Contains("input", e.Message);
        // An eager call (on a tensor) is not a graph call.
        uncalled.Call(new Tensor(2, 4));
        Assert.ThrowsAny<KerasNetException>(() => uncalled.Output);

        var x = Keras.Input(4, name: "x");
        var d = new Dense(3, name: "d");
        var y1 = d.Apply(x);
        var y2 = d.Apply(Keras.Input(4, name: "x2"));
        Assert.Same(y1, d.Output); // the first call's, as Keras
        Assert.Same(x, d.Input);
        Assert.NotSame(y2, d.Output);
        Assert.Equal("KerasTensor(shape=(None, 3), dtype=float32, name='d')", y1.ToString());

        // A model's Input/Output are its own tensors, also once called inside another model.
        var inner = new Model(x, y1, name: "inner");
        Assert.Same(x, inner.Input);
        Assert.Same(y1, inner.Output);
        var z = inner.Apply(Keras.Input(4, name: "outer_in"));
        Assert.NotSame(z, inner.Output);
        Assert.Same(y1, inner.Output);
        var two = new Model([x], [y1, new Dense(1).Apply(x)]);
        e = Assert.ThrowsAny<KerasNetException>(() => two.Output);
        Assert.Contains("has 2 outputs: use Outputs", e.Message);
        var empty = new Sequential(name: "empty");
        e = Assert.ThrowsAny<KerasNetException>(() => empty.Output);
        Assert.Contains("'empty' has not been built yet", e.Message);
    }
}
