#nullable enable
using KerasNet.Engine.Kernels;

namespace KerasNet.Engine;

// The general convolutions on the CPU: a plain spec takes the ConvGeometry path (im2col + GEMM, or GEMM straight on
// the input for 1x1 kernels), a depthwise one the direct NHWC kernels (DepthwiseKernels), and anything else (dilation,
// a few groups) the dilated im2col of one group at a time, each group a GEMM on its slice of the kernel.
internal sealed partial class CpuBackend
{
    // Scratch for callers that pass no workspace: the engine's own buffers, one set per thread, rented while in use.
    [ThreadStatic] private static ConvWorkspace? t_convScratch;

    /// <inheritdoc/>
    public void ConvForward(in ConvSpec s, float[] x, float[] w, float[]? bias, ActivationKind activation, int filters, float[] y, ConvWorkspace? workspace)
    {
        const string op = nameof(ConvForward);
        CheckSpec(s, filters, x, nameof(x), w, nameof(w), y, nameof(y), op);
        BufferCheck.Optional(bias, filters, nameof(bias), op);
        BufferCheck.Activation(activation, op);
        if (s.IsPlain) { Conv2DForward(s.Geometry, x, w, bias, activation, filters, y, workspace); return; }
        bool relu = activation == ActivationKind.Relu;
        if (s.IsDepthwise) DepthwiseKernels.Forward(s, filters, x, w, bias, relu, y);
        else
        {
            var ws = workspace ?? Workspace.Rent(ref t_convScratch);
            try
            {
                int rows = s.Rows, cols = s.GroupCols, fg = filters / s.Groups;
                var col = ColumnsOf(ws, s, op);
                if (s.Groups == 1)
                {
                    GroupedIm2Col.Unfold(s, 0, x, col);
                    Kernels.Gemm.Run(false, false, rows, filters, cols, col, cols, w, filters, y, filters, false, bias, relu);
                }
                else
                {
                    var wg = ConvWorkspace.Grow(ref ws.GroupKernel, (long)cols * fg, "group kernel", op);
                    var yg = ConvWorkspace.Grow(ref ws.GroupOut, (long)rows * fg, "group output", op);
                    for (int g = 0; g < s.Groups; g++)
                    {
                        GroupedIm2Col.Unfold(s, g, x, col);
                        GroupedIm2Col.CopyColumns(w, filters, g * fg, wg, fg, 0, cols, fg);
                        Kernels.Gemm.Run(false, false, rows, fg, cols, col, cols, wg, fg, yg, fg, false);
                        GroupedIm2Col.CopyColumns(yg, fg, 0, y, filters, g * fg, rows, fg);
                    }
                    unsafe { fixed (float* py = y, pb = bias) RowOps.BiasActivation(py, filters, rows, filters, pb, relu); }
                }
            }
            finally { if (workspace is null) Workspace.Return(ref t_convScratch, ws); }
        }
        if (!relu && activation != ActivationKind.Linear) ActivationKernels.Forward(y.AsSpan(0, s.Rows * filters), filters, activation);
    }

    /// <inheritdoc/>
    public void ConvInfer(in ConvSpec s, float[] x, float[] w, float[]? bias, long weightsVersion, ActivationKind activation, int filters, float[] y, ConvWorkspace? workspace)
    {
        const string op = nameof(ConvInfer);
        CheckSpec(s, filters, x, nameof(x), w, nameof(w), y, nameof(y), op);
        BufferCheck.Optional(bias, filters, nameof(bias), op);
        BufferCheck.Activation(activation, op);
        // A pointwise kernel already multiplies the input in place; dilated, grouped and depthwise specs keep their paths.
        if (!s.IsPlain || !ConvLanes.Supported || IsPointwise(s.Geometry))
        {
            ConvForward(s, x, w, bias, activation, filters, y, workspace);
            return;
        }
        bool relu = activation == ActivationKind.Relu;
        var ws = workspace ?? Workspace.Rent(ref t_convScratch);
        try
        {
            // The thread's own scratch serves any caller: only a layer's workspace may trust the version.
            PackFilters(ws, s, w, bias, workspace is null ? -1 : weightsVersion, filters, op);
            ConvDirect.Forward(s, x, ws.Packed, ws.PackedBias, relu, filters, y);
        }
        finally { if (workspace is null) Workspace.Return(ref t_convScratch, ws); }
        if (!relu && activation != ActivationKind.Linear) ActivationKernels.Forward(y.AsSpan(0, s.Rows * filters), filters, activation);
    }

