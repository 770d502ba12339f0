using System.Text.Json.Nodes;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Losses;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Saving;
using KerasNet.Tests.Layers;
using KerasNet.Tests.Models;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Losses;

/// <summary>
/// sample_weight and class_weight through Fit and Evaluate: a Dense model trained two epochs by SGD against the same
/// training in PyTorch (losses_torch.py, fit cases) and, for class_weight, in tfjs-layers (losses_fit_tfjs.js).
/// </summary>
public class SampleWeightFitTests
{
    /// <summary>A fit setting: the model's shape, its loss, the data and the weights.</summary>
    internal sealed record Setup(string Label, Sequential Model, Loss Loss, string Activation, Tensor X, Tensor Y, Tensor SampleWeight,
        IDictionary<int, double>? ClassWeight, Tensor? UserWeight);

    private static Tensor OneHot(Random rng, int n, int c)
    {
        var t = new Tensor(n, c);
        for (int i = 0; i < n; i++) t[i * c + rng.Next(c)] = 1;
        return t;
    }

    private static Tensor ClassWeightsOf(Tensor y, IDictionary<int, double> cw, Tensor? sw)
    {
        int n = y.BatchSize, c = y.Rank == 2 ? y.Shape[1] : 1;
        var w = new Tensor(n);
        for (int i = 0; i < n; i++)
        {
            int k = c > 1 ? Enumerable.Range(0, c).MaxBy(j => y[i * c + j]) : (int)y[i];
            w[i] = (float)cw[k] * (sw?[i] ?? 1f);
        }
        return w;
    }

    internal static Setup Make(string label)
    {
        KerasRandom.SetRandomSeed(label.Length * 7 + 1);
        var rng = new Random(label.Length);
        var m = new Sequential();
        Tensor x, y, w;
        Loss loss;
        string act;
        IDictionary<int, double>? cw = null;
        Tensor? user = null;
        switch (label)
        {
            case "cce softmax per-sample":
                m.Add(new Dense(3, activation: act = "softmax", inputShape: 4));
                (x, y, w) = (Synthetic.Uniform(rng, -1, 1, 10, 4), OneHot(rng, 10, 3), Synthetic.Uniform(rng, 0, 2, 10));
                loss = Loss.Get("categorical_crossentropy");
                break;
            case "bce sigmoid per-sample":
                m.Add(new Dense(2, activation: act = "sigmoid", inputShape: 4));
                x = Synthetic.Uniform(rng, -1, 1, 10, 4);
                y = new Tensor(10, 2);
                for (int i = 0; i < y.Length; i++) y[i] = rng.Next(2);
                w = Synthetic.Uniform(rng, 0, 2, 10);
                loss = new BinaryCrossentropy(labelSmoothing: 0.1);
                break;
            case "mse temporal":
                m.Add(new Dense(2, inputShape: (3, 4)));
                act = "linear";
                (x, y, w) = (Synthetic.Uniform(rng, -1, 1, 6, 3, 4), Synthetic.Uniform(rng, -1, 1, 6, 3, 2), Synthetic.Uniform(rng, 0, 2, 6, 3));
                loss = Loss.Get("mse");
                break;
            case "huber per-sample over timesteps":
                m.Add(new Dense(2, inputShape: (3, 4)));
                act = "linear";
                (x, y, w) = (Synthetic.Uniform(rng, -2, 2, 6, 3, 4), Synthetic.Uniform(rng, -2, 2, 6, 3, 2), Synthetic.Uniform(rng, 0, 2, 6));
                loss = new Huber(0.7);
                break;
            case "sparse cce logits sum":
                m.Add(new Dense(3, inputShape: 4));
                act = "linear";
                x = Synthetic.Uniform(rng, -1, 1, 10, 4);
                y = new Tensor(10);
                for (int i = 0; i < 10; i++) y[i] = rng.Next(3);
                w = Synthetic.Uniform(rng, 0, 2, 10);
                loss = new SparseCategoricalCrossentropy(fromLogits: true, reduction: "sum");
                break;
            case "class weights cce":
            case "class and sample weights cce":
                m.Add(new Dense(3, activation: act = "softmax", inputShape: 4));
                (x, y) = (Synthetic.Uniform(rng, -1, 1, 10, 4), OneHot(rng, 10, 3));
                cw = new Dictionary<int, double> { [0] = 1.0, [1] = 2.5, [2] = 0.5 };
                if (label.StartsWith("class and")) user = Synthetic.Uniform(rng, 0, 2, 10);
                w = ClassWeightsOf(y, cw, user);
                loss = Loss.Get("categorical_crossentropy");
                break;
            default: throw new ArgumentException(label);
        }
        m.Compile(new SGD(0.1), loss);
        m.ProgressOutput = new StringWriter();
        return new Setup(label, m, loss, act, x, y, w, cw, user);
    }

