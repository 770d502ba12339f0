#nullable enable
using KerasNet.Engine;
using KerasNet.Losses;
using KerasNet.Models;

namespace KerasNet.ConsoleApp.Commands;

/// <summary>
/// .npy arrays given with a repeatable option (<c>--x</c>, <c>--y</c>, <c>--input</c>), one per model input or output
/// in the model's order, checked before use so that a mismatch names the option, the file and what the model expects.
/// A wrong number of files is a usage error (exit 2); a wrong shape a runtime error (exit 1).
/// </summary>
public static class NpyArrays
{
    /// <summary>The arrays for the model's inputs, checked against <see cref="Model.Inputs"/>.</summary>
    public static Tensor[] Inputs(IReadOnlyList<string> paths, Model model, string option)
    {
        CheckCount(paths, model.Inputs.Count, model, option, "input", model.InputNames);
        var x = Load(paths, option);
        for (int i = 0; i < x.Length; i++)
        {
            var want = model.Inputs[i].Shape;
            if (x[i].Rank != want.Length + 1 || !x[i].Shape.AsSpan(1).SequenceEqual(want))
                throw new KerasNetException($"{Which(option, paths, i)}: shape {ShapeUtil.Format(x[i].Shape)} does not match the model's input '{model.InputNames[i]}', which expects {ShapeUtil.FormatWithNone(want)}.");
        }
        CheckSamples(x, paths, option, x[0].BatchSize, Which(option, paths, 0));
        return x;
    }

    /// <summary>
    /// The targets for the model's outputs, checked against <see cref="Model.Outputs"/> and the loss of each output
    /// (integer class indices for sparse_categorical_crossentropy, the output's shape otherwise; (N,) is accepted for
    /// outputs of shape (N, 1), as Keras does) and against the inputs' sample count.
    /// </summary>
    public static Tensor[] Targets(IReadOnlyList<string> paths, Model model, IReadOnlyList<Loss> losses, int samples, string inputOption, string option)
    {
        CheckCount(paths, model.Outputs.Count, model, option, "output", model.OutputNames);
        var y = Load(paths, option);
        for (int i = 0; i < y.Length; i++)
        {
            var output = model.Outputs[i].Shape;
            var loss = losses.Count == 1 ? losses[0] : losses[i];
            int[] expected;
            bool fits;
            var got = y[i].Shape.AsSpan(1);
            if (loss is SparseCategoricalCrossentropy)
            {
                expected = output.Length > 0 ? output[..^1] : output;
                fits = got.SequenceEqual(expected) || (got.Length == expected.Length + 1 && got[^1] == 1 && got[..^1].SequenceEqual(expected));
            }
            else
            {
                expected = output;
                fits = got.SequenceEqual(output) || (output.Length > 0 && output[^1] == 1 && got.SequenceEqual(output.AsSpan(0, output.Length - 1)));
            }
            if (!fits)
                throw new KerasNetException($"{Which(option, paths, i)}: shape {ShapeUtil.Format(y[i].Shape)} does not fit the model's output '{model.OutputNames[i]}' {ShapeUtil.FormatWithNone(output)} " +
                    $"with loss {loss.Name} (expected {ShapeUtil.Format(ShapeUtil.WithBatch(y[i].BatchSize, expected))}).");
        }
        CheckSamples(y, paths, option, samples, inputOption);
        return y;
    }

    /// <summary>A usage error (exit 2) unless every name ends in .npy: checked before anything is loaded.</summary>
    public static void RequireNpyNames(IReadOnlyList<string> paths, string option)
    {
        foreach (var path in paths)
            if (!path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
                throw new UsageException($"{option} takes .npy arrays, got '{path}'.");
    }

    /// <summary>Loads every file (each checked to exist) as float32.</summary>
    public static Tensor[] Load(IReadOnlyList<string> paths, string option)
    {
        var result = new Tensor[paths.Count];
        for (int i = 0; i < paths.Count; i++)
        {
            ModelStore.RequireFile(paths[i], $"{option} array");
            result[i] = Saving.Npy.Load(paths[i]);
        }
        return result;
    }

    /// <summary>How a message names the i-th file of an option: <c>--x a.npy</c>, or <c>--x #2 (b.npy)</c> when repeated.</summary>
    public static string Which(string option, IReadOnlyList<string> paths, int i) =>
        paths.Count == 1 ? $"{option} {paths[0]}" : $"{option} #{i + 1} ({paths[i]})";

    private static void CheckCount(IReadOnlyList<string> paths, int expected, Model model, string option, string what, IReadOnlyList<string> names)
    {
        if (paths.Count == expected) return;
        throw new UsageException($"model '{model.Name}' has {expected} {what}{(expected == 1 ? "" : "s")} ({string.Join(", ", names)}) but {paths.Count} {option} " +
            $"{(paths.Count == 1 ? "was" : "were")} given; give {option} once per {what}, in that order.");
    }

    private static void CheckSamples(Tensor[] arrays, IReadOnlyList<string> paths, string option, int samples, string reference)
    {
        for (int i = 0; i < arrays.Length; i++)
            if (arrays[i].BatchSize != samples)
                throw new KerasNetException($"{Which(option, paths, i)} has {arrays[i].BatchSize} samples but {reference} has {samples}; every array needs one row per sample.");
    }
}
