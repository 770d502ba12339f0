using System.Text.Json;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Models;

/// <summary>
/// Proves the tfjs graph oracle (<see cref="TfjsGraphOracle"/>, Oracles/graph_tfjs.js) on hand-written tf.keras 2.4
/// to_json() text: tfjs's predictions against the same math written out here in C# (float64), and tfjs's one SGD
/// step against the gradient float64 PyTorch computes for the same graph. Nothing here uses KerasNet itself, so the
/// core's Functional tests can trust the oracle independently of the code they test.
/// </summary>
public class TfjsGraphOracleTests
{
    // ---- tf.keras 2.4 to_json() pieces, key order and spelling as Keras writes them (json.dumps, ", " and ": ") ----

    private static string InputConfig(string name, int dim) =>
        $$$"""{"batch_input_shape": [null, {{{dim}}}], "dtype": "float32", "sparse": false, "ragged": false, "name": "{{{name}}}"}""";

    private static string DenseConfig(string name, int units, string activation, int? inputDim = null) =>
        $$$"""{"name": "{{{name}}}", "trainable": true, {{{(inputDim is int d ? $"\"batch_input_shape\": [null, {d}], " : "")}}}"dtype": "float32", "units": {{{units}}}, "activation": "{{{activation}}}", "use_bias": true, "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}}, "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}""";

    private static string MergeConfig(string name, string extra = "") =>
        $$"""{"name": "{{name}}", "trainable": true, "dtype": "float32"{{extra}}""" + "}";

    /// <summary>A Sequential's layer entry (Sequential configs carry no "name"/"inbound_nodes" per layer).</summary>
    private static string SequentialLayer(string className, string config) => $"{{\"class_name\": \"{className}\", \"config\": {config}}}";

    /// <summary>A Sequential's InputLayer entry (Sequential configs carry no "name"/"inbound_nodes" per layer).</summary>
    private static string SequentialInput(string name, int dim) => """{"class_name": "InputLayer", "config": """ + InputConfig(name, dim) + "}";

    /// <summary>Two inputs, a Dense shared by both, Add, Concatenate with input_a, and two outputs.</summary>
    private static readonly string TwoTowers = $$$"""
        {"class_name": "Functional", "config": {"name": "two_towers", "layers": [
        {"class_name": "InputLayer", "config": {{{InputConfig("input_a", 3)}}}, "name": "input_a", "inbound_nodes": []},
        {"class_name": "InputLayer", "config": {{{InputConfig("input_b", 3)}}}, "name": "input_b", "inbound_nodes": []},
        {"class_name": "Dense", "config": {{{DenseConfig("shared", 4, "tanh")}}}, "name": "shared", "inbound_nodes": [[["input_a", 0, 0, {}]], [["input_b", 0, 0, {}]]]},
        {"class_name": "Add", "config": {{{MergeConfig("add")}}}, "name": "add", "inbound_nodes": [[["shared", 0, 0, {}], ["shared", 1, 0, {}]]]},
        {"class_name": "Concatenate", "config": {{{MergeConfig("concatenate", ", \"axis\": -1")}}}, "name": "concatenate", "inbound_nodes": [[["add", 0, 0, {}], ["input_a", 0, 0, {}]]]},
        {"class_name": "Dense", "config": {{{DenseConfig("out_main", 2, "softmax")}}}, "name": "out_main", "inbound_nodes": [[["concatenate", 0, 0, {}]]]},
        {"class_name": "Dense", "config": {{{DenseConfig("out_aux", 1, "sigmoid")}}}, "name": "out_aux", "inbound_nodes": [[["add", 0, 0, {}]]]}],
        "input_layers": [["input_a", 0, 0], ["input_b", 0, 0]], "output_layers": [["out_main", 0, 0], ["out_aux", 0, 0]]},
        "keras_version": "2.4.0", "backend": "tensorflow"}
        """;