    [SkippableTheory]
    [InlineData("cce softmax per-sample")]
    [InlineData("bce sigmoid per-sample")]
    [InlineData("mse temporal")]
    [InlineData("huber per-sample over timesteps")]
    [InlineData("sparse cce logits sum")]
    [InlineData("class weights cce")]
    [InlineData("class and sample weights cce")]
    public void TwoEpochsOfWeightedFitMatchTorch(string label)
    {
        Oracle.RequirePython("torch", "numpy");
        var s = Make(label);
        var dir = Oracle.TempDir();
        var kernel = s.Model.Weights[0].Value;
        var bias = s.Model.Weights[1].Value;
        Npy.Save(Path.Combine(dir, "0_k.npy"), kernel);
        Npy.Save(Path.Combine(dir, "0_b.npy"), bias);
        Npy.Save(Path.Combine(dir, "0_x.npy"), s.X);
        Npy.Save(Path.Combine(dir, "0_t.npy"), s.Y);
        Npy.Save(Path.Combine(dir, "0_w.npy"), s.SampleWeight);
        var spec = new JsonObject
        {
            ["fit"] = s.Loss.ClassName, ["config"] = s.Loss.GetConfig(), ["activation"] = s.Activation,
            ["lr"] = 0.1, ["batch_size"] = 4, ["epochs"] = 2,
        };
        File.WriteAllText(Path.Combine(dir, "cases.json"), new JsonArray(spec).ToJsonString());
        Oracle.RunPythonScript("losses_torch.py", dir);

        // Evaluate at the initial weights, all samples in one batch (class_weight is for training only).
        var initial = s.Model.Evaluate(s.X, s.Y, batchSize: 64, verbose: 0, sampleWeight: s.ClassWeight is null ? s.SampleWeight : null);
        if (s.ClassWeight is null) Assert.Equal(Npy.Load(Path.Combine(dir, "0_initial.npy"))[0], initial[0], 1e-5);

        var h = s.Model.Fit(s.X, s.Y, batchSize: 4, epochs: 2, verbose: 0, shuffle: false,
            classWeight: s.ClassWeight, sampleWeight: s.ClassWeight is null ? s.SampleWeight : s.UserWeight);
        var losses = Npy.Load(Path.Combine(dir, "0_losses.npy"));
        for (int e = 0; e < 2; e++) Assert.Equal(losses[e], h.history["loss"][e], 1e-5);
        OracleCompare.Close(Npy.Load(Path.Combine(dir, "0_k_after.npy")), kernel.ToArray(), label + ": kernel after 2 epochs");
        OracleCompare.Close(Npy.Load(Path.Combine(dir, "0_b_after.npy")), bias.ToArray(), label + ": bias after 2 epochs");
    }

