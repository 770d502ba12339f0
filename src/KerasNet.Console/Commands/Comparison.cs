#nullable enable
using System.Globalization;
using System.Text.Json.Nodes;

namespace KerasNet.ConsoleApp.Commands;

/// <summary>How two float arrays differ: the largest absolute and relative differences and how many elements fail the tolerance.</summary>
/// <param name="Count">Elements compared.</param>
/// <param name="MaxAbs">max |a - b|.</param>
/// <param name="MaxRel">max |a - b| / |b| (infinite where b is 0 and a is not).</param>
/// <param name="Outside">Elements where |a - b| &gt; atol + rtol * |b| (numpy's <c>allclose</c> rule; NaN equals NaN).</param>
public readonly record struct ArrayDiff(int Count, double MaxAbs, double MaxRel, int Outside)
{
    /// <summary>Whether every element is within tolerance.</summary>
    public bool Equal => Outside == 0;

    /// <summary>Compares <paramref name="a"/> with the reference <paramref name="b"/>.</summary>
    public static ArrayDiff Of(ReadOnlySpan<float> a, ReadOnlySpan<float> b, double atol, double rtol)
    {
        if (a.Length != b.Length) throw new ArgumentException("lengths differ");
        double maxAbs = 0, maxRel = 0;
        int outside = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double x = a[i], y = b[i];
            if (double.IsNaN(x) || double.IsNaN(y))
            {
                if (!(double.IsNaN(x) && double.IsNaN(y))) { outside++; maxAbs = maxRel = double.NaN; }
                continue;
            }
            if (x == y) continue; // also equal infinities
            double d = Math.Abs(x - y);
            maxAbs = Math.Max(maxAbs, d);
            maxRel = Math.Max(maxRel, y == 0 ? double.PositiveInfinity : d / Math.Abs(y));
            if (!(d <= atol + rtol * Math.Abs(y))) outside++;
        }
        return new ArrayDiff(a.Length, maxAbs, maxRel, outside);
    }

    /// <summary><c>max abs diff 1.2e-07, max rel diff 3e-07</c>.</summary>
    public override string ToString() =>
        $"max abs diff {Number(MaxAbs)}, max rel diff {Number(MaxRel)}, {Outside} of {Count} outside tolerance";

    internal static string Number(double v) => double.IsNaN(v) ? "nan" : double.IsInfinity(v) ? "inf" : v.ToString("G4", CultureInfo.InvariantCulture);
}

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