    /// <summary>Sequential [Functional(Input -> Dense), Dense], as tf.keras 2.4 writes it (Sequential.add put an
    /// InputLayer named "inner_input" in front of the nested model).</summary>
    private static readonly string SequentialOfFunctional = $$$"""
        {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
        {{{SequentialInput("inner_input", 3)}}},
        {"class_name": "Functional", "config": {"name": "inner", "layers": [
          {"class_name": "InputLayer", "config": {{{InputConfig("input_1", 3)}}}, "name": "input_1", "inbound_nodes": []},
          {"class_name": "Dense", "config": {{{DenseConfig("dense", 4, "relu")}}}, "name": "dense", "inbound_nodes": [[["input_1", 0, 0, {}]]]}],
          "input_layers": [["input_1", 0, 0]], "output_layers": [["dense", 0, 0]]}},
        {{{SequentialLayer("Dense", DenseConfig("dense_1", 2, "linear"))}}}]},
        "keras_version": "2.4.0", "backend": "tensorflow"}
        """;

    /// <summary>Functional: Input -> Sequential "encoder" [Dense] -> Dense "head". The nested model's call is node 1
    /// in the outer config (Keras 2.4 _should_skip_first_node).</summary>
    private static readonly string FunctionalOfSequential = $$$"""
        {"class_name": "Functional", "config": {"name": "model", "layers": [
        {"class_name": "InputLayer", "config": {{{InputConfig("input_1", 3)}}}, "name": "input_1", "inbound_nodes": []},
        {"class_name": "Sequential", "config": {"name": "encoder", "layers": [
          {{{SequentialInput("enc_dense_input", 3)}}},
          {{{SequentialLayer("Dense", DenseConfig("enc_dense", 4, "tanh", inputDim: 3))}}},
          {{{SequentialLayer("Dense", DenseConfig("enc_out", 3, "sigmoid"))}}}]},
          "name": "encoder", "inbound_nodes": [[["input_1", 0, 0, {}]]]},
        {"class_name": "Dense", "config": {{{DenseConfig("head", 2, "linear")}}}, "name": "head", "inbound_nodes": [[["encoder", 1, 0, {}]]]}],
        "input_layers": [["input_1", 0, 0]], "output_layers": [["head", 0, 0]]},
        "keras_version": "2.4.0", "backend": "tensorflow"}
        """;

    /// <summary>Every other merge layer on two inputs, concatenated; outputs the concatenation and a Dense on it.</summary>
    private static readonly string AllMerges = $$$"""
        {"class_name": "Functional", "config": {"name": "merges", "layers": [
        {"class_name": "InputLayer", "config": {{{InputConfig("input_a", 3)}}}, "name": "input_a", "inbound_nodes": []},
        {"class_name": "InputLayer", "config": {{{InputConfig("input_b", 3)}}}, "name": "input_b", "inbound_nodes": []},
        {"class_name": "Subtract", "config": {{{MergeConfig("subtract")}}}, "name": "subtract", "inbound_nodes": [[["input_a", 0, 0, {}], ["input_b", 0, 0, {}]]]},
        {"class_name": "Multiply", "config": {{{MergeConfig("multiply")}}}, "name": "multiply", "inbound_nodes": [[["input_a", 0, 0, {}], ["input_b", 0, 0, {}]]]},
        {"class_name": "Average", "config": {{{MergeConfig("average")}}}, "name": "average", "inbound_nodes": [[["input_a", 0, 0, {}], ["input_b", 0, 0, {}]]]},
        {"class_name": "Maximum", "config": {{{MergeConfig("maximum")}}}, "name": "maximum", "inbound_nodes": [[["input_a", 0, 0, {}], ["input_b", 0, 0, {}]]]},
        {"class_name": "Minimum", "config": {{{MergeConfig("minimum")}}}, "name": "minimum", "inbound_nodes": [[["input_a", 0, 0, {}], ["input_b", 0, 0, {}]]]},
        {"class_name": "Dot", "config": {{{MergeConfig("dot", ", \"axes\": 1, \"normalize\": false")}}}, "name": "dot", "inbound_nodes": [[["input_a", 0, 0, {}], ["input_b", 0, 0, {}]]]},
        {"class_name": "Dot", "config": {{{MergeConfig("dot_1", ", \"axes\": 1, \"normalize\": true")}}}, "name": "dot_1", "inbound_nodes": [[["input_a", 0, 0, {}], ["input_b", 0, 0, {}]]]},
        {"class_name": "Concatenate", "config": {{{MergeConfig("concatenate", ", \"axis\": -1")}}}, "name": "concatenate", "inbound_nodes": [[["subtract", 0, 0, {}], ["multiply", 0, 0, {}], ["average", 0, 0, {}], ["maximum", 0, 0, {}], ["minimum", 0, 0, {}], ["dot", 0, 0, {}], ["dot_1", 0, 0, {}]]]},
        {"class_name": "Dense", "config": {{{DenseConfig("out", 2, "linear")}}}, "name": "out", "inbound_nodes": [[["concatenate", 0, 0, {}]]]}],
        "input_layers": [["input_a", 0, 0], ["input_b", 0, 0]], "output_layers": [["concatenate", 0, 0], ["out", 0, 0]]},
        "keras_version": "2.4.0", "backend": "tensorflow"}
        """;

