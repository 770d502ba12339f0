#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine.Kernels;

namespace KerasNet.Optimizers;

/// <summary>
/// Adagrad as tf.keras 2.4 runs it (TensorFlow's ApplyAdagradV2): acc += g²; w -= g lr / (sqrt(acc) + epsilon),
/// the accumulator starting at initial_accumulator_value. Epsilon is outside the square root, as in PyTorch's Adagrad
/// (Keras 3 puts it inside).
/// </summary>
public sealed class Adagrad : Optimizer
{
    private static readonly string[] Slots = ["accumulator"];

    /// <summary>Creates the optimizer with Keras 2.4's defaults.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='learningRate']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='initialAccumulatorValue']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='epsilon']"/>
    public Adagrad(LearningRateSetting learningRate = default, double initialAccumulatorValue = 0.1, double epsilon = 1e-7)
        : base(learningRate, 0.001)
    {
        if (!(initialAccumulatorValue >= 0) || double.IsInfinity(initialAccumulatorValue))
            throw new KerasNetException($"Adagrad: initial_accumulator_value must be non-negative, got {initialAccumulatorValue}.");
        InitialAccumulatorValue = initialAccumulatorValue; Epsilon = epsilon;
    }

    /// <summary>The accumulator's starting value.</summary>
    public double InitialAccumulatorValue { get; }
    /// <summary>Added to sqrt(acc).</summary>
    public double Epsilon { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<string> SlotNames => Slots;

    internal override IReadOnlyList<string> Keras3SlotNames => Slots;

    private protected override float SlotInitialValue(int slot) => (float)InitialAccumulatorValue;

    /// <inheritdoc/>
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, float[][] slots, int offset, int length) =>
        LaneKernels.Run(new Lane(StepLearningRate, (float)Epsilon), w, g, slots[0].AsSpan(offset, length), default, default);

    private readonly unsafe struct Lane(float lr, float eps) : ILaneStep
    {
        public TV Step<TS, TV>(TV w, TV g, float* acc, float* s1, float* s2) where TS : struct, ISimd<TV> where TV : struct
        {
            var a = TS.Add(TS.Load(acc), TS.Mul(g, g));
            TS.Store(a, acc);
            return TS.Sub(w, TS.Div(TS.Mul(g, TS.Splat(lr)), TS.Add(TS.Sqrt(a), TS.Splat(eps))));
        }
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["initial_accumulator_value"] = InitialAccumulatorValue;
        c["epsilon"] = Epsilon;
        return c;
    }
}
