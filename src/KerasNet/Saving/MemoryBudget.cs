#nullable enable
using System.Globalization;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;

namespace KerasNet.Saving;

/// <summary>
/// What a model needs in memory for one sample: its weights with their gradient buffers and the output of every layer
/// call (float32), which an evaluation keeps between calls. The weights are charged as they are created
/// (<see cref="WeightBudget"/>, before their memory exists), the activations once the model's layers exist. Loading checks it against <see cref="KerasLimits.MaxModelBytes"/> before the weights
/// are read or anything the size of an activation is allocated, so a small file describing a huge activation (a 6 KB
/// <c>.h5</c> whose last layer outputs 4096 x 4096 x 32 floats per image) is refused at once with a message naming
/// the layer, instead of running out of memory at the first prediction. All sizes are 64-bit.
/// </summary>
internal static class MemoryBudget
{
    /// <summary>One layer call's output for one sample.</summary>
    // A class, not a struct: a list of a value type is generic code the ReadyToRun image cannot hold, JIT-compiled at
    // every model load (issue 17, start-up); a list of references shares the framework's precompiled code.
    internal sealed record Activation(string Layer, string ClassName, int[] Shape, long Bytes);

    /// <summary>What one weight takes: its float32 value and its float32 gradient buffer (every KerasNet variable has both).</summary>
    public const long BytesPerWeight = 2 * sizeof(float);

    /// <summary>The bytes of the model's weights with their gradient buffers (shared layers counted once).</summary>
    public static long WeightBytes(Model model) => model.Weights.Sum(w => (long)w.Value.Length * BytesPerWeight);

    /// <summary>
    /// Every layer call's output for one sample, in execution order: the model's inputs first, then each node's outputs;
    /// a nested model contributes its own layers' outputs (its inputs are the outer tensors, already counted).
    /// </summary>
    public static List<Activation> Activations(Model model)
    {
        var result = new List<Activation>();
        if (model.Graph is not { } g) return result;
        foreach (var t in g.Inputs) result.Add(Of(t.Layer, t.Shape));
        Add(g, result);
        return result;
    }

    private static void Add(FunctionalGraph g, List<Activation> result)
    {
        foreach (var node in g.Nodes)
        {
            if (node.Layer is Model { Graph: { } inner }) { Add(inner, result); continue; }
            foreach (var y in node.Outputs) result.Add(Of(node.Layer, y.Shape));
        }
    }

    private static Activation Of(Layer layer, int[] shape)
    {
        long values = 1;
        foreach (int d in shape) values = d <= 0 ? 0 : values > long.MaxValue / 4 / d ? long.MaxValue / 4 : values * d;
        return new Activation(layer.Name, layer.ClassName, shape, values * sizeof(float));
    }

    /// <summary>
    /// Throws a <see cref="ModelConfigException"/> when the weights and one sample's activations exceed the current
    /// context's <see cref="KerasLimits.MaxModelBytes"/>, naming the layer whose output crosses the limit, its shape and
    /// bytes, and the largest output.
    /// </summary>
    public static void Check(Model model, string source)
    {
        long limit = KerasContext.Current.Limits.MaxModelBytes;
        long weights = WeightBytes(model), total = weights;
        if (total > limit)
            throw new ModelConfigException($"{source}: model '{model.Name}' has {Bytes(weights)} of weights (with their gradient buffers), more than the memory budget of {Bytes(limit)} {HowToRaise}.");
        var acts = Activations(model);
        foreach (var a in acts)
        {
            total = total > long.MaxValue - a.Bytes ? long.MaxValue : total + a.Bytes;
            if (total <= limit) continue;
            var largest = acts.MaxBy(x => x.Bytes)!; // acts holds a, so it is not empty
            string biggest = largest.Layer == a.Layer ? "" : $"; the largest output is layer '{largest.Layer}' ({largest.ClassName}), {ShapeUtil.FormatWithNone(largest.Shape)}, {Bytes(largest.Bytes)}";
            throw new ModelConfigException(
                $"{source}: layer '{a.Layer}' ({a.ClassName}) outputs {ShapeUtil.FormatWithNone(a.Shape)}, {Bytes(a.Bytes)} per sample, which brings model '{model.Name}' " +
                $"(weights and their gradients {Bytes(weights)} plus every layer's output for one sample) past the memory budget of {Bytes(limit)}{biggest}. " +
                $"If the model is meant to be this large, {HowToRaise}.");
        }
    }

    internal const string HowToRaise = "(raise KerasContext.Current.Limits.MaxModelBytes, or give kerasnet --max-model-memory SIZE)";

    /// <summary>"2,147,483,648 bytes (2.0 GiB)".</summary>
    public static string Bytes(long n) =>
        $"{n.ToString("N0", CultureInfo.InvariantCulture)} bytes ({(n >= 1L << 30 ? $"{n / (double)(1L << 30):F1} GiB" : n >= 1 << 20 ? $"{n / (double)(1 << 20):F1} MiB" : $"{n / 1024.0:F1} KiB")})";
}
