using System.Text.Json;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Models;

/// <summary>
/// What the Graph*Tests share: seeded data, weights set from a seed, tf.keras 2.4 to_json() pieces written by hand
/// (Functional to_json is not KerasNet's yet, and a hand-written config is an independent description of the graph),
/// the tfjs payload in the config's weight order, and a float64 PyTorch runner for one training step.
/// </summary>
internal static class GraphTestKit
{
    // ---- data ----

    /// <summary>A tensor of values uniform in [lo, hi).</summary>
    public static Tensor Rand(Random r, float lo, float hi, params int[] shape)
    {
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++) t[i] = lo + (float)r.NextDouble() * (hi - lo);
        return t;
    }

    /// <summary>One-hot targets (n, classes), class of sample i = (i * 7 + seed) % classes.</summary>
    public static Tensor OneHot(int n, int classes, int seed = 0)
    {
        var y = new Tensor(n, classes);
        for (int i = 0; i < n; i++) y[i * classes + (i * 7 + seed) % classes] = 1;
        return y;
    }

    /// <summary>Sets every weight of the model to values uniform in [-scale, scale) (biases too, so none is zero).</summary>
    public static void SetRandomWeights(Model m, int seed, float scale = 0.5f)
    {
        var r = new Random(seed);
        foreach (var w in m.Weights)
            for (int i = 0; i < w.Size; i++) w.Value[i] = (float)(r.NextDouble() * 2 - 1) * scale;
    }

    /// <summary>Copies of every weight's values, by full name ("dense/kernel").</summary>
    public static Dictionary<string, float[]> Snapshot(Model m) =>
        m.Weights.ToDictionary(w => $"{w.LayerName}/{w.Name}", w => w.Value.ToArray());

    /// <summary>The model's variable called "layer/weight".</summary>
    public static Variable Var(Model m, string name) =>
        m.Weights.Single(w => $"{w.LayerName}/{w.Name}" == name);

    /// <summary>Bit-for-bit equality of two float arrays (NaN patterns included), naming the first difference.</summary>
    public static void BitEqual(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (not bit-identical)");
    }

    /// <summary>|expected - actual| within tol everywhere, naming the first difference.</summary>
    public static void Close(IReadOnlyList<double> expected, ReadOnlySpan<float> actual, double tol, string what)
    {
        Assert.Equal(expected.Count, actual.Length);
        for (int i = 0; i < expected.Count; i++)
            if (!(Math.Abs(expected[i] - actual[i]) <= tol))
                Assert.Fail($"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (tolerance {tol})");
    }

    /// <summary>A tensor as the oracles' (shape, values).</summary>
    public static (int[] shape, float[] values) O(Tensor t) => ((int[])t.Shape.Clone(), t.ToArray());

    // ---- tf.keras 2.4 to_json() pieces, key order and spelling as Keras writes them ----

    public static string InputConfig(string name, params int[] dims) =>
        $$$"""{"batch_input_shape": [null, {{{string.Join(", ", dims)}}}], "dtype": "float32", "sparse": false, "ragged": false, "name": "{{{name}}}"}""";

    public static string DenseConfig(string name, int units, string activation, int? inputDim = null, bool trainable = true) =>
        $$$"""{"name": "{{{name}}}", "trainable": {{{(trainable ? "true" : "false")}}}, {{{(inputDim is int d ? $"\"batch_input_shape\": [null, {d}], " : "")}}}"dtype": "float32", "units": {{{units}}}, "activation": "{{{activation}}}", "use_bias": true, "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}}, "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}""";

    /// <summary>A Functional layer entry: class, config, name and inbound nodes ("[[...]], [[...]]" text).</summary>
    public static string FunctionalLayer(string className, string name, string config, string inboundNodes) =>
        $$"""{"class_name": "{{className}}", "config": {{config}}, "name": "{{name}}", "inbound_nodes": [{{inboundNodes}}]}""";

    /// <summary>One inbound node reading one tensor: [["layer", node, tensor, {}]].</summary>
    public static string Call(string layer, int node = 0, int tensor = 0) => $$"""[["{{layer}}", {{node}}, {{tensor}}, {}]]""";

    public static string InputEntry(string name, params int[] dims) => FunctionalLayer("InputLayer", name, InputConfig(name, dims), "");

    public static string DenseEntry(string name, int units, string activation, string inboundNodes) =>
        FunctionalLayer("Dense", name, DenseConfig(name, units, activation), inboundNodes);

    /// <summary>A Functional model's config object (without keras_version), for nesting or wrapping.</summary>
    public static string FunctionalConfig(string name, IEnumerable<string> layers, string inputLayers, string outputLayers) =>
        $$"""{"name": "{{name}}", "layers": [{{string.Join(", ", layers)}}], "input_layers": [{{inputLayers}}], "output_layers": [{{outputLayers}}]}""";

    /// <summary>A whole to_json() text.</summary>
    public static string ModelJson(string className, string config) =>
        $$"""{"class_name": "{{className}}", "config": {{config}}, "keras_version": "2.4.0", "backend": "tensorflow"}""";

    /// <summary>A Sequential's layer entry (no "name"/"inbound_nodes").</summary>
    public static string SequentialLayer(string className, string config) => $$"""{"class_name": "{{className}}", "config": {{config}}}""";

    /// <summary>A Sequential config object.</summary>
    public static string SequentialConfig(string name, IEnumerable<string> layers) =>
        $$"""{"name": "{{name}}", "layers": [{{string.Join(", ", layers)}}]}""";

    /// <summary>
    /// The model's weights in the order of the given "layer/weight" names (the config's model.weights order), as
    /// the tfjs payload wants them.
    /// </summary>
    public static List<(int[] shape, float[] values)> WeightsInOrder(Model m, IEnumerable<string> names) =>
        names.Select(n => { var v = Var(m, n); return ((int[])v.Shape.Clone(), v.Value.ToArray()); }).ToList();

    /// <summary>"l/kernel", "l/bias" for each Dense/Conv2D layer name, in that order.</summary>
    public static string[] KernelBias(params string[] layers) => layers.SelectMany(l => new[] { l + "/kernel", l + "/bias" }).ToArray();

    // ---- PyTorch ----

    /// <summary>
    /// Runs float64 torch code on a payload (TfjsGraphOracle's format): W (weights, requires_grad), X (inputs),
    /// Y (targets), lr, lw (loss weights) and the Keras losses cce_logits (softmax cross-entropy from the logits, as
    /// fit), cce (on probabilities, clipped), bce, mse. The code ends with finish([per-output losses], frozen=(i...)),
    /// which prints the loss and every weight after one SGD step (frozen ones unchanged).
    /// </summary>
    public static JsonElement Torch(string code, byte[] payload)
    {
        Oracle.RequirePython("torch");
        var dir = Oracle.TempDir();
        try
        {
            var path = Path.Combine(dir, "payload.json");
            File.WriteAllBytes(path, payload);
            const string prelude = """
                import json, sys, torch
                import torch.nn.functional as F
                p = json.load(open(sys.argv[1]))
                T = lambda a: torch.tensor(a['values'], dtype=torch.float64).reshape(a['shape'])
                W = [T(w).requires_grad_() for w in p['weights']]
                X = [T(x) for x in p['inputs']]
                Y = [T(t) for t in p.get('targets', [])]
                lr = p.get('sgd_lr', 0.01)
                lw = p.get('loss_weights') or [1.0] * len(Y)
                eps = 1e-7
                def cce_logits(t, z):
                    return (-(t * torch.log_softmax(z, -1)).sum(-1)).mean()
                def cce(t, q):
                    q = torch.clamp(q / q.sum(-1, keepdim=True), eps, 1 - eps)
                    return (-(t * torch.log(q)).sum(-1)).mean()
                def bce(t, q):
                    q = torch.clamp(q, eps, 1 - eps)
                    return (-(t * torch.log(q) + (1 - t) * torch.log(1 - q))).mean(-1).mean()
                def mse(t, q):
                    return ((t - q) ** 2).mean(-1).mean()
                def conv(x, k, b):  # NHWC input, Keras (kh, kw, in, out) kernel, valid padding, stride 1
                    y = F.conv2d(x.permute(0, 3, 1, 2), k.permute(3, 2, 0, 1), b)
                    return y.permute(0, 2, 3, 1)
                def maxpool(x):
                    return F.max_pool2d(x.permute(0, 3, 1, 2), 2).permute(0, 2, 3, 1)
                def flat(x):
                    return x.reshape(x.shape[0], -1)
                def finish(losses, frozen=()):
                    loss = sum(w * l for w, l in zip(lw, losses))
                    loss.backward()
                    after = [(w if i in frozen else w - lr * w.grad).detach().reshape(-1).tolist() for i, w in enumerate(W)]
                    grads = [(w.grad if w.grad is not None else torch.zeros_like(w)).detach().reshape(-1).tolist() for w in W]
                    print(json.dumps({'loss': loss.item(), 'losses': [l.item() for l in losses], 'weights_after': after, 'grads': grads}))

                """;
            var stdout = Oracle.RunPythonCode(prelude + code, path);
            return JsonDocument.Parse(stdout).RootElement.Clone();
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>torch's weights_after[i] as doubles.</summary>
    public static double[] TorchWeight(JsonElement torch, int i) =>
        torch.GetProperty("weights_after")[i].EnumerateArray().Select(e => e.GetDouble()).ToArray();
}
