using System.Text.Json.Nodes;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;
using Xunit.Abstractions;
using static KerasNet.Tests.Models.GraphTestKit;

namespace KerasNet.Tests.Layers;

/// <summary>
/// TimeDistributed: forward and gradients against PyTorch (Oracles/seq_torch.py: the Dense or Conv2D applied to every
/// timestep) and finite differences; predictions and one SGD step against tfjs-layers; the fold is views (no copies);
/// weights under the wrapper's name (.h5 and Keras 3 layouts checked with h5py); masks as tf.keras 2.4's
/// compute_mask; configs of every Keras generation; summary; .h5/.keras round trips.
/// </summary>
public class TimeDistributedTests(ITestOutputHelper log)
{
    private void CloseToOracle(string dir, int i, string name, float[] actual, string what)
    {
        var expected = Npy.Load(Path.Combine(dir, $"{i}_{name}.npy"));
        double max = 0;
        for (int k = 0; k < Math.Min(expected.Length, actual.Length); k++) max = Math.Max(max, Math.Abs(expected[k] - actual[k]));
        log.WriteLine($"{what}: max |diff| {max:E2}");
        OracleCompare.Close(expected, actual, what);
    }

    private static (TimeDistributed td, Tensor x, Tensor r) Case(Layer inner, int seed, params int[] inputShape)
    {
        var r = new Random(seed);
        var td = new TimeDistributed(inner);
        td.Build(inputShape[1..]);
        foreach (var w in td.Weights)
            for (int i = 0; i < w.Size; i++) w.Value[i] = (float)(r.NextDouble() - 0.5);
        return (td, Rand(r, -1, 1, inputShape), Rand(r, -1, 1, ShapeUtil.WithBatch(inputShape[0], td.OutputShape!)));
    }

    [SkippableFact]
    public void DenseAndConv2DOnEveryStepMatchPyTorch()
    {
        Oracle.RequirePython("torch", "numpy");
        var dir = Oracle.TempDir();
        var specs = new JsonArray();
        var cases = new (string Label, Func<Layer> Inner, int[] Shape, JsonObject Spec)[]
        {
            ("TimeDistributed(Dense relu)", () => new Dense(3, activation: "relu"), [2, 4, 5], new JsonObject { ["kind"] = "td_dense", ["activation"] = "relu" }),
            ("TimeDistributed(Dense softmax)", () => new Dense(4, activation: "softmax"), [3, 2, 3], new JsonObject { ["kind"] = "td_dense", ["activation"] = "softmax" }),
            ("TimeDistributed(Conv2D)", () => new Conv2D(3, (2, 2)), [2, 3, 4, 5, 2], new JsonObject { ["kind"] = "td_conv2d" }),
        };
        var results = new List<(float[] y, float[] dx, float[] dk, float[] db)>();
        for (int i = 0; i < cases.Length; i++)
        {
            var (td, x, r) = Case(cases[i].Inner(), 30 + i, cases[i].Shape);
            var ctx = new CallContext();
            var y = td.Call(ctx, x, training: true).ToArray();
            var dx = td.Backward(ctx, r, needInputGrad: true)!.ToArray();
            Assert.Equal(x.Shape, td.Backward(ctx, r, needInputGrad: true)!.Shape);
            results.Add((y, dx, td.Weights[0].Grad.ToArray(), td.Weights[1].Grad.ToArray()));
            Npy.Save(Path.Combine(dir, $"{i}_x.npy"), x);
            Npy.Save(Path.Combine(dir, $"{i}_r.npy"), r);
            Npy.Save(Path.Combine(dir, $"{i}_kernel.npy"), td.Weights[0].Value);
            Npy.Save(Path.Combine(dir, $"{i}_bias.npy"), td.Weights[1].Value);
            specs.Add(cases[i].Spec);
        }
        File.WriteAllText(Path.Combine(dir, "cases.json"), specs.ToJsonString());
        Oracle.RunPythonScript("seq_torch.py", dir);
        for (int i = 0; i < cases.Length; i++)
        {
            var (y, dx, dk, db) = results[i];
            CloseToOracle(dir, i, "y", y, cases[i].Label + " output");
            CloseToOracle(dir, i, "dx", dx, cases[i].Label + " dL/dx");
            CloseToOracle(dir, i, "dkernel", dk, cases[i].Label + " dL/dkernel");
            CloseToOracle(dir, i, "dbias", db, cases[i].Label + " dL/dbias");
        }
        try { Directory.Delete(dir, true); } catch (IOException) { }
    }

