#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Tests.Console;
using KerasNet.Tests.TestUtil;
using Xunit;
using Apps = KerasNet.Applications.Applications;

namespace KerasNet.Tests.Models;

/// <summary>
/// Teachable Machine's image export (keras_model.h5): an outer Sequential of a base Sequential (MobileNetV2 alpha 0.35
/// truncated at 'out_relu' + GlobalAveragePooling2D) and a head Sequential (Dense(100, relu) 'dense_Dense1',
/// Dense(N, softmax, no bias) 'dense_Dense2'). The file is written by h5py (saving_nested_h5_write.py, tf.keras 2.4's
/// nested weight groups) from KerasNet's to_json of the same structure; tfjs-layers predicts from the same JSON.
/// </summary>
public sealed class TeachableMachineTests
{
    private const int Classes = 3;

    private static Sequential Build()
    {
        var mobilenet = Apps.MobileNetV2((224, 224, 3), alpha: 0.35, includeTop: false);
        var truncated = new Model(mobilenet.Inputs, mobilenet.GetLayer("out_relu").Output, "model1");
        var baseModel = new Sequential([truncated, new GlobalAveragePooling2D()], name: "sequential_1");
        var head = new Sequential([new Dense(100, activation: "relu", inputShape: 1280, name: "dense_Dense1"),
            new Dense(Classes, activation: "softmax", useBias: false, name: "dense_Dense2")], name: "sequential_2");
        return new Sequential([baseModel, head], name: "sequential_3");
    }

    private static IEnumerable<Layer> Leaves(Layer l) => l is Model m ? m.Layers.SelectMany(Leaves) : [l];

    private static string WriteWithH5py(Sequential m)
    {
        var weights = new JsonObject();
        foreach (var layer in Leaves(m).Where(l => l.Weights.Count > 0))
            weights[layer.Name] = new JsonArray(layer.Weights.Select(v =>
            {
                var values = new JsonArray();
                foreach (var f in v.Value.ToArray()) values.Add((double)f);
                return (JsonNode)new JsonObject
                {
                    ["name"] = v.Name, ["trainable"] = v.Trainable,
                    ["shape"] = new JsonArray(v.Shape.Select(d => (JsonNode)d).ToArray()), ["values"] = values,
                };
            }).ToArray());
        var payload = new JsonObject { ["model_config"] = m.ToJson(), ["keras_version"] = "2.4.0", ["weights"] = weights };
        var dir = Oracle.TempDir();
        File.WriteAllText(Path.Combine(dir, "payload.json"), payload.ToJsonString());
        var path = Path.Combine(dir, "keras_model.h5");
        Oracle.RunPythonScript("saving_nested_h5_write.py", Path.Combine(dir, "payload.json"), path);
        return path;
    }

    private static KerasNet.Engine.Tensor Images(int n, int seed)
    {
        var r = new Random(seed);
        return new(Enumerable.Range(0, n * 224 * 224 * 3).Select(_ => (float)r.NextDouble()).ToArray(), n, 224, 224, 3);
    }