    /// <summary>Input -> Dense -> BatchNormalization -> Dense: BN's moving statistics are non-trainable, so Keras's
    /// per-layer weight order and tfjs's trainable-first model.weights differ.</summary>
    private static readonly string WithBatchNorm = $$$"""
        {"class_name": "Functional", "config": {"name": "bn_model", "layers": [
        {"class_name": "InputLayer", "config": {{{InputConfig("input_1", 3)}}}, "name": "input_1", "inbound_nodes": []},
        {"class_name": "Dense", "config": {{{DenseConfig("dense", 4, "linear")}}}, "name": "dense", "inbound_nodes": [[["input_1", 0, 0, {}]]]},
        {"class_name": "BatchNormalization", "config": {"name": "batch_normalization", "trainable": true, "dtype": "float32", "axis": [1], "momentum": 0.99, "epsilon": 0.001, "center": true, "scale": true, "beta_initializer": {"class_name": "Zeros", "config": {}}, "gamma_initializer": {"class_name": "Ones", "config": {}}, "moving_mean_initializer": {"class_name": "Zeros", "config": {}}, "moving_variance_initializer": {"class_name": "Ones", "config": {}}, "beta_regularizer": null, "gamma_regularizer": null, "beta_constraint": null, "gamma_constraint": null}, "name": "batch_normalization", "inbound_nodes": [[["dense", 0, 0, {}]]]},
        {"class_name": "Dense", "config": {{{DenseConfig("dense_1", 2, "linear")}}}, "name": "dense_1", "inbound_nodes": [[["batch_normalization", 0, 0, {}]]]}],
        "input_layers": [["input_1", 0, 0]], "output_layers": [["dense_1", 0, 0]]},
        "keras_version": "2.4.0", "backend": "tensorflow"}
        """;

    // ---- plain float64 math, written independently of both tfjs and KerasNet ----

