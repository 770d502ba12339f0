#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.ConsoleApp.Commands;

/// <summary>Field-by-field differences between two JSON documents (model configs).</summary>
public static class JsonDiff
{
    /// <summary>
    /// Every path where the documents differ, as <c>config.layers[3].config.units: 3137 != 577</c>;
    /// numbers compare by value (1 equals 1.0), object keys in any order.
    /// </summary>
    public static List<string> Differences(JsonNode? a, JsonNode? b, string path = "")
    {
        var result = new List<string>();
        Walk(a, b, path, result);
        return result;
    }

    private static void Walk(JsonNode? a, JsonNode? b, string path, List<string> diffs)
    {
        string where = path.Length == 0 ? "(root)" : path;
        switch (a, b)
        {
            case (null, null):
                return;
            case (JsonObject oa, JsonObject ob):
                foreach (var (key, va) in oa)
                {
                    string sub = path.Length == 0 ? key : $"{path}.{key}";
                    if (!ob.ContainsKey(key)) diffs.Add($"{sub}: only in A ({Text(va)})");
                    else Walk(va, ob[key], sub, diffs);
                }
                foreach (var (key, vb) in ob)
                    if (!oa.ContainsKey(key)) diffs.Add($"{(path.Length == 0 ? key : $"{path}.{key}")}: only in B ({Text(vb)})");
                return;
            case (JsonArray xa, JsonArray xb):
                if (xa.Count != xb.Count) { diffs.Add($"{where}: {xa.Count} items != {xb.Count} items"); return; }
                for (int i = 0; i < xa.Count; i++) Walk(xa[i], xb[i], $"{path}[{i}]", diffs);
                return;
            case (JsonValue va, JsonValue vb):
                if (!SameValue(va, vb)) diffs.Add($"{where}: {Text(va)} != {Text(vb)}");
                return;
            default:
                diffs.Add($"{where}: {Text(a)} != {Text(b)}");
                return;
        }
    }

    private static bool SameValue(JsonValue a, JsonValue b)
    {
        var (ka, kb) = (a.GetValueKind(), b.GetValueKind());
        if (ka == System.Text.Json.JsonValueKind.Number && kb == System.Text.Json.JsonValueKind.Number)
            return a.GetValue<double>() == b.GetValue<double>();
        return ka == kb && a.ToJsonString() == b.ToJsonString();
    }

    private static string Text(JsonNode? n)
    {
        string s = n?.ToJsonString() ?? "null";
        return s.Length > 80 ? s[..77] + "..." : s;
    }
}
