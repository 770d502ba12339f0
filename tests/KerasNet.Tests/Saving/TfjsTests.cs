#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Saving;

/// <summary>@tensorflow/tfjs (tfjs-layers, an independent Keras) rebuilds our JSON and predicts what we predict.</summary>
public class TfjsTests
{
    private static JsonObject ArrayJson(float[] values, int[] shape)
    {
        var v = new JsonArray();
        foreach (var f in values) v.Add((double)f);
        var s = new JsonArray();
        foreach (var d in shape) s.Add(d);
        return new JsonObject { ["shape"] = s, ["values"] = v };
    }

    [SkippableFact]
    public void TfjsBuildsOurJsonAndPredictsTheSame()
    {
        Oracle.RequireNodeTfjs();
        var m = SavingTestUtil.SmallCnn();
        var (x, y) = SavingTestUtil.Data(5);
        m.TrainStep(new Batch(x, y)); // non-trivial weights, biases included
        var weights = new JsonArray();
        foreach (var w in m.Weights) weights.Add(ArrayJson(w.Value.ToArray(), w.Shape));
        var payload = new JsonObject { ["model"] = m.ToJson(), ["weights"] = weights, ["input"] = ArrayJson(x.ToArray(), x.Shape) };
        var path = Path.Combine(Oracle.TempDir(), "payload.json");
        File.WriteAllText(path, payload.ToJsonString());

        var result = JsonNode.Parse(Oracle.RunNodeScript("saving_tfjs_predict.js", path))!;
        Assert.Equal(["InputLayer", "Conv2D", "MaxPooling2D", "Conv2D", "Activation", "Flatten", "Dropout", "Dense", "Dense"],
            result["layers"]!.AsArray().Select(l => l!.GetValue<string>()));
        var shape = result["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray();
        var theirs = new Tensor(result["values"]!.AsArray().Select(v => (float)v!.GetValue<double>()).ToArray(), shape);
        SavingTestUtil.AssertClose(theirs, m.Predict(x), 1e-5, "tfjs vs KerasNet");
    }
}