    [SkippableFact]
    public void ClassWeightsMatchTfjsFit()
    {
        Oracle.RequireNodeTfjs();
        var s = Make("class weights cce");
        static JsonObject T(Tensor t) => new() { ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode?)d).ToArray()), ["values"] = new JsonArray(t.ToArray().Select(v => (JsonNode?)(double)v).ToArray()) };
        var kernel = s.Model.Weights[0].Value;
        var bias = s.Model.Weights[1].Value;
        var payload = new JsonObject
        {
            ["units"] = 3, ["activation"] = "softmax", ["loss"] = "categoricalCrossentropy",
            ["kernel"] = T(kernel), ["bias"] = T(bias), ["x"] = T(s.X), ["y"] = T(s.Y),
            ["class_weight"] = new JsonObject(s.ClassWeight!.Select(p => KeyValuePair.Create(p.Key.ToString(), (JsonNode?)p.Value))),
            ["lr"] = 0.1, ["batch_size"] = 4, ["epochs"] = 2,
        };
        var path = Path.Combine(Oracle.TempDir(), "payload.json");
        File.WriteAllText(path, payload.ToJsonString());
        var result = JsonNode.Parse(Oracle.RunNodeScript("losses_fit_tfjs.js", path))!;
        var h = s.Model.Fit(s.X, s.Y, batchSize: 4, epochs: 2, verbose: 0, shuffle: false, classWeight: s.ClassWeight);
        var k = result["kernel"]!.AsArray().Select(v => (float)v!.GetValue<double>()).ToArray();
        var b = result["bias"]!.AsArray().Select(v => (float)v!.GetValue<double>()).ToArray();
        OracleCompare.Close(new Tensor(k, kernel.Shape), kernel.ToArray(), "kernel vs tfjs");
        OracleCompare.Close(new Tensor(b, bias.Shape), bias.ToArray(), "bias vs tfjs");
        // tfjs's history loss is its mean over batches weighted by their size, as Keras's.
        var tl = result["loss"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        for (int e = 0; e < 2; e++) Assert.Equal(tl[e], h.history["loss"][e], 1e-5);
    }

    [Fact]
    public void TheDataSourcePathAndTheArrayPathTrainAlike()
    {
        var a = Make("mse temporal");
        var b = Make("mse temporal");
        Assert.Equal(a.Model.Weights[0].Value.ToArray(), b.Model.Weights[0].Value.ToArray());
        a.Model.Fit(a.X, a.Y, batchSize: 4, epochs: 2, verbose: 0, shuffle: false, sampleWeight: a.SampleWeight);
        b.Model.Fit(new ArraySequence(b.X, b.Y, 4, sampleWeight: b.SampleWeight), epochs: 2, verbose: 0);
        Assert.Equal(a.Model.Weights[0].Value.ToArray(), b.Model.Weights[0].Value.ToArray());
        // And the weights change the training: without them the result differs.
        var c = Make("mse temporal");
        c.Model.Fit(c.X, c.Y, batchSize: 4, epochs: 2, verbose: 0, shuffle: false);
        Assert.NotEqual(a.Model.Weights[0].Value.ToArray(), c.Model.Weights[0].Value.ToArray());
    }

    [Fact]
    public void ValidationDataAndValidationSplitCarryTheirSampleWeights()
    {
        var s = Make("cce softmax per-sample");
        var xv = Synthetic.Uniform(new Random(9), -1, 1, 5, 4);
        var yv = OneHot(new Random(10), 5, 3);
        var wv = Synthetic.Uniform(new Random(11), 0, 2, 5);
        var h = s.Model.Fit(s.X, s.Y, batchSize: 4, epochs: 1, verbose: 0, shuffle: false, validationData: (xv, yv),
            sampleWeight: s.SampleWeight, validationSampleWeight: wv);
        Assert.Equal(s.Model.Evaluate(xv, yv, verbose: 0, sampleWeight: wv)[0], h.history["val_loss"][0], 1e-6);
        Assert.NotEqual(s.Model.Evaluate(xv, yv, verbose: 0)[0], h.history["val_loss"][0], 1e-6);

        var t = Make("cce softmax per-sample");
        var h2 = t.Model.Fit(t.X, t.Y, batchSize: 4, epochs: 1, verbose: 0, shuffle: false, validationSplit: 0.3, sampleWeight: t.SampleWeight);
        // Keras's split keeps the last 30%: samples 7, 8, 9 with their weights.
        var tail = Enumerable.Range(7, 3);
        var xt = new Tensor(tail.SelectMany(i => t.X.ToArray().Skip(i * 4).Take(4)).ToArray(), 3, 4);
        var yt = new Tensor(tail.SelectMany(i => t.Y.ToArray().Skip(i * 3).Take(3)).ToArray(), 3, 3);
        var wt = new Tensor(tail.Select(i => t.SampleWeight[i]).ToArray(), 3);
        Assert.Equal(t.Model.Evaluate(xt, yt, verbose: 0, sampleWeight: wt)[0], h2.history["val_loss"][0], 1e-6);
    }

    [Fact]
    public void ClassWeightsAreCheckedAsKerasChecksThem()
    {
        var s = Make("class weights cce");
        Assert.Contains("keys 0 to", Assert.Throws<KerasNetException>(() =>
            s.Model.Fit(s.X, s.Y, verbose: 0, classWeight: new Dictionary<int, double> { [0] = 1, [2] = 1 })).Message);
        Assert.Contains("covers classes", Assert.Throws<KerasNetException>(() =>
            s.Model.Fit(s.X, s.Y, verbose: 0, classWeight: new Dictionary<int, double> { [0] = 1, [1] = 1 })).Message);
        var seq = Make("mse temporal");
        Assert.Contains("rank 3", Assert.Throws<KerasNetException>(() =>
            seq.Model.Fit(seq.X, seq.Y, verbose: 0, classWeight: new Dictionary<int, double> { [0] = 1 })).Message);
        Assert.Throws<ShapeMismatchException>(() => s.Model.Fit(s.X, s.Y, verbose: 0, sampleWeight: new Tensor(3)));
    }

    [Fact]
    public void ReductionNoneIsRefusedAtCompileButCallable()
    {
        var m = new Sequential();
        m.Add(new Dense(2, inputShape: 3));
        var none = new MeanSquaredError(reduction: "none");
        var ex = Assert.Throws<KerasNetException>(() => m.Compile(new SGD(), none));
        Assert.Contains("\"none\"", ex.Message);
        var per = none.Call(new Tensor([0f, 0, 1, 1], 2, 2), new Tensor([1f, 1, 1, 3], 2, 2), new Tensor([1f, 0.5f], 2));
        Assert.Equal([2], per.Shape);
        Assert.Equal([1f, 1f], per.ToArray()); // mean(1, 1) * 1 and mean(0, 4) * 0.5
        Assert.Throws<KerasNetException>(() => new Huber(reduction: "mean"));
    }
}
