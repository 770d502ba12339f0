using System.Text.Json.Nodes;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Models;

/// <summary>
/// Merge layers inside Functional models built with Keras.Input / Apply / new Model(...), against tfjs-layers
/// (<see cref="TfjsGraphOracle"/>): the same tf.keras 2.4 model JSON, weights and inputs give the same predictions,
/// the same loss and the same weights after one full-batch SGD step. The JSON is written here by
/// <see cref="Keras24Json"/> (KerasNet's own Functional to_json is another piece of work), checked against
/// hand-written tf.keras 2.4 text.
/// </summary>
public class MergeModelTests
{
    /// <summary>
    /// A Functional model's to_json() as tf.keras 2.4 writes it: class_name "Functional", per layer
    /// {"class_name", "config", "name", "inbound_nodes": [[[layer, node_index, tensor_index, {}], ...] per call]},
    /// then "input_layers" and "output_layers", json.dumps spacing. Layers in model.Layers order (tf.keras 2.4's).
    /// </summary>
    internal static string Keras24Json(Model model)
    {
        var layers = new JsonArray();
        foreach (var l in model.Layers)
        {
            var nodes = new JsonArray();
            if (l is not InputLayer)
                foreach (var node in l.InboundNodesList)
                {
                    var refs = new JsonArray();
                    foreach (var t in node.Inputs) refs.Add(new JsonArray(t.Layer.Name, t.Node.IndexInLayer, t.Index, new JsonObject()));
                    nodes.Add(refs);
                }
            layers.Add(new JsonObject { ["class_name"] = l.ClassName, ["config"] = l.GetConfig(), ["name"] = l.Name, ["inbound_nodes"] = nodes });
        }
        JsonArray Refs(IEnumerable<KerasTensor> ts) => new(ts.Select(t => (JsonNode)new JsonArray(t.Layer.Name, t.Node.IndexInLayer, t.Index)).ToArray());
        var root = new JsonObject
        {
            ["class_name"] = "Functional",
            ["config"] = new JsonObject { ["name"] = model.Name, ["layers"] = layers, ["input_layers"] = Refs(model.Inputs), ["output_layers"] = Refs(model.Outputs) },
            ["keras_version"] = "2.4.0",
            ["backend"] = "tensorflow",
        };
        return PyJson.Dumps(root);
    }

    private static string DenseConfig(string name, int units, string activation) =>
        $$$"""{"name": "{{{name}}}", "trainable": true, "dtype": "float32", "units": {{{units}}}, "activation": "{{{activation}}}", "use_bias": true, "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}}, "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}""";

    private static string InputConfig(string name, string shape) =>
        $$$"""{"batch_input_shape": [null, {{{shape}}}], "dtype": "float32", "sparse": false, "ragged": false, "name": "{{{name}}}"}""";

    [Fact]
    public void TheJsonHelperWritesTfKeras24Text()
    {
        // keras.io's Add example with a Concatenate and a Dot, written by hand as tf.keras 2.4's model.to_json() prints it.
        var input1 = Keras.Input(16, name: "input_1");
        var x1 = new Dense(8, "relu", name: "dense").Apply(input1);
        var input2 = Keras.Input(32, name: "input_2");
        var x2 = new Dense(8, "relu", name: "dense_1").Apply(input2);
        var added = new Add(name: "add").Apply(x1, x2);
        var both = new Concatenate(axis: 1, name: "concatenate").Apply(added, x1);
        var dot = new Dot((1, 1), normalize: true, name: "dot").Apply(x1, x2);
        var out1 = new Dense(4, name: "dense_2").Apply(both);
        var model = new Model([input1, input2], [out1, dot], name: "model");
        var expected = $$$"""
            {"class_name": "Functional", "config": {"name": "model", "layers": [{"class_name": "InputLayer", "config": {{{InputConfig("input_1", "16")}}}, "name": "input_1", "inbound_nodes": []}, {"class_name": "InputLayer", "config": {{{InputConfig("input_2", "32")}}}, "name": "input_2", "inbound_nodes": []}, {"class_name": "Dense", "config": {{{DenseConfig("dense", 8, "relu")}}}, "name": "dense", "inbound_nodes": [[["input_1", 0, 0, {}]]]}, {"class_name": "Dense", "config": {{{DenseConfig("dense_1", 8, "relu")}}}, "name": "dense_1", "inbound_nodes": [[["input_2", 0, 0, {}]]]}, {"class_name": "Add", "config": {"name": "add", "trainable": true, "dtype": "float32"}, "name": "add", "inbound_nodes": [[["dense", 0, 0, {}], ["dense_1", 0, 0, {}]]]}, {"class_name": "Concatenate", "config": {"name": "concatenate", "trainable": true, "dtype": "float32", "axis": 1}, "name": "concatenate", "inbound_nodes": [[["add", 0, 0, {}], ["dense", 0, 0, {}]]]}, {"class_name": "Dense", "config": {{{DenseConfig("dense_2", 4, "linear")}}}, "name": "dense_2", "inbound_nodes": [[["concatenate", 0, 0, {}]]]}, {"class_name": "Dot", "config": {"name": "dot", "trainable": true, "dtype": "float32", "axes": [1, 1], "normalize": true}, "name": "dot", "inbound_nodes": [[["dense", 0, 0, {}], ["dense_1", 0, 0, {}]]]}], "input_layers": [["input_1", 0, 0], ["input_2", 0, 0]], "output_layers": [["dense_2", 0, 0], ["dot", 0, 0]]}, "keras_version": "2.4.0", "backend": "tensorflow"}
            """;
        Assert.Equal(expected, Keras24Json(model));
    }

