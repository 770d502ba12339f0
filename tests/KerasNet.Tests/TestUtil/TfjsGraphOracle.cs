#nullable enable
using System.Text.Json;

namespace KerasNet.Tests.TestUtil;

/// <summary>
/// tfjs-layers (@tensorflow/tfjs, an independent Keras) as an oracle for whole graphs: Sequential or Functional
/// models (multi-input/multi-output, merge layers, shared layers, nested models) given as Keras to_json() text.
/// It predicts every output with the given weights and, when targets are given, runs ONE full-batch SGD step
/// (trainOnBatch: batch = all samples, no shuffle) and returns the loss before the step and the weights after it.
/// Runs <c>Oracles/graph_tfjs.js</c>; see its header for the payload format and the tfjs quirks it handles.
/// </summary>
/// <remarks>
/// Weights (in and out) are in Keras 2.4 <c>model.weights</c> / <c>get_weights()</c> order: per layer, in the order
/// of the model's layers (the "layers" list of the config), each layer's trainable then non-trainable weights,
/// nested models expanded in place, shared layers once. Inputs follow "input_layers", outputs and targets follow
/// "output_layers". Values are float32, row-major (C order). Calls <see cref="Oracle.RequireNodeTfjs"/> first, so
/// a test using it skips (or fails under CI=true) where node/tfjs is missing.
/// </remarks>
public static class TfjsGraphOracle
{
    /// <summary>What tfjs computed.</summary>
    /// <param name="Outputs">Predictions with the given weights, one per model output.</param>
    /// <param name="Loss">Total training loss (sum of loss_weights[i] * loss_i) at the weights before the step; null when not trained.</param>
    /// <param name="Losses">The per-output (unweighted) losses before the step, one entry per output; null when not
    /// trained; an entry is null where its loss weight is 0 (tfjs only reports weighted values).</param>
    /// <param name="WeightsAfter">The weights after the SGD step, in the order given; null when not trained.</param>
    /// <param name="WeightNames">tfjs's names of the weights in the order given ("dense/kernel", "dense/bias", ...).</param>
    public sealed record Result(
        IReadOnlyList<(int[] Shape, float[] Values)> Outputs,
        double? Loss,
        IReadOnlyList<double?>? Losses,
        IReadOnlyList<(string Name, int[] Shape, float[] Values)>? WeightsAfter,
        IReadOnlyList<string> WeightNames);

    /// <summary>Builds the model in tfjs, sets the weights, predicts, and optionally trains one SGD step.</summary>
    /// <param name="modelJson">Keras to_json() text (tf.keras 2.4 style; class_name "Sequential", "Functional" or "Model").</param>
    /// <param name="weights">Every weight, in Keras model.weights order (see remarks).</param>
    /// <param name="inputs">One array per model input, batch first.</param>
    /// <param name="targets">One array per output; when given, the model is compiled and trained for one step.</param>
    /// <param name="losses">One Keras loss name per output: "categorical_crossentropy", "mean_squared_error",
    /// "binary_crossentropy", "sparse_categorical_crossentropy" (also "mse", "mae", "mean_absolute_error"). Default mean_squared_error.</param>
    /// <param name="lossWeights">One coefficient per output (default 1 each).</param>
    /// <param name="sgdLr">SGD learning rate (default 0.01, Keras's SGD default).</param>
    /// <param name="frozenLayers">Names of layers (any nesting depth, nested models included) set trainable=false before compile.</param>
    public static Result Run(
        string modelJson,
        IReadOnlyList<(int[] shape, float[] values)> weights,
        IReadOnlyList<(int[] shape, float[] values)> inputs,
        IReadOnlyList<(int[] shape, float[] values)>? targets = null,
        IReadOnlyList<string>? losses = null,
        IReadOnlyList<double>? lossWeights = null,
        double? sgdLr = null,
        IEnumerable<string>? frozenLayers = null)
    {
        Oracle.RequireNodeTfjs();
        var dir = Oracle.TempDir();
        try
        {
            var path = Path.Combine(dir, "payload.json");
            File.WriteAllBytes(path, Payload(modelJson, weights, inputs, targets, losses, lossWeights, sgdLr, frozenLayers));
            var stdout = Oracle.RunNodeScript("graph_tfjs.js", path);
            return Parse(stdout);
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The payload graph_tfjs.js reads (UTF-8 JSON).</summary>
    public static byte[] Payload(
        string modelJson,
        IReadOnlyList<(int[] shape, float[] values)> weights,
        IReadOnlyList<(int[] shape, float[] values)> inputs,
        IReadOnlyList<(int[] shape, float[] values)>? targets = null,
        IReadOnlyList<string>? losses = null,
        IReadOnlyList<double>? lossWeights = null,
        double? sgdLr = null,
        IEnumerable<string>? frozenLayers = null)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("model", modelJson);
            WriteArrays(w, "weights", weights);
            WriteArrays(w, "inputs", inputs);
            if (targets != null) WriteArrays(w, "targets", targets);
            if (losses != null)
            {
                w.WriteStartArray("losses");
                foreach (var l in losses) w.WriteStringValue(l);
                w.WriteEndArray();
            }
            if (lossWeights != null)
            {
                w.WriteStartArray("loss_weights");
                foreach (var l in lossWeights) w.WriteNumberValue(l);
                w.WriteEndArray();
            }
            if (sgdLr != null) w.WriteNumber("sgd_lr", sgdLr.Value);
            if (frozenLayers != null)
            {
                w.WriteStartObject("trainable");
                foreach (var n in frozenLayers) w.WriteBoolean(n, false);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return ms.ToArray();
    }

    private static void WriteArrays(Utf8JsonWriter w, string name, IReadOnlyList<(int[] shape, float[] values)> arrays)
    {
        w.WriteStartArray(name);
        for (int i = 0; i < arrays.Count; i++)
        {
            var (shape, values) = arrays[i];
            long n = 1;
            foreach (var d in shape) n *= d;
            if (n != values.Length)
                throw new ArgumentException($"{name}[{i}]: shape [{string.Join(", ", shape)}] holds {n} values, got {values.Length}");
            w.WriteStartObject();
            w.WriteStartArray("shape");
            foreach (var d in shape) w.WriteNumberValue(d);
            w.WriteEndArray();
            w.WriteStartArray("values");
            foreach (var v in values)
            {
                if (!float.IsFinite(v)) throw new ArgumentException($"{name}[{i}] holds {v}, which JSON cannot carry");
                w.WriteNumberValue((double)v); // the float's exact value; tfjs rounds it back to the same float32
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>Parses graph_tfjs.js's stdout.</summary>
    public static Result Parse(string stdout)
    {
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        var outputs = root.GetProperty("outputs").EnumerateArray().Select(e => (Shape(e), Values(e))).ToList();
        var names = root.GetProperty("weight_names").EnumerateArray().Select(e => e.GetString()!).ToList();
        double? loss = root.TryGetProperty("loss", out var l) ? l.GetDouble() : null;
        List<double?>? losses = root.TryGetProperty("losses", out var ls)
            ? ls.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? (double?)null : e.GetDouble()).ToList()
            : null;
        List<(string, int[], float[])>? after = root.TryGetProperty("weights_after", out var wa)
            ? wa.EnumerateArray().Select(e => (e.GetProperty("name").GetString()!, Shape(e), Values(e))).ToList()
            : null;
        return new Result(outputs, loss, losses, after, names);
    }

    private static int[] Shape(JsonElement e) => e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();

    private static float[] Values(JsonElement e) => e.GetProperty("values").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
}
