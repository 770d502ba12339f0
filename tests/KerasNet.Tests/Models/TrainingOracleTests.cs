using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Models;

/// <summary>
/// A whole epoch of Fit (forward, fused softmax cross-entropy, backward through every layer, optimizer) against the
/// same training written independently in float64 PyTorch (core_torch_train.py), from the same initial weights.
/// </summary>
public class TrainingOracleTests
{
    [SkippableTheory]
    [InlineData("sgd", false)]
    [InlineData("adam", false)]
    [InlineData("adam", true)]
    public void OneEpochOfFitMatchesAnIndependentTorchTraining(string optimizer, bool separateSoftmax)
    {
        Oracle.RequirePython("torch", "numpy");
        KerasRandom.SetRandomSeed(77);
        var m = new Sequential();
        m.Add(new Conv2D(6, (3, 3), inputShape: (10, 10, 1), activation: "tanh"));
        m.Add(new MaxPooling2D((2, 2)));
        m.Add(new Conv2D(4, (2, 2), padding: "same", strides: (2, 2), activation: "relu"));
        m.Add(new Flatten());
        m.Add(new Dense(8, activation: "sigmoid"));
        // Either Dense(2, softmax) or Dense(2) + Activation("softmax"): fit fuses the cross-entropy with both.
        m.Add(new Dense(2, activation: separateSoftmax ? null : "softmax"));
        if (separateSoftmax) m.Add(new Activation("softmax"));
        Optimizer opt = optimizer == "adam" ? new Adam(0.01) : new SGD(0.1, momentum: 0.9);
        m.Compile(opt, "categorical_crossentropy");
        m.ProgressOutput = new StringWriter();
        var (x, y) = Synthetic.Bars(40, seed: 8);
        var dir = Oracle.TempDir();
        var w0 = m.Weights.ToList();
        for (int i = 0; i < w0.Count; i++) Npy.Save(Path.Combine(dir, $"w{i}.npy"), w0[i].Value);
        Npy.Save(Path.Combine(dir, "x.npy"), x);
        Npy.Save(Path.Combine(dir, "y.npy"), y);
        JsonObject Conv(int kh, int kw, int s, string pad, string act) => new()
        {
            ["kind"] = "conv2d", ["kernel"] = new JsonArray(kh, kw), ["strides"] = new JsonArray(s, s), ["padding"] = pad,
            ["activation"] = act, ["has_w"] = true, ["has_b"] = true,
        };
        var spec = new JsonObject
        {
            ["layers"] = new JsonArray(
                Conv(3, 3, 1, "valid", "tanh"),
                new JsonObject { ["kind"] = "maxpool", ["pool"] = new JsonArray(2, 2), ["strides"] = new JsonArray(2, 2), ["padding"] = "valid" },
                Conv(2, 2, 2, "same", "relu"),
                new JsonObject { ["kind"] = "flatten" },
                new JsonObject { ["kind"] = "dense", ["activation"] = "sigmoid", ["has_w"] = true, ["has_b"] = true },
                new JsonObject { ["kind"] = "dense", ["activation"] = separateSoftmax ? "linear" : "softmax", ["has_w"] = true, ["has_b"] = true }),
            ["optimizer"] = optimizer == "adam" ? new JsonObject { ["name"] = "adam", ["lr"] = 0.01 } : new JsonObject { ["name"] = "sgd", ["lr"] = 0.1, ["momentum"] = 0.9 },
            ["batch_size"] = 8,
        };
        if (separateSoftmax) spec["layers"]!.AsArray().Add(new JsonObject { ["kind"] = "activation", ["activation"] = "softmax" });
        File.WriteAllText(Path.Combine(dir, "spec.json"), spec.ToJsonString());
        Oracle.RunPythonScript("core_torch_train.py", dir);

        var h = m.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0, shuffle: false);
        double expectedLoss = Npy.Load(Path.Combine(dir, "loss.npy"))[0];
        Assert.Equal(expectedLoss, h.history["loss"][0], 1e-5);
        for (int i = 0; i < w0.Count; i++)
            Layers.OracleCompare.Close(Npy.Load(Path.Combine(dir, $"out{i}.npy")), w0[i].Value.ToArray(), $"{optimizer}: {w0[i].FullName} after 5 steps");
    }
}