    // ---- the oracle comparison ----

    private static (int[] shape, float[] values) Rand(Random r, params int[] shape)
    {
        var v = new float[ShapeUtil.Product(shape)];
        for (int i = 0; i < v.Length; i++) v[i] = (float)(r.NextDouble() * 2 - 1);
        return (shape, v);
    }

    private static Tensor T((int[] shape, float[] values) a) => new((float[])a.values.Clone(), a.shape);

    private static void Close(float[] expected, float[] actual, string what, double tol = 1e-5)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, tfjs has {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * (1 + Math.Abs(expected[i])), $"{what}[{i}]: KerasNet {actual[i]:R}, tfjs {expected[i]:R}");
    }

    /// <summary>
    /// Sets random weights (or the given ones), predicts, trains one SGD step on mse, and compares everything with tfjs
    /// on the JSON of the same model. Returns the weights before and after the step.
    /// </summary>
    private static (List<float[]> before, List<float[]> after) CompareWithTfjs(Model model, int seed, double[]? lossWeights = null,
        Action<IReadOnlyList<Variable>, Random>? setWeights = null)
    {
        Oracle.RequireNodeTfjs();
        var r = new Random(seed);
        var vars = model.Weights;
        foreach (var v in vars) v.Assign(Rand(r, v.Shape).values);
        setWeights?.Invoke(vars, r);
        var weights = vars.Select(v => (v.Shape, v.Value.ToArray())).ToList();
        const int n = 4;
        var inputs = model.Inputs.Select(t => Rand(r, [n, .. t.Shape])).ToList();
        var targets = model.Outputs.Select(t => Rand(r, [n, .. t.Shape])).ToList();
        var json = Keras24Json(model);

        var tfjs = TfjsGraphOracle.Run(json, weights, inputs, targets, model.Outputs.Select(_ => "mean_squared_error").ToList(), lossWeights, sgdLr: 0.1);

        Assert.Equal(vars.Select(v => $"{v.LayerName}/{v.Name}"), tfjs.WeightNames);
        var predictions = model.PredictOnBatch(inputs.Select(T).ToArray());
        Assert.Equal(tfjs.Outputs.Count, predictions.Length);
        for (int o = 0; o < predictions.Length; o++)
        {
            Assert.Equal(tfjs.Outputs[o].Shape, predictions[o].Shape);
            Close(tfjs.Outputs[o].Values, predictions[o].ToArray(), $"output {model.OutputNames[o]}");
        }

        model.Compile(new SGD(0.1), model.Outputs.Select(_ => "mean_squared_error").ToArray(), lossWeights: lossWeights);
        double loss = model.TrainStep(new Batch(inputs.Select(T).ToArray(), targets.Select(T).ToArray()));
        Assert.Equal(tfjs.Loss!.Value, loss, 1e-5);
        for (int i = 0; i < vars.Count; i++)
            Close(tfjs.WeightsAfter![i].Values, vars[i].Value.ToArray(), $"{vars[i].FullName} after one SGD step");
        return (weights.Select(w => w.Item2).ToList(), vars.Select(v => v.Value.ToArray()).ToList());
    }

    [SkippableFact]
    public void EveryMergeLayerOnVectors_PredictAndOneSgdStepMatchTfjs()
    {
        Oracle.RequireNodeTfjs();
        var inA = Keras.Input(3, name: "in_a");
        var inB = Keras.Input(3, name: "in_b");
        var da = new Dense(4, "tanh", name: "da").Apply(inA);
        var db = new Dense(4, "tanh", name: "db").Apply(inB);
        var add = new Add(name: "add").Apply(da, db);
        var sub = new Subtract(name: "sub").Apply(da, db);
        var mul = new Multiply(name: "mul").Apply(da, db);
        var avg = new Average(name: "avg").Apply(da, db, add);
        var max = new Maximum(name: "max").Apply(da, db, sub);
        var min = new Minimum(name: "min").Apply(db, da);
        var dotN = new Dot(1, normalize: true, name: "dot_n").Apply(da, db);
        var dot = new Dot(-1, name: "dot").Apply(add, sub);
        var cat = new Concatenate(name: "cat").Apply(add, sub, mul, avg, max, min, dotN, dot);
        var out1 = new Dense(2, name: "out").Apply(cat);
        var model = new Model([inA, inB], [out1], name: "merges_flat");
        Assert.Equal([26], cat.Shape);
        CompareWithTfjs(model, 21);
    }

    [SkippableFact]
    public void BroadcastingRank3ConcatenateOnAxes1And2AndDotAxes_PredictAndOneSgdStepMatchTfjs()
    {
        Oracle.RequireNodeTfjs();
        var inX = Keras.Input((3, 4), name: "in_x");
        var inY = Keras.Input((1, 4), name: "in_y");
        var inZ = Keras.Input(4, name: "in_z");
        var inW = Keras.Input((12, 3), name: "in_w");
        var hx = new Dense(4, "tanh", name: "hx").Apply(inX);   // (3, 4)
        var hy = new Dense(4, "tanh", name: "hy").Apply(inY);   // (1, 4): broadcast along axis 1
        var hz = new Dense(4, "tanh", name: "hz").Apply(inZ);   // (4,): a lower rank, expanded at axis 1
        var hw = new Dense(2, name: "hw").Apply(inW);           // (12, 2)
        var add = new Add(name: "add3").Apply(hx, hy, hz);
        var mul = new Multiply(name: "mul3").Apply(hx, hy);
        // tfjs's maximum/minimum gradients do not sum over broadcast dimensions ("The gradient of input 'b' has shape
        // '4,3,4', which does not match the shape of the input '4,1,4'"), so here they merge equal shapes; their
        // broadcasting is checked against torch in MergeLayerTests.
        var max = new Maximum(name: "max3").Apply(hx, add);
        var min = new Minimum(name: "min3").Apply(mul, hx);
        var sub = new Subtract(name: "sub3").Apply(hz, hx);
        var avg = new Average(name: "avg3").Apply(hy, hz);      // (1, 4)
        var c1 = new Concatenate(axis: 1, name: "cat_1").Apply(add, mul, avg);  // (7, 4)
        var c2 = new Concatenate(axis: 2, name: "cat_2").Apply(max, min, sub);  // (3, 12)
        var d1 = new Dot((2, 2), name: "dot_22").Apply(add, mul);               // (3, 3)
        var d2 = new Dot((2, 1), name: "dot_21").Apply(c2, hw);                 // (3, 2)
        var d3 = new Dot((2, 1), normalize: true, name: "dot_21n").Apply(c2, hw); // (3, 2); tfjs mis-reads negative axes in a pair
        var d4 = new Dot(1, name: "dot_11").Apply(c1, c1);                      // (4, 4), one tensor on both sides
        var c3 = new Concatenate(name: "cat_3").Apply(d1, d2, d3);              // (3, 7)
        var out1 = new Dense(2, name: "out1").Apply(new Flatten(name: "flat1").Apply(c3));
        var out2 = new Dense(1, name: "out2").Apply(new Flatten(name: "flat2").Apply(d4));
        var model = new Model([inX, inY, inZ, inW], [out1, out2], name: "merges_rank3");
        Assert.Equal([7, 4], c1.Shape);
        Assert.Equal([3, 12], c2.Shape);
        Assert.Equal([3, 3], d1.Shape);
        Assert.Equal([4, 4], d4.Shape);
        Assert.Equal([3, 7], c3.Shape);
        CompareWithTfjs(model, 22, lossWeights: [1.0, 0.5]);
    }

    [SkippableFact]
    public void MaximumAndMinimumTiesRouteTheGradientToTheFirstInputLikeTfjs()
    {
        Oracle.RequireNodeTfjs();
        var input = Keras.Input(3, name: "t_in");
        var ta = new Dense(4, name: "ta");
        var tb = new Dense(4, name: "tb");
        var a = ta.Apply(input);
        var b = tb.Apply(input);
        var max = new Maximum(name: "tmax").Apply(a, b);
        var min = new Minimum(name: "tmin").Apply(b, a);
        var output = new Dense(1, name: "tout").Apply(new Concatenate(name: "tcat").Apply(max, min));
        var model = new Model(input, output, name: "ties");
        // ta and tb get the same weights, so a == b everywhere: every element of max and min is a tie.
        var (before, after) = CompareWithTfjs(model, 23, setWeights: (vars, _) =>
        {
            Assert.Equal(["ta", "ta", "tb", "tb"], vars.Take(4).Select(v => v.LayerName));
            vars[2].Assign(vars[0].Value.Span);
            vars[3].Assign(vars[1].Value.Span);
        });
        Assert.Equal(before[0], before[2]);
        // Maximum sends every gradient to a (ta), Minimum to b (tb): the two layers now differ, which an even split would not do.
        Assert.NotEqual(after[0], after[2]);
        Assert.NotEqual(before[0], after[0]);
        Assert.NotEqual(before[2], after[2]);
    }
}
