using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Layers;

/// <summary>
/// The recurrent layers' options whose meaning is defined by other calls of KerasNet itself: stateful layers (two
/// batches equal one long sequence), dropout (inference unchanged, masks' statistics and groups, seeds), initial
/// states through the Functional API, configs (tf.keras 2.4 fields, Keras 1, Keras 3 and CuDNN configs read),
/// summaries (Keras's parameter counts), .h5/.keras round trips and the errors.
/// </summary>
public class RnnOptionTests
{
    private static Tensor Rand(Random r, params int[] shape)
    {
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++) t[i] = (float)(r.NextDouble() * 2 - 1);
        return t;
    }

    private static void CopyWeights(Layer from, Layer to)
    {
        for (int i = 0; i < from.Weights.Count; i++) to.Weights[i].Assign(from.Weights[i].Value.Span);
    }

    private static Tensor Steps(Tensor x, int from, int count)
    {
        int b = x.Shape[0], t = x.Shape[1], f = x.Shape[2];
        var s = new Tensor(b, count, f);
        for (int n = 0; n < b; n++) x.Span.Slice((n * t + from) * f, count * f).CopyTo(s.Span.Slice(n * count * f, count * f));
        return s;
    }

    private static void Near(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol, $"{what}[{i}]: {actual[i]} vs {expected[i]}");
    }

    public static TheoryData<string> Cells() => new() { "lstm", "gru", "simple" };

    private static RnnLayer Make(string cell, int units, bool stateful = false, bool returnState = false) => cell switch
    {
        "lstm" => new LSTM(units, stateful: stateful, returnState: returnState),
        "gru" => new GRU(units, stateful: stateful, returnState: returnState),
        _ => new SimpleRNN(units, stateful: stateful, returnState: returnState),
    };

    [Theory]
    [MemberData(nameof(Cells))]
    public void StatefulLayersCarryTheirStatesAcrossBatchesUntilReset(string cell)
    {
        var r = new Random(1);
        var x = Rand(r, 4, 10, 3);
        var stateful = Make(cell, 5, stateful: true);
        stateful.Build([5, 3]);
        var whole = Make(cell, 5, returnState: true);
        whole.Build([10, 3]);
        CopyWeights(stateful, whole);
        var first = stateful.Call(Steps(x, 0, 5)).ToArray();
        var second = stateful.Call(Steps(x, 5, 5)).ToArray();
        var ctx = new CallContext(1, whole.OutputShapes!.Count);
        whole.Call(ctx, x, training: false);
        Near(ctx.Outputs[0].Span, second, 1e-6, "second batch vs one call over both");
        Near(ctx.Outputs[1].Span, stateful.States![0].Span, 1e-6, "carried h");
        Assert.Equal(stateful.StateCount, stateful.States!.Count);
        Assert.Equal(4, stateful.BatchSize);
        stateful.ResetStates();
        Near(first, stateful.Call(Steps(x, 0, 5)).Span, 0, "after reset_states");
        var e = Assert.Throws<KerasNetException>(() => stateful.Call(Rand(r, 3, 5, 3)));
        Assert.Contains("is stateful with batch size 4 but received a batch of 3", e.Message);
        // reset_states(states): the given values are the next call's initial states.
        var h = Enumerable.Range(0, 20).Select(i => i * 0.01f).ToArray();
        stateful.ResetStates(cell == "lstm" ? [h, h] : [h]);
        Near(h, stateful.States![0].Span, 0, "set states");
        Assert.Throws<KerasNetException>(() => whole.ResetStates());
    }

    [Fact]
    public void AStatefulModelKeepsItsStatesBetweenPredictions()
    {
        var r = new Random(2);
        var m = new Sequential([new LSTM(4, stateful: true, batchSize: 2, inputShape: (3, 2)), new Dense(1)]);
        var x = Rand(r, 2, 3, 2);
        var a = m.PredictOnBatch(x)[0].ToArray();
        var b = m.PredictOnBatch(x)[0].ToArray();
        Assert.NotEqual(a, b);
        m.ResetStates();
        Assert.Equal(a, m.PredictOnBatch(x)[0].ToArray());
        Assert.Contains("\"batch_input_shape\": [2, 3, 2]", m.ToJson());
        Assert.Equal(2, ((LSTM)Keras.ModelFromJson(m.ToJson()).Layers[0]).BatchSize);
    }

    [Theory]
    [InlineData(2, 0.0, 1, 0)]
    [InlineData(1, 0.0, 4, 0)]
    [InlineData(2, 0.3, 4, 4)]
    public void DropoutMasksFollowKerasImplementationsAndStatistics(int implementation, double recurrent, int inGroups, int recGroups)
    {
        const double rate = 0.4;
        var layer = new LSTM(16, dropout: rate, recurrentDropout: recurrent, implementation: implementation, seed: 3);
        layer.Build([4, 50]);
        var x = Rand(new Random(3), 200, 4, 50);
        var ctx = new CallContext(1, 1);
        var trained = layer.Call(ctx, x, training: true).ToArray();
        var call = (RnnLayer.RnnCall)ctx.State!;
        Assert.Equal(inGroups, call.Geometry.InputMaskGroups);
        Assert.Equal(recGroups, call.Geometry.RecurrentMaskGroups);
        var mask = call.InputDropout.AsSpan(0, inGroups * 200 * 50).ToArray();
        double zeros = mask.Count(v => v == 0) / (double)mask.Length;
        Assert.InRange(zeros, rate - 0.02, rate + 0.02);
        Assert.All(mask.Where(v => v != 0), v => Assert.Equal((float)(1 / (1 - rate)), v));
        if (inGroups > 1) Assert.NotEqual(mask.AsSpan(0, 200 * 50).ToArray(), mask.AsSpan(200 * 50, 200 * 50).ToArray());
        // Inference ignores dropout; training with it changes the output; the same seed draws the same masks.
        var plain = new LSTM(16);
        plain.Build([4, 50]);
        CopyWeights(layer, plain);
        Assert.Equal(plain.Call(x).ToArray(), layer.Call(x, training: false).ToArray());
        Assert.NotEqual(plain.Call(x).ToArray(), trained);
        var again = new LSTM(16, dropout: rate, recurrentDropout: recurrent, implementation: implementation, seed: 3);
        again.Build([4, 50]);
        CopyWeights(layer, again);
        Assert.Equal(trained, again.Call(x, training: true).ToArray());
    }

    [Fact]
    public void InitialStatesThroughTheFunctionalApiEqualTheEagerCallAndSurviveJson()
    {
        var r = new Random(4);
        var x = Keras.Input((6, 3), name: "x");
        var h0 = Keras.Input(5, name: "h0");
        var c0 = Keras.Input(5, name: "c0");
        var lstm = new LSTM(5, name: "lstm");
        var m = new Model([x, h0, c0], [new Dense(2, name: "d").Apply(lstm.Apply(x, h0, c0))]);
        var xs = new[] { Rand(r, 3, 6, 3), Rand(r, 3, 5), Rand(r, 3, 5) };
        var y = m.PredictOnBatch(xs)[0].ToArray();
        var ctx = new CallContext(3, 1);
        ctx.Inputs[0] = xs[0]; ctx.Inputs[1] = xs[1]; ctx.Inputs[2] = xs[2];
        lstm.ForwardNode(ctx);
        var plain = new LSTM(5);
        plain.Build([6, 3]);
        CopyWeights(lstm, plain);
        Assert.NotEqual(plain.Call(xs[0]).ToArray(), ctx.Outputs[0].ToArray()); // the states matter
        Assert.Contains("""[["x", 0, 0, {}], ["h0", 0, 0, {}], ["c0", 0, 0, {}]]""", m.ToJson());
        var loaded = Keras.ModelFromJson(m.ToJson());
        loaded.SetWeights(m.GetWeights());
        Assert.Equal(y, loaded.PredictOnBatch(xs)[0].ToArray());
        // Keras 3 passes the states as the keyword argument initial_state: written so, and read back.
        var path = Path.Combine(Oracle.TempDir(), "states.keras");
        m.Save(path);
        var k3 = Keras.LoadModel(path);
        Assert.Equal(y, k3.PredictOnBatch(xs)[0].ToArray());
        string text;
        using (var zip = System.IO.Compression.ZipFile.OpenRead(path))
        using (var reader = new StreamReader(zip.GetEntry("config.json")!.Open())) text = reader.ReadToEnd();
        var config = JsonNode.Parse(text)!;
        var node = config["config"]!["layers"]!.AsArray().Single(l => l!["name"]!.GetValue<string>() == "lstm")!["inbound_nodes"]![0]!;
        Assert.Single(node["args"]!.AsArray());
        Assert.Equal(2, node["kwargs"]!["initial_state"]!.AsArray().Count);
        var e = Assert.ThrowsAny<KerasNetException>(() => new LSTM(5).Apply(x, h0));
        Assert.Contains("has 2 state(s) but was called with 1 initial state(s)", e.Message);
        e = Assert.ThrowsAny<KerasNetException>(() => new GRU(4).Apply(x, h0));
        Assert.Contains("initial state 0 should have shape (None, 4), got (None, 5)", e.Message);
    }

    [Theory]
    [InlineData("concat", false)]
    [InlineData("mul", false)]
    [InlineData("ave", true)]
    [InlineData(null, true)]
    public void BidirectionalGradientsMatchFiniteDifferences(string? mode, bool returnState)
    {
        var r = new Random(6);
        var bi = new Bidirectional(new LSTM(2, returnSequences: true, returnState: returnState), mode);
        bi.Build([4, 3]);
        foreach (var w in bi.Weights) for (int i = 0; i < w.Size; i++) w.Value[i] = (float)(r.NextDouble() - 0.5);
        var x = Rand(r, 2, 4, 3);
        var up = bi.OutputShapes!.Select(s => Rand(r, ShapeUtil.WithBatch(2, s))).ToArray();
        var ctx = new CallContext(1, up.Length) { Training = true };
        ctx.Inputs[0] = x;
        bi.ForwardNode(ctx);
        foreach (var w in bi.Weights) w.Grad.Clear();
        bi.BackwardNode(ctx, up, true, GradientSink.All());
        var dx = ctx.InputGrads[0]!.ToArray();
        var dw = bi.Weights.Select(w => w.Grad.ToArray()).ToList();
        double Objective()
        {
            var c = new CallContext(1, up.Length);
            c.Inputs[0] = x;
            bi.ForwardNode(c);
            double sum = 0;
            for (int o = 0; o < up.Length; o++) for (int i = 0; i < up[o].Length; i++) sum += (double)c.Outputs[o][i] * up[o][i];
            return sum;
        }
        void Probe(Span<float> v, float[] analytic, string what)
        {
            for (int i = 0; i < v.Length; i++)
            {
                float orig = v[i];
                v[i] = orig + 1e-2f; double lp = Objective();
                v[i] = orig - 1e-2f; double lm = Objective();
                v[i] = orig;
                double fd = (lp - lm) / 2e-2;
                Assert.True(Math.Abs(fd - analytic[i]) <= 1e-3 + 1e-2 * Math.Abs(analytic[i]), $"{mode}: d/d{what}[{i}] {analytic[i]} vs {fd}");
            }
        }
        Probe(x.Span, dx, "x");
        for (int k = 0; k < bi.Weights.Count; k++) Probe(bi.Weights[k].Value.Span, dw[k], bi.Weights[k].FullName);
    }

    [Fact]
    public void ForwardAndBackwardAllocateNothingOnceWarm()
    {
        var r = new Random(7);
        var layers = new Layer[]
        {
            new LSTM(8, returnSequences: true, dropout: 0.2, recurrentDropout: 0.2, seed: 1), new LSTM(8), new GRU(8, returnState: true),
            new GRU(8, resetAfter: false), new SimpleRNN(8, stateful: true), new Bidirectional(new LSTM(4, returnSequences: true), "sum"),
        };
        var sink = GradientSink.All();
        var report = new List<string>();
        foreach (var layer in layers)
        {
            layer.Build([6, 5]);
            var x = Rand(r, 20, 6, 5);
            var up = layer.OutputShapes!.Select(s => Rand(r, ShapeUtil.WithBatch(20, s))).ToArray();
            var ctx = new CallContext(1, up.Length) { Training = true };
            ctx.Inputs[0] = x;
            void Step()
            {
                layer.ForwardNode(ctx);
                layer.BackwardNode(ctx, up, true, sink);
            }
            Step();
            Step();
            // The fewest bytes of three windows of 5 steps: an allocation per step shows in every window, a one-off
            // in one only. One-offs happen when a test beside this one holds the worker pool: this thread then runs
            // every part of a loop itself, and a part the worker ran during the warm-up rents this thread's own
            // scratch for the first time (504 bytes once in a full run).
            long bytes = long.MaxValue;
            for (int w = 0; w < 3 && bytes != 0; w++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int k = 0; k < 5; k++) Step();
                bytes = Math.Min(bytes, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            if (bytes != 0) report.Add($"{layer}: {bytes} bytes allocated in 5 warm steps");
        }
        Assert.True(report.Count == 0, string.Join("; ", report));
    }

    // ---- configs ----

    private const string Glorot = """{"class_name": "GlorotUniform", "config": {"seed": null}}""";
    private const string Ortho = """{"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": null}}""";
    private const string Zeros = """{"class_name": "Zeros", "config": {}}""";
    private const string Penalties = """ "kernel_regularizer": null, "recurrent_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "recurrent_constraint": null, "bias_constraint": null""";
    private const string Loop = """ "return_sequences": false, "return_state": false, "go_backwards": false, "stateful": false, "unroll": false, "time_major": false""";

    /// <summary>tf.keras 2.4's get_config of LSTM(4), GRU(3) and SimpleRNN(2), written by hand from Keras's recurrent.py / recurrent_v2.py.</summary>
    public static TheoryData<string, string> TfKeras24Configs() => new()
    {
        { "LSTM", $$"""{"name": "lstm", "trainable": true, "dtype": "float32",{{Loop}}, "units": 4, "activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": true, "kernel_initializer": {{Glorot}}, "recurrent_initializer": {{Ortho}}, "bias_initializer": {{Zeros}}, "unit_forget_bias": true,{{Penalties}}, "dropout": 0.0, "recurrent_dropout": 0.0, "implementation": 2}""" },
        { "GRU", $$"""{"name": "gru", "trainable": true, "dtype": "float32",{{Loop}}, "units": 3, "activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": true, "kernel_initializer": {{Glorot}}, "recurrent_initializer": {{Ortho}}, "bias_initializer": {{Zeros}},{{Penalties}}, "dropout": 0.0, "recurrent_dropout": 0.0, "implementation": 2, "reset_after": true}""" },
        { "SimpleRNN", $$"""{"name": "simple_rnn", "trainable": true, "dtype": "float32",{{Loop}}, "units": 2, "activation": "tanh", "use_bias": true, "kernel_initializer": {{Glorot}}, "recurrent_initializer": {{Ortho}}, "bias_initializer": {{Zeros}},{{Penalties}}, "dropout": 0.0, "recurrent_dropout": 0.0}""" },
    };


    [Theory]
    [MemberData(nameof(TfKeras24Configs))]
    public void ConfigsAreTfKeras24sAndRoundTrip(string cls, string json)
    {
        Layer made = cls switch { "LSTM" => new LSTM(4), "GRU" => new GRU(3), _ => new SimpleRNN(2) };
        Assert.Equal(json, PyJson.Dumps(made.GetConfig()));
        var read = LayerRegistry.Create(new LayerConfigReader(JsonNode.Parse(json)!.AsObject(), cls, "test"));
        Assert.Equal(cls, read.ClassName);
        Assert.Equal(json, PyJson.Dumps(read.GetConfig()));
        // Every option survives a round trip.
        Layer full = cls switch
        {
            "LSTM" => new LSTM(6, activation: "relu", recurrentActivation: "hard_sigmoid", useBias: false, unitForgetBias: false, dropout: 0.25,
                recurrentDropout: 0.5, implementation: 1, returnSequences: true, returnState: true, goBackwards: true, stateful: true, unroll: true, seed: 9, name: "l"),
            "GRU" => new GRU(6, resetAfter: false, recurrentActivation: "tanh", kernelInitializer: "he_normal", returnSequences: true, name: "g"),
            _ => new SimpleRNN(6, activation: null, recurrentInitializer: "identity", goBackwards: true, dropout: 0.1, name: "s"),
        };
        var config = full.GetConfig();
        var again = LayerRegistry.Create(new LayerConfigReader((JsonObject)config.DeepClone(), cls, "test"));
        Assert.Equal(config.ToJsonString(), again.GetConfig().ToJsonString());
    }

    [Fact]
    public void Keras1Keras3AndCuDnnConfigsAreRead()
    {
        static RnnLayer Read(string cls, string json) =>
            (RnnLayer)LayerRegistry.Create(new LayerConfigReader(JsonNode.Parse(json)!.AsObject(), cls, "test"));
        var k1 = (LSTM)Read("LSTM", """{"name": "lstm_1", "trainable": true, "output_dim": 16, "init": "glorot_uniform", "inner_init": "orthogonal", "forget_bias_init": "zero", "activation": "tanh", "inner_activation": "hard_sigmoid", "W_regularizer": null, "U_regularizer": null, "b_regularizer": null, "dropout_W": 0.25, "dropout_U": 0.5, "return_sequences": true, "go_backwards": false, "stateful": false, "unroll": false, "consume_less": "gpu", "input_dim": 8, "input_length": 10}""");
        Assert.Equal((16, "hard_sigmoid", false, 0.25, 0.5, 2, true), (k1.Units, k1.RecurrentActivation, k1.UnitForgetBias, k1.Dropout, k1.RecurrentDropout, k1.Implementation, k1.ReturnSequences));
        var g1 = (GRU)Read("GRU", """{"name": "gru_1", "output_dim": 5, "inner_activation": "hard_sigmoid", "activation": "relu"}""");
        Assert.Equal((5, "relu", "hard_sigmoid", false), (g1.Units, g1.Activation, g1.RecurrentActivation, g1.ResetAfter));
        var k3 = (GRU)Read("GRU", """{"name": "gru", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "return_sequences": true, "return_state": false, "go_backwards": false, "stateful": false, "unroll": false, "zero_output_for_mask": false, "units": 8, "activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": true, "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null}, "recurrent_initializer": {"module": "keras.initializers", "class_name": "Orthogonal", "config": {"gain": 1.0, "seed": null}, "registered_name": null}, "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "kernel_regularizer": null, "recurrent_regularizer": null, "bias_regularizer": null, "kernel_constraint": null, "recurrent_constraint": null, "bias_constraint": null, "dropout": 0.0, "recurrent_dropout": 0.0, "reset_after": true, "seed": 12}""");
        Assert.Equal((8, true, 12, true), (k3.Units, k3.ResetAfter, k3.Seed, k3.ReturnSequences));
        var cu = (LSTM)Read("CuDNNLSTM", """{"name": "cu_dnnlstm_1", "trainable": true, "dtype": "float32", "return_sequences": false, "return_state": false, "go_backwards": false, "stateful": false, "units": 7, "kernel_initializer": {"class_name": "VarianceScaling", "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": null}}, "unit_forget_bias": true}""");
        Assert.Equal(("LSTM", "tanh", "sigmoid", 7), (cu.ClassName, cu.Activation, cu.RecurrentActivation, cu.Units));
        var cg = (GRU)Read("CuDNNGRU", """{"name": "cu_dnngru_1", "units": 7}""");
        Assert.Equal(("GRU", true, "sigmoid"), (cg.ClassName, cg.ResetAfter, cg.RecurrentActivation));
        var e = Assert.ThrowsAny<KerasNetException>(() => Read("LSTM", """{"name": "bad", "units": 3, "time_major": true}"""));
        Assert.Contains("time_major=True is not supported", e.Message);
        e = Assert.ThrowsAny<KerasNetException>(() => Read("LSTM", """{"name": "bad2", "units": 3, "activation": "softplus"}"""));
        Assert.Contains("activation 'softplus' is not supported", e.Message);
        Assert.Contains("layer 'bad2'", e.Message);
    }

    [Fact]
    public void BidirectionalConfigsAreTfKeras24sAndRoundTrip()
    {
        var bi = new Bidirectional(new LSTM(4, returnSequences: true), name: "bidirectional");
        var lstm = new LSTM(4, returnSequences: true, name: bi.Layer.Name).GetConfig().ToJsonString();
        Assert.Equal($$"""{"name":"bidirectional","trainable":true,"dtype":"float32","layer":{"class_name":"LSTM","config":{{lstm}}},"merge_mode":"concat"}""",
            bi.GetConfig().ToJsonString());
        Assert.Equal(("forward_" + bi.Layer.Name, "backward_" + bi.Layer.Name), (bi.ForwardLayer.Name, bi.BackwardLayer.Name));
        Assert.True(bi.ForwardLayer.ZeroOutputForMask && bi.BackwardLayer.ZeroOutputForMask && bi.BackwardLayer.GoBackwards);
        foreach (var b in new[] { bi, new Bidirectional(new GRU(3), mergeMode: null, backwardLayer: new GRU(3, goBackwards: true, activation: "relu")) })
        {
            var config = b.GetConfig();
            var again = LayerRegistry.Create(new LayerConfigReader((JsonObject)config.DeepClone(), "Bidirectional", "test"));
            Assert.Equal(config.ToJsonString(), again.GetConfig().ToJsonString());
        }
        var custom = new Bidirectional(new GRU(3), backwardLayer: new GRU(3, goBackwards: true, activation: "relu"));
        Assert.Equal("relu", custom.BackwardLayer.Activation);
        Assert.NotNull(custom.GetConfig()["backward_layer"]);
        var e = Assert.Throws<KerasNetException>(() => new Bidirectional(new GRU(3), backwardLayer: new GRU(3)));
        Assert.Contains("different go_backwards", e.Message);
        e = Assert.Throws<KerasNetException>(() => new Bidirectional(new GRU(3), backwardLayer: new GRU(3, goBackwards: true, returnSequences: true)));
        Assert.Contains("\"return_sequences\"", e.Message);
        e = Assert.Throws<KerasNetException>(() => new Bidirectional(new GRU(3), mergeMode: "max"));
        Assert.Contains("invalid merge_mode 'max'", e.Message);
    }

    // ---- summary, files, errors ----

    [Fact]
    public void SummaryCountsParametersAsKeras()
    {
        var m = new Sequential([new LSTM(128, inputShape: (100, 32)), new Dense(1)]);
        Assert.Equal(82_432, m.Layers[0].CountParams());
        var lines = m.SummaryText().Split('\n');
        Assert.Equal("lstm (LSTM)                  (None, 128)               82432     ", lines[4]);
        Assert.Contains("Total params: 82,561", lines);
        var seq = new Sequential([new Bidirectional(new LSTM(64, returnSequences: true), inputShape: (100, 32)), new GRU(3, returnSequences: true), new SimpleRNN(2, unroll: true)]);
        lines = seq.SummaryText().Split('\n');
        Assert.Equal("bidirectional (Bidirectional (None, 100, 128)          49664     ", lines[4]);
        Assert.Equal("gru (GRU)                    (None, 100, 3)            1197      ", lines[6]); // 3 (3 (128 + 3) + 2 3)
        Assert.Equal("simple_rnn (SimpleRNN)       (None, 2)                 12        ", lines[8]);
        var x = Keras.Input((5, 3), name: "in");
        var f = new Model([x], new LSTM(4, returnState: true, name: "lstm_s").ApplyMany(x).ToArray());
        // Sequential-like (one node per depth): Keras cuts the list of three shapes at the column's end.
        Assert.Contains("lstm_s (LSTM)                [(None, 4), (None, 4), (N 128       ", f.SummaryText().Split('\n'));
    }

    public static TheoryData<string> Formats() => new() { ".h5", ".keras" };

    [Theory]
    [MemberData(nameof(Formats))]
    public void SavedModelsPredictTheSame(string ext)
    {
        var r = new Random(5);
        var m = new Sequential([
            new Bidirectional(new LSTM(4, returnSequences: true), "sum", inputShape: (6, 3)),
            new GRU(3, returnSequences: true, goBackwards: true),
            new GRU(3, resetAfter: false, returnSequences: true),
            new SimpleRNN(2), new Dense(1)]);
        Models.GraphTestKit.SetRandomWeights(m, 6);
        var x = Rand(r, 4, 6, 3);
        var y = m.PredictOnBatch(x)[0].ToArray();
        var path = Path.Combine(Oracle.TempDir(), "rnn" + ext);
        m.Compile(optimizer: "adam", loss: "mse");
        m.TrainOnBatch(new Data.Batch(x, Rand(r, 4, 1)));
        y = m.PredictOnBatch(x)[0].ToArray();
        m.Save(path);
        var loaded = Keras.LoadModel(path);
        Assert.Equal(m.ToJson(), loaded.ToJson());
        Assert.Equal(y, loaded.PredictOnBatch(x)[0].ToArray());
        // The optimizer state came back too: one more identical step gives identical weights.
        m.TrainOnBatch(new Data.Batch(x, new Tensor(4, 1)));
        loaded.TrainOnBatch(new Data.Batch(x, new Tensor(4, 1)));
        for (int i = 0; i < m.Weights.Count; i++) Assert.Equal(m.Weights[i].Value.ToArray(), loaded.Weights[i].Value.ToArray());
    }

    [SkippableFact]
    public void FilesUseKerasWeightNamesAndLayouts()
    {
        Oracle.RequirePython("h5py");
        var m = new Sequential([new Bidirectional(new LSTM(2, returnSequences: true), inputShape: (3, 2)), new GRU(2)]);
        var dir = Oracle.TempDir();
        m.Save(Path.Combine(dir, "m.h5"));
        m.Save(Path.Combine(dir, "m.keras"));
        var names = Oracle.RunPythonCode("""
            import sys, h5py, zipfile, io
            d = sys.argv[1]
            with h5py.File(d + '/m.h5', 'r') as f:
                g = f['model_weights']
                for layer in g.attrs['layer_names']:
                    layer = layer.decode() if hasattr(layer, 'decode') else layer
                    for n in g[layer].attrs['weight_names']:
                        print((n.decode() if hasattr(n, 'decode') else n), g[layer][n].shape)
            with zipfile.ZipFile(d + '/m.keras') as z:
                with h5py.File(io.BytesIO(z.read('model.weights.h5')), 'r') as f:
                    f.visititems(lambda name, o: print(name, o.shape) if isinstance(o, h5py.Dataset) else None)
            """, dir);
        var b = m.Layers[0] as Bidirectional;
        string fw = b!.ForwardLayer.CellName, bw = b.BackwardLayer.CellName, gru = ((GRU)m.Layers[1]).CellName;
        Assert.Contains($"bidirectional/forward_lstm/{fw}/kernel:0 (2, 8)", names);
        Assert.Contains($"bidirectional/backward_lstm/{bw}/recurrent_kernel:0 (2, 8)", names);
        Assert.Contains($"gru/{gru}/bias:0 (2, 6)", names);
        Assert.Contains("layers/bidirectional/forward_layer/cell/vars/0 (2, 8)", names);
        Assert.Contains("layers/bidirectional/backward_layer/cell/vars/2 (8,)", names);
        Assert.Contains("layers/gru/cell/vars/1 (2, 6)", names);
    }

    [Fact]
    public void BadArgumentsNameTheLayerAndTheArgument()
    {
        Assert.Contains("LSTM: units must be positive", Assert.Throws<KerasNetException>(() => new LSTM(0)).Message);
        Assert.Contains("GRU: dropout must be in [0, 1)", Assert.Throws<KerasNetException>(() => new GRU(2, dropout: 1)).Message);
        Assert.Contains("SimpleRNN: recurrent_dropout must be in [0, 1)", Assert.Throws<KerasNetException>(() => new SimpleRNN(2, recurrentDropout: -0.1)).Message);
        Assert.Contains("LSTM: recurrent_activation 'softmax' is not supported", Assert.Throws<KerasNetException>(() => new LSTM(2, recurrentActivation: "softmax")).Message);
        Assert.Contains("LSTM: time_major=True is not supported", Assert.Throws<KerasNetException>(() => new LSTM(2, timeMajor: true)).Message);
        Assert.Contains("LSTM: implementation must be 0, 1 or 2", Assert.Throws<KerasNetException>(() => new LSTM(2, implementation: 3)).Message);
        var e = Assert.ThrowsAny<KerasNetException>(() => new LSTM(2, name: "flat").Build([5]));
        Assert.Contains("Layer 'flat' (LSTM) expects input of rank 3 (batch, timesteps, features), got (None, 5)", e.Message);
        e = Assert.Throws<KerasNetException>(() => new Sequential([new LSTM(2, returnState: true, inputShape: (3, 2), name: "st")]));
        Assert.Contains("Layer 'st' has 3 outputs; a Sequential model needs layers with one output", e.Message);
        var reg = new Sequential([new GRU(2, kernelRegularizer: new L2(0.1), inputShape: (3, 2), name: "reg")]);
        reg.Compile(optimizer: "sgd", loss: "mse");
        e = Assert.Throws<KerasNetException>(() => reg.TrainOnBatch(new Data.Batch(new Tensor(1, 3, 2), new Tensor(1, 2))));
        Assert.Contains("Layer 'reg' has kernel_regularizer L2", e.Message);
    }
}