    public static TheoryData<string> FiniteDifferenceCases() => ["dense", "conv2d", "flatten", "maxpool"];

    private static (TimeDistributed, Tensor, Tensor) FdCase(string kind) => kind switch
    {
        "dense" => Case(new Dense(2, activation: "tanh"), 1, 2, 3, 4),
        "conv2d" => Case(new Conv2D(2, (2, 2), padding: "same"), 2, 1, 2, 3, 3, 2),
        "flatten" => Case(new Flatten(), 3, 2, 3, 2, 2),
        _ => Case(new MaxPooling2D((2, 2)), 4, 2, 2, 4, 4, 1),
    };

    [Theory]
    [MemberData(nameof(FiniteDifferenceCases))]
    public void GradientsMatchFiniteDifferences(string kind)
    {
        var (td, x, r) = FdCase(kind);
        var (dx, dw) = GradientCheck.Analytic(td, x, r);
        int skipped = 0, total = 0;
        void Probe(Span<float> values, int i, float analytic, string what)
        {
            float orig = values[i];
            double l0 = GradientCheck.Objective(td, x, r);
            values[i] = orig + GradientCheck.Step; double lp = GradientCheck.Objective(td, x, r);
            values[i] = orig - GradientCheck.Step; double lm = GradientCheck.Objective(td, x, r);
            values[i] = orig;
            total++;
            if (kind == "maxpool" && Math.Abs((lp - l0) - (l0 - lm)) / GradientCheck.Step > 1e-3) { skipped++; return; }
            double fd = (lp - lm) / (2 * GradientCheck.Step);
            Assert.True(Math.Abs(fd - analytic) <= 1e-3 + 1e-2 * Math.Abs(analytic), $"{kind}: d/d{what}[{i}] analytic {analytic} vs finite difference {fd}");
        }
        for (int i = 0; i < x.Length; i++) Probe(x.Span, i, dx[i], "x");
        for (int k = 0; k < td.Weights.Count; k++)
            for (int i = 0; i < td.Weights[k].Size; i++) Probe(td.Weights[k].Value.Span, i, dw[k][i], td.Weights[k].Name);
        Assert.True(skipped * 4 <= total, $"{kind}: {skipped} of {total} coordinates sat on kinks");
    }

    [Fact]
    public void TheFoldIsViewsOfTheInnerBuffersWithoutCopies()
    {
        var (td, x, r) = Case(new Dense(3), 5, 2, 4, 5);
        var ctx = new CallContext();
        var y = td.Call(ctx, x, training: true);
        Assert.Equal([2, 4, 3], y.Shape);
        var gi = td.Backward(ctx, r, needInputGrad: true)!;
        // A second call reuses the same views.
        var y2 = td.Call(ctx, x, training: true);
        var gi2 = td.Backward(ctx, r, needInputGrad: true)!;
        Assert.Same(y, y2);
        Assert.Same(gi, gi2);
        // Dropout at inference returns its input, so the wrapper's output is a view of the wrapper's input buffer.
        var drop = new TimeDistributed(new Dropout(0.5));
        var z = drop.Call(new CallContext(), x, training: false);
        Assert.Same(x.Buffer, z.Buffer);
        Assert.Equal(x.Shape, z.Shape);
    }

