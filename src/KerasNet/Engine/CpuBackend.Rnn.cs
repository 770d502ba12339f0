#nullable enable
using KerasNet.Engine.Kernels;

namespace KerasNet.Engine;

internal sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void RnnForward(in RnnGeometry g, in RnnArrays a, RnnTape tape)
    {
        const string op = nameof(RnnForward);
        ArgumentNullException.ThrowIfNull(tape);
        CheckRnn(g, a, op);
        RnnKernels.Forward(g, a, tape);
    }

    /// <inheritdoc/>
    public void RnnBackward(in RnnGeometry g, in RnnArrays a, in RnnGradients d, RnnTape tape)
    {
        const string op = nameof(RnnBackward);
        ArgumentNullException.ThrowIfNull(tape);
        CheckRnn(g, a, op);
        if (!tape.Valid || tape.Geometry != g)
            throw new ArgumentException($"{op}: the tape does not hold a forward pass of this geometry (run RnnForward first; a backward pass consumes it).", nameof(tape));
        long bu = (long)g.Batch * g.Units;
        BufferCheck.Length(d.Output, g.OutputLength, "d.Output", op);
        BufferCheck.Optional(d.FinalH, bu, "d.FinalH", op);
        BufferCheck.Optional(d.FinalC, g.HasCarry ? bu : 0, "d.FinalC", op);
        BufferCheck.Optional(d.X, (long)g.Batch * g.Steps * g.InputDim, "d.X", op);
        BufferCheck.Optional(d.Kernel, (long)g.InputDim * g.Gates * g.Units, "d.Kernel", op);
        BufferCheck.Optional(d.RecurrentKernel, (long)g.Units * g.Gates * g.Units, "d.RecurrentKernel", op);
        BufferCheck.Optional(d.Bias, g.BiasLength, "d.Bias", op);
        BufferCheck.Optional(d.InitialH, bu, "d.InitialH", op);
        BufferCheck.Optional(d.InitialC, bu, "d.InitialC", op);
        if (d.InitialC != null && !g.HasCarry) throw new ArgumentException($"{op}: only an LSTM has a carry state.", "d.InitialC");
        RnnKernels.Backward(g, a, d, tape);
    }

    /// <summary>Dimensions, mask groups and every array of a recurrent call against the geometry.</summary>
    private static void CheckRnn(in RnnGeometry g, in RnnArrays a, string op)
    {
        BufferCheck.Dim(g.Batch, "g.Batch", op);
        if (g.Steps < 1 || g.InputDim < 1 || g.Units < 1)
            throw new ArgumentOutOfRangeException(nameof(g), g, $"{op}: steps, input size and units must be at least 1.");
        if (!Enum.IsDefined(g.Cell) || !Enum.IsDefined(g.Activation) || !Enum.IsDefined(g.RecurrentActivation))
            throw new ArgumentOutOfRangeException(nameof(g), g, $"{op}: unknown cell or activation.");
        if (g.InputMaskGroups is < 0 || (g.InputMaskGroups > 1 && g.InputMaskGroups != g.Gates) ||
            g.RecurrentMaskGroups is < 0 || (g.RecurrentMaskGroups > 1 && g.RecurrentMaskGroups != g.Gates))
            throw new ArgumentOutOfRangeException(nameof(g), g, $"{op}: dropout mask groups must be 0, 1 or the number of gates ({g.Gates}).");
        // Every time-major buffer is indexed with int products of steps * batch * width.
        long tb = (long)g.Steps * g.Batch;
        BufferCheck.Scratch(tb * Math.Max(Math.Max(g.InputDim, g.Units * g.Gates), 1) * Math.Max(1, Math.Max(g.InputMaskGroups, g.RecurrentMaskGroups)), "recurrent tape", op);
        BufferCheck.Scratch((long)g.Units * g.Gates * Math.Max(g.InputDim, g.Units), "kernels", op);
        long bu = (long)g.Batch * g.Units;
        BufferCheck.Length(a.X, tb * g.InputDim, "a.X", op);
        BufferCheck.Length(a.Kernel, (long)g.InputDim * g.Gates * g.Units, "a.Kernel", op);
        BufferCheck.Length(a.RecurrentKernel, (long)g.Units * g.Gates * g.Units, "a.RecurrentKernel", op);
        BufferCheck.Optional(a.Bias, g.BiasLength, "a.Bias", op);
        BufferCheck.Optional(a.InitialH, bu, "a.InitialH", op);
        BufferCheck.Optional(a.InitialC, bu, "a.InitialC", op);
        BufferCheck.Optional(a.TimeMask, tb, "a.TimeMask", op);
        if ((g.InputMaskGroups > 0) != (a.InputDropout != null) || (g.RecurrentMaskGroups > 0) != (a.RecurrentDropout != null))
            throw new ArgumentException($"{op}: dropout masks are given exactly when the geometry has mask groups.", "a");
        BufferCheck.Optional(a.InputDropout, (long)g.InputMaskGroups * g.Batch * g.InputDim, "a.InputDropout", op);
        BufferCheck.Optional(a.RecurrentDropout, (long)g.RecurrentMaskGroups * bu, "a.RecurrentDropout", op);
        BufferCheck.Length(a.Output, g.OutputLength, "a.Output", op);
        BufferCheck.Length(a.FinalH, bu, "a.FinalH", op);
        if (g.HasCarry) BufferCheck.Length(a.FinalC, bu, "a.FinalC", op);
        if (a.InitialC != null && !g.HasCarry) throw new ArgumentException($"{op}: only an LSTM has a carry state.", "a.InitialC");
    }
}