    private static (int[] shape, float[] values) Rand(Random r, params int[] shape)
    {
        int n = shape.Aggregate(1, (a, b) => a * b);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)(r.NextDouble() * 2 - 1);
        return (shape, v);
    }

    private static (int[] shape, float[] values) Positive(Random r, params int[] shape)
    {
        var (s, v) = Rand(r, shape);
        for (int i = 0; i < v.Length; i++) v[i] = 0.5f + Math.Abs(v[i]);
        return (s, v);
    }

    /// <summary>x [n, in] @ k [in, out] + b, then the activation.</summary>
    private static double[] Dense(double[] x, int n, (int[] shape, float[] values) k, (int[] shape, float[] values) b, string act)
    {
        int din = k.shape[0], dout = k.shape[1];
        var y = new double[n * dout];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < dout; j++)
            {
                double s = b.values[j];
                for (int p = 0; p < din; p++) s += x[i * din + p] * k.values[p * dout + j];
                y[i * dout + j] = s;
            }
        for (int i = 0; i < n; i++)
        {
            var row = y.AsSpan(i * dout, dout);
            switch (act)
            {
                case "linear": break;
                case "relu": for (int j = 0; j < dout; j++) row[j] = Math.Max(0, row[j]); break;
                case "tanh": for (int j = 0; j < dout; j++) row[j] = Math.Tanh(row[j]); break;
                case "sigmoid": for (int j = 0; j < dout; j++) row[j] = 1 / (1 + Math.Exp(-row[j])); break;
                case "softmax":
                    double m = double.NegativeInfinity, z = 0;
                    for (int j = 0; j < dout; j++) m = Math.Max(m, row[j]);
                    for (int j = 0; j < dout; j++) { row[j] = Math.Exp(row[j] - m); z += row[j]; }
                    for (int j = 0; j < dout; j++) row[j] /= z;
                    break;
                default: throw new ArgumentException(act);
            }
        }
        return y;
    }

    private static double[] D(float[] v) => v.Select(f => (double)f).ToArray();

    private static double[] Zip(double[] a, double[] b, Func<double, double, double> f) => a.Select((x, i) => f(x, b[i])).ToArray();

    /// <summary>Row-wise concatenation of [n, d_i] blocks.</summary>
    private static double[] ConcatRows(int n, params (double[] v, int d)[] parts)
    {
        int total = parts.Sum(p => p.d);
        var y = new double[n * total];
        for (int i = 0; i < n; i++)
        {
            int o = 0;
            foreach (var (v, d) in parts) { for (int j = 0; j < d; j++) y[i * total + o + j] = v[i * d + j]; o += d; }
        }
        return y;
    }

    private static void Close(double[] expected, (int[] Shape, float[] Values) actual, int[] shape, double tol, string what)
    {
        Assert.Equal(shape, actual.Shape);
        Assert.Equal(expected.Length, actual.Values.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual.Values[i]) <= tol, $"{what}[{i}]: expected {expected[i]:R}, tfjs {actual.Values[i]:R}");
    }

    /// <summary>Runs torch code that reads the payload (argv[1]) and prints {"loss", "losses", "weights_after"}.</summary>
    private static JsonElement Torch(string code, byte[] payload)
    {
        Oracle.RequirePython("torch");
        var dir = Oracle.TempDir();
        var path = Path.Combine(dir, "payload.json");
        File.WriteAllBytes(path, payload);
        const string prelude = """
            import json, sys, torch
            p = json.load(open(sys.argv[1]))
            T = lambda a: torch.tensor(a['values'], dtype=torch.float64).reshape(a['shape'])
            W = [T(w).requires_grad_() for w in p['weights']]
            X = [T(x) for x in p['inputs']]
            Y = [T(t) for t in p['targets']]
            lr = p['sgd_lr']
            lw = p.get('loss_weights') or [1.0] * len(Y)
            eps = 1e-7
            def cce(t, q):  # tfjs/Keras categorical_crossentropy on probabilities
                q = torch.clamp(q / q.sum(-1, keepdim=True), eps, 1 - eps)
                return (-(t * torch.log(q)).sum(-1)).mean()
            def bce(t, q):
                q = torch.clamp(q, eps, 1 - eps)
                return (-(t * torch.log(q) + (1 - t) * torch.log(1 - q))).mean(-1).mean()
            def mse(t, q):
                return ((t - q) ** 2).mean(-1).mean()
            def finish(losses, frozen=()):
                loss = sum(w * l for w, l in zip(lw, losses))
                loss.backward()
                after = [(w if i in frozen else w - lr * w.grad).detach().reshape(-1).tolist() for i, w in enumerate(W)]
                print(json.dumps({'loss': loss.item(), 'losses': [l.item() for l in losses], 'weights_after': after}))

            """;
        var stdout = Oracle.RunPythonCode(prelude + code, path);
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    private static void StepMatchesTorch(TfjsGraphOracle.Result r, JsonElement torch, IReadOnlyList<string> names, double tol = 1e-5)
    {
        Assert.NotNull(r.Loss);
        Assert.Equal(torch.GetProperty("loss").GetDouble(), r.Loss!.Value, tol);
        var tl = torch.GetProperty("losses").EnumerateArray().Select(e => e.GetDouble()).ToList();
        Assert.Equal(tl.Count, r.Losses!.Count);
        for (int i = 0; i < tl.Count; i++) Assert.Equal(tl[i], r.Losses[i]!.Value, tol);
        var after = torch.GetProperty("weights_after").EnumerateArray().ToList();
        Assert.Equal(names, r.WeightNames);
        Assert.Equal(after.Count, r.WeightsAfter!.Count);
        for (int i = 0; i < after.Count; i++)
        {
            var exp = after[i].EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var (name, shape, values) = r.WeightsAfter[i];
            Assert.Equal(names[i], name);
            Close(exp, (shape, values), shape, tol, $"{name} after one SGD step");
        }
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void TwoInputsSharedDenseAddConcatenateTwoOutputs_PredictAndOneSgdStep(bool sparse)
    {
        Oracle.RequireNodeTfjs();
        var r = new Random(11);
        const int n = 5;
        var (ks, bs, km, bm, ka, ba) = (Rand(r, 3, 4), Rand(r, 4), Rand(r, 7, 2), Rand(r, 2), Rand(r, 4, 1), Rand(r, 1));
        var weights = new[] { ks, bs, km, bm, ka, ba };
        var (a, b) = (Rand(r, n, 3), Rand(r, n, 3));
        var classes = Enumerable.Range(0, n).Select(i => (float)(i % 2)).ToArray();
        var yMain = new float[n * 2];
        for (int i = 0; i < n; i++) yMain[i * 2 + (int)classes[i]] = 1; // one-hot
        var yAux = Enumerable.Range(0, n).Select(i => (float)((i / 2) % 2)).ToArray();
        // sparse: class indices shaped [N] (Keras's usual form; the oracle reshapes them to tfjs's [N, 1]) and mse on aux.
        var targets = sparse
            ? new[] { (new[] { n }, classes), (new[] { n, 1 }, yAux) }
            : new[] { (new[] { n, 2 }, yMain), (new[] { n, 1 }, yAux) };
        string[] losses = sparse ? ["sparse_categorical_crossentropy", "mean_squared_error"] : ["categorical_crossentropy", "binary_crossentropy"];
        double[] lossWeights = sparse ? [0.7, 2.0] : [1.0, 0.5];

        var res = TfjsGraphOracle.Run(TwoTowers, weights, [a, b], targets, losses, lossWeights, sgdLr: 0.1);

        // Independent forward pass.
        var sa = Dense(D(a.values), n, ks, bs, "tanh");
        var sb = Dense(D(b.values), n, ks, bs, "tanh");
        var add = Zip(sa, sb, (x, y) => x + y);
        var cat = ConcatRows(n, (add, 4), (D(a.values), 3));
        var main = Dense(cat, n, km, bm, "softmax");
        var aux = Dense(add, n, ka, ba, "sigmoid");
        Assert.Equal(2, res.Outputs.Count);
        Close(main, res.Outputs[0], [n, 2], 1e-5, "out_main");
        Close(aux, res.Outputs[1], [n, 1], 1e-5, "out_aux");

        var torch = Torch($$"""
            a, b = X
            k, bs, km, bm, ka, ba = W
            s = torch.tanh(a @ k + bs) + torch.tanh(b @ k + bs)
            main = torch.softmax(torch.cat([s, a], -1) @ km + bm, -1)
            aux = torch.sigmoid(s @ ka + ba)
            if {{(sparse ? "True" : "False")}}:
                onehot = torch.nn.functional.one_hot(Y[0].long(), 2).double()
                finish([cce(onehot, main), mse(Y[1], aux)])
            else:
                finish([cce(Y[0], main), bce(Y[1], aux)])
            """, TfjsGraphOracle.Payload(TwoTowers, weights, [a, b], targets, losses, lossWeights, 0.1));
        StepMatchesTorch(res, torch, ["shared/kernel", "shared/bias", "out_main/kernel", "out_main/bias", "out_aux/kernel", "out_aux/bias"]);
    }

    [SkippableFact]
    public void SequentialContainingAFunctional_PredictAndOneSgdStep()
    {
        Oracle.RequireNodeTfjs();
        var r = new Random(12);
        const int n = 6;
        var weights = new[] { Rand(r, 3, 4), Rand(r, 4), Rand(r, 4, 2), Rand(r, 2) };
        var x = Rand(r, n, 3);
        var t = Rand(r, n, 2);

        var res = TfjsGraphOracle.Run(SequentialOfFunctional, weights, [x], [t], ["mean_squared_error"], sgdLr: 0.05);

        var y = Dense(Dense(D(x.values), n, weights[0], weights[1], "relu"), n, weights[2], weights[3], "linear");
        Assert.Single(res.Outputs);
        Close(y, res.Outputs[0], [n, 2], 1e-5, "sequential output");

        var torch = Torch("""
            k, b, k1, b1 = W
            finish([mse(Y[0], torch.relu(X[0] @ k + b) @ k1 + b1)])
            """, TfjsGraphOracle.Payload(SequentialOfFunctional, weights, [x], [t], ["mean_squared_error"], null, 0.05));
        StepMatchesTorch(res, torch, ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"]);
    }

    [SkippableFact]
    public void FunctionalContainingASequential_WithAFrozenNestedLayer()
    {
        Oracle.RequireNodeTfjs();
        var r = new Random(13);
        const int n = 4;
        var weights = new[] { Rand(r, 3, 4), Rand(r, 4), Rand(r, 4, 3), Rand(r, 3), Rand(r, 3, 2), Rand(r, 2) };
        var x = Rand(r, n, 3);
        var t = Rand(r, n, 2);

        var res = TfjsGraphOracle.Run(FunctionalOfSequential, weights, [x], [t], ["mse"], sgdLr: 0.2, frozenLayers: ["enc_dense"]);

        var h = Dense(Dense(D(x.values), n, weights[0], weights[1], "tanh"), n, weights[2], weights[3], "sigmoid");
        Close(Dense(h, n, weights[4], weights[5], "linear"), res.Outputs[0], [n, 2], 1e-5, "head");

        var torch = Torch("""
            k, b, k1, b1, k2, b2 = W
            h = torch.sigmoid(torch.tanh(X[0] @ k + b) @ k1 + b1)
            finish([mse(Y[0], h @ k2 + b2)], frozen=(0, 1))
            """, TfjsGraphOracle.Payload(FunctionalOfSequential, weights, [x], [t], ["mse"], null, 0.2));
        StepMatchesTorch(res, torch, ["enc_dense/kernel", "enc_dense/bias", "enc_out/kernel", "enc_out/bias", "head/kernel", "head/bias"]);
        // The frozen layer's weights come back bit for bit.
        Assert.Equal(weights[0].values, res.WeightsAfter![0].Values);
        Assert.Equal(weights[1].values, res.WeightsAfter![1].Values);
        Assert.NotEqual(weights[2].values, res.WeightsAfter![2].Values);
    }

    [SkippableFact]
    public void EveryMergeLayerPredictsTheirDefinition()
    {
        Oracle.RequireNodeTfjs();
        var r = new Random(14);
        const int n = 5;
        var weights = new[] { Rand(r, 17, 2), Rand(r, 2) };
        var (a, b) = (Rand(r, n, 3), Rand(r, n, 3));

        var res = TfjsGraphOracle.Run(AllMerges, weights, [a, b]);

        var (da, db) = (D(a.values), D(b.values));
        double[] RowDot(bool normalize) => Enumerable.Range(0, n).Select(i =>
        {
            double s = 0, na = 0, nb = 0;
            for (int j = 0; j < 3; j++) { s += da[i * 3 + j] * db[i * 3 + j]; na += da[i * 3 + j] * da[i * 3 + j]; nb += db[i * 3 + j] * db[i * 3 + j]; }
            return normalize ? s / (Math.Sqrt(na) * Math.Sqrt(nb)) : s;
        }).ToArray();
        var cat = ConcatRows(n,
            (Zip(da, db, (x, y) => x - y), 3), (Zip(da, db, (x, y) => x * y), 3), (Zip(da, db, (x, y) => (x + y) / 2), 3),
            (Zip(da, db, Math.Max), 3), (Zip(da, db, Math.Min), 3), (RowDot(false), 1), (RowDot(true), 1));
        Assert.Null(res.Loss);
        Assert.Null(res.WeightsAfter);
        Close(cat, res.Outputs[0], [n, 17], 1e-5, "concatenate");
        Close(Dense(cat, n, weights[0], weights[1], "linear"), res.Outputs[1], [n, 2], 1e-5, "out");
    }

    [SkippableFact]
    public void WeightsGoInKerasOrderNotTfjsTrainableFirstOrder()
    {
        Oracle.RequireNodeTfjs();
        var r = new Random(15);
        const int n = 3;
        // Keras 2.4 model.weights: dense kernel, bias; BN gamma, beta, moving_mean, moving_variance; dense_1 kernel, bias.
        var weights = new[] { Rand(r, 3, 4), Rand(r, 4), Positive(r, 4), Rand(r, 4), Rand(r, 4), Positive(r, 4), Rand(r, 4, 2), Rand(r, 2) };
        var x = Rand(r, n, 3);

        var res = TfjsGraphOracle.Run(WithBatchNorm, weights, [x]);

        Assert.Equal(["dense/kernel", "dense/bias", "batch_normalization/gamma", "batch_normalization/beta",
            "batch_normalization/moving_mean", "batch_normalization/moving_variance", "dense_1/kernel", "dense_1/bias"], res.WeightNames);
        var h = Dense(D(x.values), n, weights[0], weights[1], "linear");
        for (int i = 0; i < n; i++)
            for (int j = 0; j < 4; j++)
                h[i * 4 + j] = weights[2].values[j] * (h[i * 4 + j] - weights[4].values[j]) / Math.Sqrt(weights[5].values[j] + 0.001) + weights[3].values[j];
        Close(Dense(h, n, weights[6], weights[7], "linear"), res.Outputs[0], [n, 2], 1e-5, "inference-mode BN");
    }

    [SkippableFact]
    public void WrongWeightsAndWrongNestedNodeIndexGiveClearErrors()
    {
        Oracle.RequireNodeTfjs();
        var r = new Random(16);
        var x = Rand(r, 2, 3);
        var good = new[] { Rand(r, 3, 4), Rand(r, 4), Rand(r, 4, 2), Rand(r, 2) };

        var e1 = Assert.ThrowsAny<Exception>(() => TfjsGraphOracle.Run(SequentialOfFunctional, good[..3], [x]));
        Assert.Contains("tfjs model has 4 weights", e1.Message);
        Assert.Contains("dense_1/bias", e1.Message);

        var e2 = Assert.ThrowsAny<Exception>(() => TfjsGraphOracle.Run(SequentialOfFunctional, [Rand(r, 4, 3), good[1], good[2], good[3]], [x]));
        Assert.Contains("weight 0 (dense/kernel): tfjs shape [3,4], payload shape [4,3]", e2.Message);

        // Node 0 of a nested model is its own internal node; Keras numbers outer calls from 1.
        var wrongIndex = FunctionalOfSequential.Replace("""[[["encoder", 1, 0, {}]]]""", """[[["encoder", 0, 0, {}]]]""");
        Assert.NotEqual(FunctionalOfSequential, wrongIndex);
        var w6 = new[] { Rand(r, 3, 4), Rand(r, 4), Rand(r, 4, 3), Rand(r, 3), Rand(r, 3, 2), Rand(r, 2) };
        var e3 = Assert.ThrowsAny<Exception>(() => TfjsGraphOracle.Run(wrongIndex, w6, [x]));
        Assert.Contains("refers to node 0 of 'encoder', valid: 1..1", e3.Message);
    }
}

/// <summary>Oracle.RequireOracle: skip on a plain machine, fail under CI=true.</summary>
public class OracleCiRuleTests
{
    [Fact]
    public void AMissingOracleSkipsOnAPlainMachineAndFailsUnderCi()
    {
        Oracle.RequireOracle(true, "present"); // no-op
        Assert.Throws<SkipException>(() => Oracle.RequireOracle(false, "no node here", ci: false));
        var e = Assert.Throws<OracleMissingException>(() => Oracle.RequireOracle(false, "no node here", ci: true));
        Assert.Equal("no node here", e.Reason);
        Assert.StartsWith("no node here", e.Message);
    }
}