    [Fact]
    public void WeightsAreTheInnerLayersNamedAfterTheWrapperAndFollowItsTrainableFlag()
    {
        var td = new TimeDistributed(new Dense(4, name: "inner"), name: "td");
        td.Build([3, 5]);
        Assert.Equal(["td/kernel:0", "td/bias:0"], td.Weights.Select(w => w.FullName));
        Assert.Same(((Dense)td.Layer).Kernel, td.Weights[0]);
        Assert.Equal(24, td.CountParams());
        Assert.Equal(2, td.TrainableWeights.Count);
        td.Trainable = false;
        Assert.False(td.Layer.Trainable);
        Assert.Empty(td.TrainableWeights);
        Assert.Equal(2, td.NonTrainableWeights.Count);
        Assert.Equal([3, 4], td.OutputShape!);

        var e = Assert.ThrowsAny<KerasNetException>(() => new TimeDistributed(new Dense(2), name: "flat").Build([5]));
        Assert.Contains("Layer 'flat' (TimeDistributed) should be passed an input_shape with at least 3 dimensions", e.Message);
        Assert.Contains("takes several", Assert.Throws<KerasNetException>(() => new TimeDistributed(new Add(), name: "tda")).Message);
        Assert.Contains("the wrapped layer is null", Assert.Throws<KerasNetException>(() => new TimeDistributed(null!)).Message);
    }

    [Fact]
    public void ALayerUsedInsideAndOutsideTheWrapperSharesItsWeightsAndTrainsAsOne()
    {
        // The same Dense on every step of a sequence and on a vector: its gradient is the sum of both calls, so the
        // trainer must not fuse its update into one call's kernel.
        var seq = Keras.Input((3, 2), name: "seq");
        var vec = Keras.Input(2, name: "vec");
        var dense = new Dense(2, name: "shared");
        var m = new Model([seq, vec], [new Flatten().Apply(new TimeDistributed(dense).Apply(seq)), dense.Apply(vec)]);
        Assert.Contains(dense.Kernel!, m.Graph!.SharedVariables);
        SetRandomWeights(m, 5);
        var r = new Random(6);
        var xs = new[] { Rand(r, -1, 1, 4, 3, 2), Rand(r, -1, 1, 4, 2) };
        var ys = new[] { Rand(r, -1, 1, 4, 6), Rand(r, -1, 1, 4, 2) };
        // The same step through an equivalent model without sharing: the wrapper's Dense and a twin on the vector,
        // whose kernel gradients add up by hand.
        var twinSeq = new Dense(2);
        var twinVec = new Dense(2);
        var w0 = dense.Kernel!.Value.ToArray();
        var b0 = dense.Bias!.Value.ToArray();
        var m2 = new Model([seq, vec], [new Flatten().Apply(new TimeDistributed(twinSeq).Apply(seq)), twinVec.Apply(vec)]);
        twinSeq.SetWeights([w0, b0]);
        twinVec.SetWeights([w0, b0]);
        // Adam makes one step on the summed gradient; two calls each applying their own (a missed sharing) would differ.
        m.Compile(new Adam(0.01), ["mse", "mse"]);
        m2.Compile(new SGD(1.0), ["mse", "mse"]);
        m.TrainOnBatch(new Batch(xs, ys));
        m2.TrainOnBatch(new Batch(xs, ys));
        for (int i = 0; i < w0.Length; i++)
        {
            double g = (w0[i] - twinSeq.Kernel!.Value[i]) + (w0[i] - twinVec.Kernel!.Value[i]); // lr 1: the gradients
            double mt = 0.1 * g, vt = 0.001 * g * g, lrT = 0.01 * Math.Sqrt(1 - 0.999) / (1 - 0.9);
            Assert.Equal(w0[i] - lrT * mt / (Math.Sqrt(vt) + 1e-7), dense.Kernel.Value[i], 5);
        }
    }

    // ---- masks (tf.keras 2.4's TimeDistributed.compute_mask, reshape path) ----