    // The kernel in ConvDirect's panels, repacked unless the workspace holds these arrays at this version already.
    private static void PackFilters(ConvWorkspace ws, in ConvSpec s, float[] w, float[]? bias, long version, int filters, string op)
    {
        int taps = s.KH * s.KW * s.InC;
        if (version >= 0 && version == ws.PackedVersion && ReferenceEquals(ws.PackedKernel, w) && ReferenceEquals(ws.PackedBiasSource, bias) &&
            ws.PackedWidth == ConvDirect.PanelWidth && ws.PackedTaps == taps && ws.PackedFilters == filters) return;
        ws.PackedKernel = null; // invalid while it is refilled (an exception below leaves it invalid)
        var packed = ConvWorkspace.Grow(ref ws.Packed, ConvDirect.PackedLength(s, filters), "packed kernel", op);
        var packedBias = ConvWorkspace.Grow(ref ws.PackedBias, ConvDirect.Padded(filters), "packed bias", op);
        ConvDirect.Pack(s, w, bias, filters, packed, packedBias);
        (ws.PackedVersion, ws.PackedBiasSource, ws.PackedWidth, ws.PackedTaps, ws.PackedFilters) = (version, bias, ConvDirect.PanelWidth, taps, filters);
        ws.PackedKernel = w;
    }

    /// <inheritdoc/>
    public void ConvBackwardFilter(in ConvSpec s, float[] x, float[] dy, int filters, float[] dw, ConvWorkspace? workspace)
    {
        const string op = nameof(ConvBackwardFilter);
        CheckSpec(s, filters, x, nameof(x), dw, nameof(dw), dy, nameof(dy), op);
        if (s.IsPlain) { Conv2DBackwardFilter(s.Geometry, x, dy, filters, dw, workspace); return; }
        if (s.IsDepthwise) { DepthwiseKernels.BackwardFilter(s, filters, x, dy, dw); return; }
        var ws = workspace ?? Workspace.Rent(ref t_convScratch);
        try
        {
            int rows = s.Rows, cols = s.GroupCols, fg = filters / s.Groups;
            var col = ColumnsOf(ws, s, op);
            if (s.Groups == 1)
            {
                GroupedIm2Col.Unfold(s, 0, x, col);
                Kernels.Gemm.Run(true, false, cols, filters, rows, col, cols, dy, filters, dw, filters, false);
                return;
            }
            var dwg = ConvWorkspace.Grow(ref ws.GroupKernel, (long)cols * fg, "group kernel", op);
            var dyg = ConvWorkspace.Grow(ref ws.GroupOut, (long)rows * fg, "group output", op);
            for (int g = 0; g < s.Groups; g++)
            {
                GroupedIm2Col.Unfold(s, g, x, col);
                GroupedIm2Col.CopyColumns(dy, filters, g * fg, dyg, fg, 0, rows, fg);
                Kernels.Gemm.Run(true, false, cols, fg, rows, col, cols, dyg, fg, dwg, fg, false);
                GroupedIm2Col.CopyColumns(dwg, fg, 0, dw, filters, g * fg, cols, fg);
            }
        }
        finally { if (workspace is null) Workspace.Return(ref t_convScratch, ws); }
    }