    [SkippableFact]
    public void ExportLoadsPredictsAsTfjsFineTunesFrozenAndRoundTrips()
    {
        Oracle.RequirePython("h5py");
        // A context of its own: the initial weights (and so the descent below) must not depend on what other tests
        // drew from a shared random stream before (CI once ran it after others and the loss rose).
        var context = new KerasNet.KerasContext();
        context.SetRandomSeed(5);
        using var scope = KerasNet.KerasContext.Use(context);
        var reference = Build();
        ApplicationsTests.Randomize(reference, 11);
        var path = WriteWithH5py(reference);

        var m = Assert.IsType<Sequential>(Keras.LoadModel(path));
        Assert.Equal(["sequential_1", "sequential_2"], m.Layers.Select(l => l.Name));
        var x = Images(4, 12);
        var ours = m.Predict(x);
        Assert.Equal(reference.Predict(x).ToArray(), ours.ToArray());

        Oracle.RequireNodeTfjs();
        var tfjs = TfjsGraphOracle.Run(m.ToJson(), m.Weights.Select(w => (w.Shape, w.Value.ToArray())).ToList(), [(x.Shape, x.ToArray())]);
        double maxDiff = ours.ToArray().Zip(tfjs.Outputs[0].Values, (a, b) => Math.Abs(a - b)).Max();
        System.Console.WriteLine($"Teachable Machine export vs tfjs: max abs diff {maxDiff:E3}");
        Assert.True(maxDiff < 1e-5, $"max abs diff {maxDiff}");

        // Fine-tune the head with the base frozen: the base's weights and moving statistics stay, the head moves.
        var baseModel = (Model)m.Layers[0];
        baseModel.Trainable = false;
        var before = baseModel.Weights.Select(w => w.Value.ToArray()).ToList();
        var headBefore = m.Layers[1].Weights.Select(w => w.Value.ToArray()).ToList();
        // Small full-batch SGD steps must each lower the loss (first order); SGD(0.01) sometimes overshot on 1280 features
        // of random images, and Adam's first sign-sized steps do.
        m.Compile(new KerasNet.Optimizers.SGD(learningRate: 0.001), "categorical_crossentropy");
        var xs = Images(6, 13);
        var ys = new KerasNet.Engine.Tensor(new float[6 * Classes], 6, Classes);
        for (int i = 0; i < 6; i++) ys[i * Classes + i % Classes] = 1;
        m.ProgressOutput = TextWriter.Null;
        var history = m.Fit(xs, ys, epochs: 3, batchSize: 6, verbose: 0);
        var losses = history.history["loss"];
        for (int i = 1; i < losses.Count; i++) Assert.True(losses[i] < losses[i - 1], $"loss {string.Join(" -> ", losses)}");
        for (int i = 0; i < before.Count; i++) Assert.Equal(before[i], baseModel.Weights[i].Value.ToArray());
        Assert.Contains(baseModel.Weights, w => w.Name == "moving_mean");
        Assert.NotEqual(headBefore[0], m.Layers[1].Weights[0].Value.ToArray());

        // Saved and reloaded, it predicts the same; the CLI classifies an image with it.
        var saved = Path.Combine(Oracle.TempDir(), "tuned.h5");
        m.Save(saved);
        var again = Keras.LoadModel(saved);
        var one = Images(1, 14);
        Assert.Equal(m.Predict(one).ToArray(), again.Predict(one).ToArray());
        var bmp = Path.Combine(Oracle.TempDir(), "cat.bmp");
        WriteBmp(bmp, one);
        var r = CliRunner.Run("predict", "--model", saved, "--images", bmp);
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("cat.bmp", r.Out);
    }

    /// <summary>A 24-bit BMP of the first image (values in [0, 1]).</summary>
    private static void WriteBmp(string path, KerasNet.Engine.Tensor img)
    {
        int h = img.Shape[1], w = img.Shape[2], stride = (w * 3 + 3) & ~3;
        using var bw = new BinaryWriter(File.Create(path));
        bw.Write((byte)'B'); bw.Write((byte)'M'); bw.Write(54 + stride * h); bw.Write(0); bw.Write(54);
        bw.Write(40); bw.Write(w); bw.Write(h); bw.Write((short)1); bw.Write((short)24); bw.Write(0); bw.Write(stride * h);
        bw.Write(2835); bw.Write(2835); bw.Write(0); bw.Write(0);
        for (int y = h - 1; y >= 0; y--)
        {
            for (int xx = 0; xx < w; xx++)
                for (int c = 2; c >= 0; c--) bw.Write((byte)Math.Clamp((int)(img[(y * w + xx) * 3 + c] * 255), 0, 255));
            for (int p = w * 3; p < stride; p++) bw.Write((byte)0);
        }
    }
}
