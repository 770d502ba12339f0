#nullable enable
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace KerasNet.Bench;

/// <summary>
/// ONNX Runtime's own per-node times for one input (its profiler's "_kernel_time" events, averaged over the passes),
/// printed beside <c>infer --profile</c>'s KerasNet per-layer times: where the peer is faster, node by node.
/// </summary>
internal static class OrtProfile
{
    public static void Print(string modelPath, int[] shape, int passes, int top = int.MaxValue)
    {
        string prefix = Path.Combine(Path.GetTempPath(), $"kerasnet-ort-profile-{Environment.ProcessId}");
        // The bench's own session settings, with ORT's profiler on.
        using var session = MobileNetBench.OpenSession(modelPath, prefix);
        var x = new float[shape.Aggregate(1, (a, d) => a * d)];
        using var input = OrtValue.CreateTensorValueFromMemory(x, shape.Select(d => (long)d).ToArray());
        using var runOptions = new RunOptions();
        // Warm-up passes are profiled too: the first passes are dropped by counting only the last ones per node.
        for (int i = 0; i < passes + 2; i++) session.Run(runOptions, ["input"], [input], session.OutputNames).Dispose();
        string file = session.EndProfiling();
        try
        {
            var byNode = new Dictionary<string, List<double>>();
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                if (e.GetProperty("cat").GetString() != "Node") continue;
                string name = e.GetProperty("name").GetString() ?? "";
                if (!name.EndsWith("_kernel_time", StringComparison.Ordinal)) continue;
                string op = e.TryGetProperty("args", out var a) && a.TryGetProperty("op_name", out var o) ? o.GetString() ?? "" : "";
                string key = $"{name[..^"_kernel_time".Length]} ({op})";
                if (!byNode.TryGetValue(key, out var list)) byNode[key] = list = [];
                list.Add(e.GetProperty("dur").GetDouble() / 1000.0);
            }
            Console.WriteLine($"    ONNX Runtime profile, batch {shape[0]} (ms per pass, by node):");
            foreach (var (key, list) in byNode.OrderByDescending(p => p.Value.TakeLast(passes).Average()).Take(top))
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"      {key,-48} {list.TakeLast(passes).Average(),8:0.00}"));
        }
        finally { File.Delete(file); }
    }
}
