using System.Globalization;
using System.Text.Json;
using KerasNet.Engine;

namespace KerasNet.Serving;

/// <summary>
/// TF Serving's predict JSON (tensorflow_serving/util/json_tensor): the request's row form (<c>"instances"</c>: one
/// entry per sample; an object of named inputs per sample for multi-input models) and columnar form (<c>"inputs"</c>:
/// a tensor, or an object of named tensors, batch first), read into one float32 tensor per model input.
/// Every malformed request gets a 400 naming what is wrong (TF Serving's messages where it has one).
/// </summary>
internal static class PredictJson
{
    /// <summary>A parsed predict request: a tensor per model input (model order) and whether it was columnar.</summary>
    internal sealed record Request(Tensor[] Inputs, bool Columnar);

    /// <summary>JSON nesting allowed: rank 60 tensors inside the request object (System.Text.Json's default is 64).</summary>
    private const int MaxDepth = 64;

    public static Request Parse(ReadOnlyMemory<byte> body, ServedModel model)
    {
        if (body.IsEmpty) throw ApiException.BadRequest("JSON Parse error: The document is empty");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = MaxDepth }); }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"JSON Parse error: {e.Message}");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw ApiException.BadRequest($"JSON Value: {Snippet(root)} Is not object");
            if (root.TryGetProperty("signature_name", out var sig))
            {
                if (sig.ValueKind != JsonValueKind.String)
                    throw ApiException.BadRequest($"JSON Value: {Snippet(root)} not formatted correctly. 'signature_name' key must be a string value.");
                string name = sig.GetString()!;
                if (name.Length > 0 && name != "serving_default")
                    throw ApiException.BadRequest($"Serving signature name: \"{name}\" not found in signature def (KerasNet models have one signature, \"serving_default\").");
            }
            bool hasInstances = root.TryGetProperty("instances", out var instances), hasInputs = root.TryGetProperty("inputs", out var inputs);
            if (hasInstances && hasInputs)
                throw ApiException.BadRequest("Not formatted correctly expecting only one of 'inputs' or 'instances' keys to exist");
            foreach (var p in root.EnumerateObject())
                if (p.Name is not ("signature_name" or "instances" or "inputs"))
                    throw ApiException.BadRequest($"Unknown key '{p.Name}' in the request: expected 'instances' or 'inputs' (and optionally 'signature_name').");
            if (hasInstances) return new Request(Rows(instances, model), false);
            if (hasInputs) return new Request(Columns(inputs, model), true);
            throw ApiException.BadRequest("Missing 'inputs' or 'instances' key");
        }
    }

    // ---- row form ----

    private static Tensor[] Rows(JsonElement instances, ServedModel model)
    {
        if (instances.ValueKind != JsonValueKind.Array) throw ApiException.BadRequest("Excepting 'instances' to be an list/array");
        int n = instances.GetArrayLength();
        if (n == 0) throw ApiException.BadRequest("No values in 'instances' array");
        int k = model.InputNames.Count;
        bool objects = instances[0].ValueKind == JsonValueKind.Object;
        if (!objects && k > 1)
            throw ApiException.BadRequest($"instances is a plain list, but expecting list of objects as multiple input tensors required as per tensorinfo_map (inputs: {string.Join(", ", model.InputNames)})");
        var shapes = new int[k][];
        var data = new float[k][];
        int item = 0;
        foreach (var elem in instances.EnumerateArray())
        {
            if (objects)
            {
                if (elem.ValueKind != JsonValueKind.Object) throw ApiException.BadRequest($"Expecting object but got list at item {item} of input list");
                int seen = 0;
                foreach (var p in elem.EnumerateObject())
                {
                    int i = IndexOf(model, p.Name);
                    if (i < 0)
                        throw ApiException.BadRequest($"Failed to process element: {item} key: {p.Name} of 'instances' list. Error: JSON object: does not have named input: {p.Name} (inputs: {string.Join(", ", model.InputNames)})");
                    Fill(p.Value, model, i, item, n, shapes, data, $"element: {item} key: {p.Name}");
                    seen++;
                }
                if (seen != k)
                    throw ApiException.BadRequest($"Failed to process element: {item} of 'instances' list. JSON object: {Snippet(elem)} must only have keys: {string.Join(",", model.InputNames.Order(StringComparer.Ordinal))}");
            }
            else
            {
                if (elem.ValueKind == JsonValueKind.Object) throw ApiException.BadRequest($"Expecting value/list but got object at item {item} of input list");
                Fill(elem, model, 0, item, n, shapes, data, $"element: {item}");
            }
            item++;
        }
        return Enumerable.Range(0, k).Select(i => new Tensor(data[i], [n, .. shapes[i]])).ToArray();
    }

    /// <summary>Reads one instance's value for input <paramref name="i"/> into its row of the batch.</summary>
    private static void Fill(JsonElement value, ServedModel model, int i, int item, int rows, int[][] shapes, float[][] data, string where)
    {
        var shape = DenseShape(value);
        if (shapes[i] == null)
        {
            CheckSampleShape(model, i, shape, $"'instances' {where}");
            shapes[i] = shape;
            data[i] = new float[checked(rows * Product(shape))];
        }
        else if (!shape.AsSpan().SequenceEqual(shapes[i]))
            throw ApiException.BadRequest($"Failed to process {where} of 'instances' list. Error: Expecting shape {Format(shapes[i])} but got: {Format(shape)}");
        int size = Product(shape), at = item * size;
        try { FillValues(value, 0, shape, data[i], ref at); }
        catch (ApiException e) { throw ApiException.BadRequest($"Failed to process {where} of 'instances' list. Error: {e.Message}"); }
    }

    // ---- columnar form ----

    private static Tensor[] Columns(JsonElement inputs, ServedModel model)
    {
        int k = model.InputNames.Count;
        var result = new Tensor[k];
        if (inputs.ValueKind != JsonValueKind.Object)
        {
            if (k > 1)
                throw ApiException.BadRequest($"inputs is a plain value/list, but expecting an object as multiple input tensors required as per tensorinfo_map (inputs: {string.Join(", ", model.InputNames)})");
            result[0] = Column(inputs, model, 0);
        }
        else
        {
            foreach (var p in inputs.EnumerateObject())
                if (IndexOf(model, p.Name) < 0)
                    throw ApiException.BadRequest($"'inputs' object has an unknown named input: {p.Name} (inputs: {string.Join(", ", model.InputNames)})");
            for (int i = 0; i < k; i++)
            {
                if (!inputs.TryGetProperty(model.InputNames[i], out var v))
                    throw ApiException.BadRequest($"Missing named input: {model.InputNames[i]} in 'inputs' object.");
                result[i] = Column(v, model, i);
            }
            for (int i = 1; i < k; i++)
                if (result[i].BatchSize != result[0].BatchSize)
                    throw ApiException.BadRequest($"Named inputs have different batch sizes: {model.InputNames[0]} has {result[0].BatchSize}, {model.InputNames[i]} has {result[i].BatchSize}.");
        }
        return result;
    }

    private static Tensor Column(JsonElement value, ServedModel model, int i)
    {
        var shape = DenseShape(value);
        if (shape.Length == 0 || shape[0] == 0)
            throw ApiException.BadRequest($"'inputs' {model.InputNames[i]}: expected a list of samples (batch first), got {(shape.Length == 0 ? "a scalar" : "an empty list")}.");
        CheckSampleShape(model, i, shape[1..], $"'inputs' {model.InputNames[i]} (a batch of {shape[0]})");
        var data = new float[Product(shape)];
        int at = 0;
        try { FillValues(value, 0, shape, data, ref at); }
        catch (ApiException e) { throw ApiException.BadRequest($"'inputs' {model.InputNames[i]}: {e.Message}"); }
        return new Tensor(data, shape);
    }

    // ---- shared ----

    /// <summary>The shape the first element at each level gives (TF Serving's GetDenseTensorShape); FillValues checks the rest agree.</summary>
    private static int[] DenseShape(JsonElement v)
    {
        var dims = new List<int>();
        while (v.ValueKind == JsonValueKind.Array)
        {
            int len = v.GetArrayLength();
            dims.Add(len);
            if (len == 0) break;
            v = v[0];
        }
        return dims.ToArray();
    }

    private static void FillValues(JsonElement v, int level, int[] shape, float[] data, ref int at)
    {
        if (v.ValueKind != JsonValueKind.Array)
        {
            if (level != shape.Length)
                throw ApiException.BadRequest($"JSON Value: {Snippet(v)} found at incorrect level: {level + 1} in the JSON DOM. Expected at level: {shape.Length} (a ragged list)");
            data[at++] = Number(v);
            return;
        }
        if (level >= shape.Length) throw ApiException.BadRequest($"Encountered list at unexpected level: {level} expected < {shape.Length} (a ragged list)");
        int len = v.GetArrayLength();
        if (len != shape[level])
            throw ApiException.BadRequest($"Encountered list at unexpected size: {len} at level: {level} expected size: {shape[level]} (a ragged list)");
        foreach (var e in v.EnumerateArray()) FillValues(e, level + 1, shape, data, ref at);
    }

    private static float Number(JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Number)
            throw ApiException.BadRequest($"JSON Value: {Snippet(v)} Type: {v.ValueKind} is not of expected type: float");
        double d = v.GetDouble();
        // TF Serving refuses a number outside float's range ("without loss of precision"), not merely a rounded one.
        if (!double.IsFinite(d) || d > float.MaxValue || d < float.MinValue)
            throw ApiException.BadRequest($"Cannot convert JSON value: {Snippet(v)} to float without loss of precision.");
        return (float)d;
    }

    private static void CheckSampleShape(ServedModel model, int i, int[] sample, string where)
    {
        var expected = model.InputShapes[i];
        bool ok = sample.Length == expected.Length;
        for (int d = 0; ok && d < sample.Length; d++) ok = expected[d] <= 0 ? sample[d] > 0 : sample[d] == expected[d];
        if (!ok)
            throw ApiException.BadRequest($"{where}: input '{model.InputNames[i]}' of model '{model.Name}' expects each instance to have shape " +
                $"{FormatModel(expected)} (rank {expected.Length}), but got shape {Format(sample)} (rank {sample.Length}).");
    }

    private static int IndexOf(ServedModel model, string name)
    {
        for (int i = 0; i < model.InputNames.Count; i++) if (model.InputNames[i] == name) return i;
        return -1;
    }

    private static int Product(int[] shape)
    {
        long p = 1;
        foreach (int d in shape) p *= d;
        return p <= int.MaxValue ? (int)p : throw ApiException.BadRequest($"Tensor of shape {Format(shape)} is too large.");
    }

    internal static string Format(IReadOnlyList<int> shape) => "[" + string.Join(",", shape) + "]";

    private static string FormatModel(int[] shape) => "[" + string.Join(",", shape.Select(d => d <= 0 ? "-1" : d.ToString(CultureInfo.InvariantCulture))) + "]";

    /// <summary>The value's JSON text, cut short for messages.</summary>
    private static string Snippet(JsonElement v)
    {
        string raw = v.GetRawText();
        return raw.Length <= 80 ? raw : raw[..77] + "...";
    }
}