    /// <inheritdoc/>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void ConvBackwardInput(in ConvSpec s, float[] dy, float[] w, int filters, float[] dx, ConvWorkspace? workspace)
    {
        const string op = nameof(ConvBackwardInput);
        CheckSpec(s, filters, dx, nameof(dx), w, nameof(w), dy, nameof(dy), op);
        if (s.IsPlain) { Conv2DBackwardInput(s.Geometry, dy, w, filters, dx, workspace); return; }
        if (s.IsDepthwise) { DepthwiseKernels.BackwardInput(s, filters, dy, w, dx); return; }
        var ws = workspace ?? Workspace.Rent(ref t_convScratch);
        try
        {
            int rows = s.Rows, cols = s.GroupCols, fg = filters / s.Groups;
            var dcol = ColumnsOf(ws, s, op);
            if (s.Groups == 1)
            {
                Kernels.Gemm.Run(false, true, rows, cols, filters, dy, filters, w, filters, dcol, cols, false);
                GroupedIm2Col.Fold(s, 0, dcol, dx);
                return;
            }
            var wg = ConvWorkspace.Grow(ref ws.GroupKernel, (long)cols * fg, "group kernel", op);
            var dyg = ConvWorkspace.Grow(ref ws.GroupOut, (long)rows * fg, "group output", op);
            for (int g = 0; g < s.Groups; g++)
            {
                GroupedIm2Col.CopyColumns(dy, filters, g * fg, dyg, fg, 0, rows, fg);
                GroupedIm2Col.CopyColumns(w, filters, g * fg, wg, fg, 0, cols, fg);
                Kernels.Gemm.Run(false, true, rows, cols, fg, dyg, fg, wg, fg, dcol, cols, false);
                GroupedIm2Col.Fold(s, g, dcol, dx);
            }
        }
        finally { if (workspace is null) Workspace.Return(ref t_convScratch, ws); }
    }

    // The workspace's im2col buffer for one group's windows; whatever it cached for the plain path is forgotten first.
    private static float[] ColumnsOf(ConvWorkspace ws, in ConvSpec s, string op)
    {
        ws.ColSource = null;
        return ConvWorkspace.Grow(ref ws.Col, (long)s.Rows * s.GroupCols, "im2col matrix", op);
    }

    /// <summary>
    /// The spec describes windows the kernels can index in 32 bits (sizes and paddings non-negative, kernel, strides,
    /// dilations and groups at least 1, groups dividing channels and filters, the furthest tap, every buffer and, on the
    /// grouped im2col path, one group's unfolded matrix under 2^31), and the image (x or dx), kernel (w or dw) and output (y or dy) fit their buffers. Windows may reach into
    /// padding anywhere: every tap is bounds-checked by the kernels.
    /// </summary>
    private static void CheckSpec(in ConvSpec s, int filters, float[] image, string imageName, float[] kernel, string kernelName,
        float[]? output, string outputName, string op)
    {
        if ((s.Batch | s.InH | s.InW | s.InC | s.OutH | s.OutW | s.PadTop | s.PadLeft) < 0 || s.KH < 1 || s.KW < 1 ||
            s.StrideH < 1 || s.StrideW < 1 || s.DilationH < 1 || s.DilationW < 1 || s.Groups < 1)
            throw BadSpec(s, "a negative size or padding, or a kernel size, stride, dilation or group count below 1", op);
        BufferCheck.Dim(filters, nameof(filters), op);
        if (s.InC % s.Groups != 0 || filters % s.Groups != 0)
            throw BadSpec(s, $"{s.InC} channels and {filters} filters, which {s.Groups} groups do not both divide", op);
        const long Max = int.MaxValue;
        if ((long)Math.Max(s.OutH - 1, 0) * s.StrideH + (long)(s.KH - 1) * s.DilationH >= Max ||
            (long)Math.Max(s.OutW - 1, 0) * s.StrideW + (long)(s.KW - 1) * s.DilationW >= Max ||
            (long)s.PadTop + s.InH >= Max || (long)s.PadLeft + s.InW >= Max ||
            s.InputLength > Max || (long)s.Batch * s.OutH * s.OutW * Math.Max(filters, 1) > Max || (long)s.KH * s.KW * s.InC > Max ||
            (!s.IsPlain && !s.IsDepthwise && (long)s.Batch * s.OutH * s.OutW * s.KH * s.KW * s.GroupChannels > Max))
            throw BadSpec(s, "windows, buffers or an im2col matrix beyond 2^31 elements", op);
        BufferCheck.Length(image, s.InputLength, imageName, op);
        BufferCheck.Length(kernel, s.KernelLength(filters), kernelName, op);
        if (output != null) BufferCheck.Length(output, s.OutputLengthFor(filters), outputName, op); // null: the caller checks its own output
    }

    private static ArgumentException BadSpec(in ConvSpec s, string problem, string op) =>
        new($"{op}: convolution {s} has {problem}.", "s");
}
