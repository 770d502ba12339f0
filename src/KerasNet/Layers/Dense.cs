#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>
/// Densely-connected layer: <c>output = activation(dot(input, kernel) + bias)</c>, kernel (in, out) as Keras stores it.
/// Inputs of higher rank are multiplied along their last axis.
/// </summary>
public sealed class Dense : KernelLayer
{
    private Tensor? _input, _output, _gradOut, _gradIn;

    /// <summary>Creates the layer with Keras's defaults (glorot_uniform kernel, zero bias, no activation).</summary>
    public Dense(int units, string? activation = null, bool useBias = true,
        string kernelInitializer = "glorot_uniform", string biasInitializer = "zeros",
        Shape? inputShape = null, string? name = null, bool trainable = true)
        : base(activation, useBias, kernelInitializer, biasInitializer, inputShape, name, trainable)
    {
        if (units <= 0) throw new KerasNetException($"Dense: units must be positive, got {units}.");
        Units = units;
    }

    /// <summary>Output width.</summary>
    public int Units { get; }

    /// <summary>
    /// Set by the model for the duration of a training step whose optimizer is element-wise: Backward then applies
    /// the kernel's update itself (the kernel gradient is not stored) and sets <see cref="KernelUpdatedInBackward"/>.
    /// </summary>
    internal Optimizers.Optimizer? FusedOptimizer { get; set; }

    /// <summary>Whether the last Backward already applied the optimizer to the kernel.</summary>
    internal bool KernelUpdatedInBackward { get; private set; }

    /// <inheritdoc/>
    public override void Build(int[] inputShape)
    {
        if (inputShape.Length == 0) throw new ShapeMismatchException($"Layer '{Name}' (Dense) needs an input of rank >= 1 per sample.");
        AddKernelAndBias([inputShape[^1], Units]);
        base.Build(inputShape);
    }

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape) => [.. inputShape[..^1], Units];

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        CheckInput(inputs);
        _input = inputs;
        int inDim = InputShape![^1], rows = inputs.Length / inDim;
        _output = Tensor.EnsureBatch(_output, inputs.BatchSize, OutputShape!);
        bool fuse = Stage.FusableIntoOutput;
        Backend.Current.DenseForward(rows, inDim, Units, inputs.Buffer, Kernel!.Value.Buffer, UseBias ? Bias!.Value.Buffer : null,
            fuse ? Stage.Kind : ActivationKind.Linear, _output.Buffer);
        if (!fuse) Stage.Forward(_output);
        return _output;
    }

    /// <inheritdoc/>
    public override Tensor? Backward(Tensor gradOutput, bool needInputGrad)
    {
        int inDim = InputShape![^1], rows = _input!.Length / inDim;
        _gradOut = Tensor.Ensure(_gradOut, gradOutput.Shape);
        gradOutput.Span.CopyTo(_gradOut.Span);
        Stage.Backward(_gradOut, _output!);
        var be = Backend.Current;
        KernelUpdatedInBackward = false;
        if (FusedOptimizer is { } opt && Kernel!.Trainable && be.PrefersFusedDenseBackward(rows))
        {
            // Small batch: one pass over the kernel computes the input gradient and updates each kernel row.
            if (needInputGrad) _gradIn = Tensor.Ensure(_gradIn, _input.Shape);
            be.DenseBackwardFused(rows, inDim, Units, _input.Buffer, _gradOut.Buffer, Kernel.Value.Buffer,
                needInputGrad ? _gradIn!.Buffer : null, opt.FusedUpdate(Kernel));
            KernelUpdatedInBackward = true;
            if (UseBias) be.ColumnSums(_gradOut.Buffer, rows, Units, Bias!.Grad.Buffer);
            return needInputGrad ? _gradIn : null;
        }
        be.Gemm(true, false, inDim, Units, rows, _input.Buffer, inDim, _gradOut.Buffer, Units, Kernel!.Grad.Buffer, Units, false);
        if (UseBias) be.ColumnSums(_gradOut.Buffer, rows, Units, Bias!.Grad.Buffer);
        if (!needInputGrad) return null;
        _gradIn = Tensor.Ensure(_gradIn, _input.Shape);
        be.Gemm(false, true, rows, inDim, Units, _gradOut.Buffer, Units, Kernel.Value.Buffer, Units, _gradIn.Buffer, inDim, false);
        return _gradIn;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["units"] = Units;
        AddActivationAndWeightConfig(c);
        return c;
    }
}
