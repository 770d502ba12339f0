#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Tests.Faults;

/// <summary>
/// Structural mutations of a model config: a random node replaced by a value of another kind (or an absurd number),
/// a key removed, or an array element duplicated. Byte mutations mostly yield invalid JSON; these reach the config
/// reader with valid JSON that means something wrong.
/// </summary>
internal sealed class JsonMutator(string json, int seed)
{
    private readonly Random _rng = new(seed);

    private static readonly Func<JsonNode?>[] Replacements =
    [
        () => null, () => "x", () => "", () => true, () => 0, () => -1, () => 1.5, () => 2147483648L, () => -2147483649L,
        () => 1e308, () => 65536, () => new JsonArray(), () => new JsonObject(), () => new JsonArray(1, 2, 3, 4, 5),
        () => "channels_first", () => "same", () => "softmax", () => "Dense", () => new JsonArray(null, 0, 0),
    ];

    /// <summary>The next mutated config text and what was done.</summary>
    public (string What, string Json) Next()
    {
        var root = JsonNode.Parse(json)!;
        var nodes = new List<JsonNode>();
        Collect(root, nodes);
        var target = nodes[_rng.Next(nodes.Count)];
        string what;
        switch (_rng.Next(3))
        {
            case 0 when target.Parent is JsonObject o:
                var key = target.GetPropertyName();
                o.Remove(key);
                what = $"removed '{key}'";
                break;
            case 1 when target.Parent is JsonArray a:
                a.Insert(target.GetElementIndex(), target.DeepClone());
                what = $"duplicated {target.GetPath()}";
                break;
            default:
                if (target.Parent == null) return ("root", "[]");
                var value = Replacements[_rng.Next(Replacements.Length)]();
                what = $"{target.GetPath()} = {value?.ToJsonString() ?? "null"}";
                target.ReplaceWith<JsonNode?>(value);
                break;
        }
        return (what, root.ToJsonString());
    }

    private static void Collect(JsonNode node, List<JsonNode> into)
    {
        into.Add(node);
        if (node is JsonObject o) foreach (var (_, v) in o) { if (v != null) Collect(v, into); }
        else if (node is JsonArray a) foreach (var v in a) { if (v != null) Collect(v, into); }
    }
}