    [Fact]
    public void MasksFoldIntoTheInnerLayerAndComeBackAsTfKeras24Does()
    {
        var mask = new Tensor([1f, 0, 1, 1, 0, 0], 2, 3);
        // Dense passes the folded mask on: the output mask is the input mask.
        var dense = new TimeDistributed(new Dense(2));
        var ctx = new CallContext();
        dense.Call(ctx, new Tensor(2, 3, 4), mask, training: false);
        Assert.Equal(mask.ToArray(), ctx.OutputMasks[0]!.ToArray());
        Assert.Equal([2, 3], ctx.OutputMasks[0]!.Shape);

        // An Embedding with mask_zero inside makes the mask of every (step, position): (batch, steps, positions).
        var emb = new TimeDistributed(new Embedding(5, 2, maskZero: true));
        var ids = new Tensor([0f, 1, 2, 0, 3, 4, 0, 0, 1, 2, 3, 0], 2, 3, 2);
        var c2 = new CallContext();
        emb.Call(c2, ids, null, training: false);
        Assert.Equal(ids.ToArray().Select(v => v != 0 ? 1f : 0f), c2.OutputMasks[0]!.ToArray());
        Assert.Equal([2, 3, 2], c2.OutputMasks[0]!.Shape);

        // A layer that drops the mask inside (GlobalAveragePooling-like: no mask out) gives any() over the
        // extra axes; a (batch, steps) mask comes back unchanged. Flatten inside cannot take a mask: Keras's TypeError.
        var flat = new TimeDistributed(new Flatten(name: "inner_flat"), name: "td_flat");
        var e = Assert.Throws<KerasNetException>(() => flat.Call(new CallContext(), new Tensor(2, 3, 2, 2), new Tensor(2, 3, 2), training: false));
        Assert.Equal("Layer 'inner_flat' (Flatten) does not support masking, but was passed an input_mask of shape (6, 2).", e.Message);
        var conv = new TimeDistributed(new Conv2D(1, (1, 1), name: "inner_conv"));
        Assert.Contains("Layer 'inner_conv' (Conv2D) does not support masking",
            Assert.Throws<KerasNetException>(() => conv.Call(new CallContext(), new Tensor(2, 3, 2, 2, 1), mask, training: false)).Message);

        // Without a mask nothing is refused.
        flat.Call(new CallContext(), new Tensor(2, 3, 2, 2), null, training: false);
    }

    [Fact]
    public void MaskingThenTimeDistributedDenseMasksTheLossInAModel()
    {
        // The output mask of Masking -> TimeDistributed(Dense) reaches the loss: a masked step changes nothing.
        var m = new Sequential([new Masking(inputShape: (3, 2)), new TimeDistributed(new Dense(2))]);
        SetRandomWeights(m, 3);
        m.Compile(new SGD(0.1), "mse");
        var x = new Tensor([1f, 2, 0, 0, 3, 1], 1, 3, 2);
        var y1 = new Tensor([0f, 0, 5, 5, 1, 1], 1, 3, 2);
        var y2 = new Tensor([0f, 0, -7, 9, 1, 1], 1, 3, 2); // differs only on the masked step
        double l1 = m.Evaluate(new ArraySequence(x, y1, 1), verbose: 0)[0];
        double l2 = m.Evaluate(new ArraySequence(x, y2, 1), verbose: 0)[0];
        Assert.Equal(l1, l2, 12);
        var p = m.Predict(x);
        double row(int t) => (Math.Pow(p[t * 2] - y1[t * 2], 2) + Math.Pow(p[t * 2 + 1] - y1[t * 2 + 1], 2)) / 2;
        Assert.Equal((row(0) + row(2)) / 3, l1, 5);
    }

    // ---- tfjs-layers ----

