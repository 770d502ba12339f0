#nullable enable
using KerasNet.Models;

namespace KerasNet.Callbacks;

/// <summary>Where the learning-rate callbacks print (the model's progress output, as Keras's print goes to stdout).</summary>
internal static class LearningRateText
{
    public static void Print(Model model, string line) => (model.ProgressOutput ?? Console.Out).WriteLine(line);

    public static Optimizers.Optimizer OptimizerOf(Model? model, string callback) =>
        model?.Optimizer ?? throw new KerasNetException($"{callback}: the model has no optimizer (compile it first).");
}
