using System.Globalization;
using System.Text.Json;
using KerasNet.Engine;

namespace KerasNet.Serving;

/// <summary>
/// TF Serving's JSON answers: predictions (row form <c>{"predictions": [...]}</c>, an object of named outputs per row
/// for multi-output models; columnar <c>{"outputs": ...}</c>, an object of named tensors for several outputs), the
/// model status (GetModelStatusResponse) and metadata (GetModelMetadataResponse with its SignatureDefMap).
/// </summary>
internal static class ResponseJson
{
    public static byte[] Predictions(ServedModel model, Tensor[] outputs, bool columnar) => Write(w =>
    {
        w.WriteStartObject();
        bool named = outputs.Length > 1;
        if (columnar)
        {
            w.WritePropertyName("outputs");
            if (named) w.WriteStartObject();
            for (int o = 0; o < outputs.Length; o++)
            {
                if (named) w.WritePropertyName(model.OutputNames[o]);
                int at = 0;
                Values(w, outputs[o].Buffer, outputs[o].Shape, 0, ref at);
            }
            if (named) w.WriteEndObject();
        }
        else
        {
            w.WritePropertyName("predictions");
            w.WriteStartArray();
            int rows = outputs[0].BatchSize;
            var at = new int[outputs.Length];
            for (int r = 0; r < rows; r++)
            {
                if (named) w.WriteStartObject();
                for (int o = 0; o < outputs.Length; o++)
                {
                    if (named) w.WritePropertyName(model.OutputNames[o]);
                    Values(w, outputs[o].Buffer, outputs[o].Shape, 1, ref at[o]);
                }
                if (named) w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    });

    /// <summary>The nested lists of a tensor from dimension <paramref name="dim"/> on (a scalar past the last).</summary>
    private static void Values(Utf8JsonWriter w, float[] data, int[] shape, int dim, ref int at)
    {
        if (dim == shape.Length) { Number(w, data[at++]); return; }
        w.WriteStartArray();
        for (int i = 0; i < shape[dim]; i++) Values(w, data, shape, dim + 1, ref at);
        w.WriteEndArray();
    }

    /// <summary>A float as the shortest text that reads back to the same float; NaN and infinities as TF Serving writes them (NaN, Infinity, -Infinity).</summary>
    internal static void Number(Utf8JsonWriter w, float v)
    {
        if (float.IsFinite(v)) w.WriteNumberValue(v);
        else w.WriteRawValue(float.IsNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity", skipInputValidation: true);
    }

    public static byte[] Status(ServedModel model) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("model_version_status");
        w.WriteStartObject();
        w.WriteString("version", model.Version.ToString(CultureInfo.InvariantCulture));
        w.WriteString("state", "AVAILABLE");
        w.WriteStartObject("status");
        w.WriteString("error_code", "OK");
        w.WriteString("error_message", "");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    });

    public static byte[] Metadata(ServedModel model) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteStartObject("model_spec");
        w.WriteString("name", model.Name);
        w.WriteString("signature_name", "");
        w.WriteString("version", model.Version.ToString(CultureInfo.InvariantCulture));
        w.WriteEndObject();
        w.WriteStartObject("metadata");
        w.WriteStartObject("signature_def");
        w.WriteStartObject("signature_def");
        w.WriteStartObject("serving_default");
        TensorInfos(w, "inputs", model.InputNames, model.InputShapes, i => $"serving_default_{model.InputNames[i]}:0");
        // A Keras SavedModel's outputs are the tensors of its StatefulPartitionedCall node, as TF Serving lists them.
        TensorInfos(w, "outputs", model.OutputNames, model.OutputShapes, i => $"StatefulPartitionedCall:{i}");
        w.WriteString("method_name", "tensorflow/serving/predict");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    });

    /// <summary>TensorInfo maps as TF Serving prints them: dtype DT_FLOAT, dims as strings (int64 in proto JSON), -1 for the batch.</summary>
    private static void TensorInfos(Utf8JsonWriter w, string key, IReadOnlyList<string> names, IReadOnlyList<int[]> shapes, Func<int, string> tensorName)
    {
        w.WriteStartObject(key);
        for (int i = 0; i < names.Count; i++)
        {
            w.WriteStartObject(names[i]);
            w.WriteString("dtype", "DT_FLOAT");
            w.WriteStartObject("tensor_shape");
            w.WriteStartArray("dim");
            foreach (int d in new[] { -1 }.Concat(shapes[i]))
            {
                w.WriteStartObject();
                w.WriteString("size", (d <= 0 ? -1 : d).ToString(CultureInfo.InvariantCulture));
                w.WriteString("name", "");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteBoolean("unknown_rank", false);
            w.WriteEndObject();
            w.WriteString("name", tensorName(i));
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    internal static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, SkipValidation = false })) body(w);
        return buffer.ToArray();
    }
}