    [SkippableFact]
    public void TimeDistributedDenseAndConvModelsMatchTfjsPredictionsAndOneSgdStep()
    {
        Oracle.RequireNodeTfjs();
        var r = new Random(11);
        var dense = new Sequential([new TimeDistributed(new Dense(3, activation: "tanh", name: "inner"), inputShape: (4, 5), name: "td"), new Flatten(name: "flat"), new Dense(2, name: "out")], name: "td_dense");
        var conv = new Sequential([new TimeDistributed(new Conv2D(2, (2, 2), activation: "relu", name: "c"), inputShape: (3, 4, 4, 1), name: "td_conv"),
            new TimeDistributed(new Flatten(name: "f"), name: "td_flat"), new TimeDistributed(new Dense(2, name: "d"), name: "td_out")], name: "td_conv2d");
        foreach (var (m, x, y) in new[] { (dense, Rand(r, -1, 1, 5, 4, 5), Rand(r, -1, 1, 5, 2)), (conv, Rand(r, -1, 1, 3, 3, 4, 4, 1), Rand(r, -1, 1, 3, 3, 2)) })
        {
            SetRandomWeights(m, 2);
            var tfjs = TfjsGraphOracle.Run(m.ToJson(), m.Weights.Select(w => O(w.Value)).ToList(), [O(x)], [O(y)], ["mean_squared_error"], sgdLr: 0.2);
            Close(tfjs.Outputs[0].Values.Select(v => (double)v).ToList(), m.Predict(x).Span, 1e-5, m.Name + " predictions");
            m.Compile(new SGD(0.2), "mse");
            double loss = m.TrainOnBatch(new Batch(x, y))[0];
            Assert.Equal(tfjs.Loss!.Value, loss, 5);
            for (int i = 0; i < m.Weights.Count; i++)
                Close(tfjs.WeightsAfter![i].Values.Select(v => (double)v).ToList(), m.Weights[i].Value.Span, 2e-6, $"{m.Name} {tfjs.WeightNames[i]} after one SGD step");
        }
    }

    // ---- configs, summary, files ----

    [Fact]
    public void ConfigIsTfKeras24sAndKeras1AndKeras3ConfigsAreRead()
    {
        var td = new TimeDistributed(new Dense(8, activation: "relu", name: "dense"), inputShape: (10, 16), name: "time_distributed");
        Assert.Equal("""{"name":"time_distributed","trainable":true,"batch_input_shape":[null,10,16],"dtype":"float32","layer":{"class_name":"Dense","config":{"name":"dense","trainable":true,"dtype":"float32","units":8,"activation":"relu","use_bias":true,"kernel_initializer":{"class_name":"GlorotUniform","config":{"seed":null}},"bias_initializer":{"class_name":"Zeros","config":{}},"kernel_regularizer":null,"bias_regularizer":null,"activity_regularizer":null,"kernel_constraint":null,"bias_constraint":null}}}""",
            td.GetConfig().ToJsonString());
        var back = (TimeDistributed)LayerRegistry.Create(new LayerConfigReader(td.GetConfig(), "TimeDistributed", "test"));
        var expected = td.GetConfig();
        expected.Remove("batch_input_shape"); // a model's reader gives the first layer its input shape, not FromConfig
        Assert.Equal(expected.ToJsonString(), back.GetConfig().ToJsonString());

        var k1 = (TimeDistributed)LayerRegistry.Create(new LayerConfigReader(JsonNode.Parse("""
            {"name": "timedistributed_1", "trainable": true, "batch_input_shape": [null, 5, 3],
             "layer": {"class_name": "Dense", "config": {"name": "dense_1", "output_dim": 4, "init": "glorot_uniform", "activation": "linear",
                       "bias": true, "input_dim": null, "W_regularizer": null, "b_regularizer": null, "activity_regularizer": null,
                       "W_constraint": null, "b_constraint": null, "trainable": true}}}
            """)!.AsObject(), "TimeDistributed", "k1.json"));
        Assert.Equal(4, ((Dense)k1.Layer).Units);

        var k3 = (TimeDistributed)LayerRegistry.Create(new LayerConfigReader(JsonNode.Parse("""
            {"name": "time_distributed", "trainable": true,
             "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
             "layer": {"module": "keras.layers", "class_name": "Conv2D",
                       "config": {"name": "conv2d", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                                  "filters": 2, "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid", "data_format": "channels_last",
                                  "dilation_rate": [1, 1], "groups": 1, "activation": "linear", "use_bias": true,
                                  "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
                                  "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
                                  "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null},
                       "registered_name": null, "build_config": {"input_shape": [null, 6, 6, 1]}}}
            """)!.AsObject(), "TimeDistributed", "k3.json"));
        Assert.Equal(2, ((Conv2D)k3.Layer).Filters);
        Assert.Contains("missing field 'layer'", Assert.ThrowsAny<KerasNetException>(() =>
            LayerRegistry.Create(new LayerConfigReader(JsonNode.Parse("""{"name": "td"}""")!.AsObject(), "TimeDistributed", "bad.json"))).Message);
    }

    [Fact]
    public void SummaryLinesAreKeras24s()
    {
        var m = new Sequential([new TimeDistributed(new Conv2D(4, (3, 3)), inputShape: (5, 8, 8, 1)), new TimeDistributed(new Flatten()), new TimeDistributed(new Dense(2))]);
        var lines = m.SummaryText().Split('\n');
        Assert.Contains("time_distributed (TimeDistri (None, 5, 6, 6, 4)        40        ", lines);
        Assert.Contains("time_distributed_1 (TimeDist (None, 5, 144)            0         ", lines);
        Assert.Contains("time_distributed_2 (TimeDist (None, 5, 2)              290       ", lines);
        Assert.Contains("Total params: 330", lines);
    }

    [SkippableFact]
    public void FilesKeepPredictionsAndUseKerasLayouts()
    {
        var m = new Sequential([new TimeDistributed(new Dense(3, name: "inner"), inputShape: (4, 2), name: "td"), new Dense(1, name: "out")], name: "files");
        SetRandomWeights(m, 8);
        var x = Rand(new Random(1), -1, 1, 2, 4, 2);
        var expected = m.Predict(x).ToArray();
        var dir = Oracle.TempDir();
        string h5 = Path.Combine(dir, "m.h5"), keras = Path.Combine(dir, "m.keras"), weights = Path.Combine(dir, "w.weights.h5");
        m.Save(h5);
        m.Save(keras);
        m.SaveWeights(weights);
        foreach (var path in new[] { h5, keras })
        {
            var back = Keras.LoadModel(path);
            Assert.Equal(expected, back.Predict(x).ToArray());
            Assert.Equal(m.ToJson(), back.ToJson());
        }
        var fresh = new Sequential([new TimeDistributed(new Dense(3, name: "inner"), inputShape: (4, 2), name: "td"), new Dense(1, name: "out")], name: "files2");
        fresh.LoadWeights(weights);
        Assert.Equal(expected, fresh.Predict(x).ToArray());

        Oracle.RequirePython("h5py");
        var listing = Oracle.RunPythonCode("""
            import sys, h5py, zipfile, io
            with h5py.File(sys.argv[1], "r") as f:
                g = f["model_weights"]["td"]
                print([n.decode() if isinstance(n, bytes) else n for n in g.attrs["weight_names"]])
                print(sorted(k for k in g["td"].keys()))
            with h5py.File(sys.argv[2], "r") as f:
                names = []
                f.visit(lambda n: names.append(n) if isinstance(f[n], h5py.Dataset) else None)
                print(sorted(names))
            """, h5, weights);
        log.WriteLine(listing);
        var lines = listing.Split('\n');
        Assert.Equal("['td/kernel:0', 'td/bias:0']", lines[0].Trim());
        Assert.Equal("['bias:0', 'kernel:0']", lines[1].Trim());
        Assert.Contains("'layers/time_distributed/layer/vars/0'", lines[2]);
        Assert.Contains("'layers/time_distributed/layer/vars/1'", lines[2]);
        Assert.Contains("'layers/dense/vars/0'", lines[2]);
        try { Directory.Delete(dir, true); } catch (IOException) { }
    }
}
