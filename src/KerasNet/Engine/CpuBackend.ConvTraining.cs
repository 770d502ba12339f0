#nullable enable
using KerasNet.Engine.Kernels;

namespace KerasNet.Engine;

// The plain convolution's training passes (no dilation, one group), without an unfolded matrix where the lane kernels
// run: the forward is the direct implicit-GEMM kernel (ConvDirect, its filter panels packed per call since training
// changes the weights every step), the filter gradient the implicit ConvBackwardFilter, and at stride 1 the input
// gradient the direct kernel again, on dy with the kernel flipped and its channel axes swapped (a 'full' correlation).
// 1x1 stride-1 unpadded kernels multiply the input itself; anything else (no SIMD, a strided input gradient) keeps
// im2col + GEMM and its fold.
internal sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void Conv2DForward(in ConvGeometry g, float[] x, float[] w, int filters, float[] y) =>
        Conv2DForward(g, x, w, null, ActivationKind.Linear, filters, y, null);

    /// <inheritdoc/>
    public void Conv2DForward(in ConvGeometry g, float[] x, float[] w, float[]? bias, ActivationKind activation, int filters, float[] y, ConvWorkspace? workspace)
    {
        const string op = nameof(Conv2DForward);
        CheckConv(g, filters, x, nameof(x), w, nameof(w), y, nameof(y), op);
        BufferCheck.Optional(bias, filters, nameof(bias), op);
        BufferCheck.Activation(activation, op);
        bool relu = activation == ActivationKind.Relu;
        if (ConvLanes.Supported && !IsPointwise(g))
        {
            var ws = workspace ?? Workspace.Rent(ref t_convScratch);
            try
            {
                var s = SpecOf(g);
                PackFilters(ws, s, w, bias, -1, filters, op);
                ConvDirect.Forward(s, x, ws.Packed, ws.PackedBias, relu, filters, y);
            }
            finally { if (workspace is null) Workspace.Return(ref t_convScratch, ws); }
        }
        else
        {
            float[] col = Unfolded(g, x, workspace, reuse: false, op);
            Kernels.Gemm.Run(false, false, g.Rows, filters, g.Cols, col, g.Cols, w, filters, y, filters, false, bias, relu);
        }
        if (!relu && activation != ActivationKind.Linear) ActivationKernels.Forward(y.AsSpan(0, g.Rows * filters), filters, activation);
    }

    /// <inheritdoc/>
    public void Conv2DBackwardFilter(in ConvGeometry g, float[] x, float[] dy, int filters, float[] dw) =>
        Conv2DBackwardFilter(g, x, dy, filters, dw, null);

    /// <inheritdoc/>
    public void Conv2DBackwardFilter(in ConvGeometry g, float[] x, float[] dy, int filters, float[] dw, ConvWorkspace? workspace)
    {
        const string op = nameof(Conv2DBackwardFilter);
        CheckConv(g, filters, x, nameof(x), dw, nameof(dw), dy, nameof(dy), op);
        if (IsPointwise(g) || (workspace is not null && ReferenceEquals(workspace.ColSource, x) && workspace.ColGeometry == g))
        {
            // x itself, or the unfolded matrix a fallback forward left: one GEMM over every pixel.
            float[] col = Unfolded(g, x, workspace, reuse: true, op);
            Kernels.Gemm.Run(true, false, g.Cols, filters, g.Rows, col, g.Cols, dy, filters, dw, filters, false);
            return;
        }
        var ws = workspace ?? Workspace.Rent(ref t_convScratch);
        try { Kernels.ConvBackwardFilter.Run(g, x, dy, filters, dw, ws); }
        finally { if (workspace is null) Workspace.Return(ref t_convScratch, ws); }
    }

    /// <inheritdoc/>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void ConvBackwardActivated(in ConvSpec s, float[] x, float[]? reluOutput, float[] dy, int filters, float[] dw, float[]? db, float[]? gradPre, ConvWorkspace? workspace)
    {
        const string op = nameof(ConvBackwardActivated);
        CheckSpec(s, filters, x, nameof(x), dw, nameof(dw), dy, nameof(dy), op);
        long n = s.OutputLengthFor(filters);
        if (reluOutput is not null) BufferCheck.Length(reluOutput, n, nameof(reluOutput), op);
        if (gradPre is not null) BufferCheck.Length(gradPre, n, nameof(gradPre), op);
        BufferCheck.Optional(db, filters, nameof(db), op);
        var ws = workspace ?? Workspace.Rent(ref t_convScratch);
        try
        {
            var g = s.Geometry;
            if (s.IsPlain && !IsPointwise(g) && !(ReferenceEquals(ws.ColSource, x) && ws.ColGeometry == g))
            {
                // One pass over dy: the mask, the bias's sums and g as each block of the filter gradient reads it.
                Kernels.ConvBackwardFilter.Run(g, x, dy, reluOutput, filters, dw, db, gradPre, ws);
                return;
            }
            // Elsewhere in steps: g (into gradPre, or the workspace), its column sums, the filter gradient.
            var grad = gradPre ?? ConvWorkspace.Grow(ref ws.MaskedGradient, n, "pre-activation gradient", op);
            dy.AsSpan(0, (int)n).CopyTo(grad);
            if (reluOutput is not null) ActivationBackward(grad, reluOutput, null, (int)n, filters, ActivationKind.Relu);
            if (db is not null) ColumnSums(grad, s.Rows, filters, db);
            ConvBackwardFilter(s, x, grad, filters, dw, ws);
        }
        finally { if (workspace is null) Workspace.Return(ref t_convScratch, ws); }
    }

    /// <summary>
    /// The im2col matrix of x: x itself for 1x1 stride-1 unpadded kernels; with a workspace, the layer's own buffer
    /// (reused when it already holds this x and geometry and <paramref name="reuse"/>); otherwise this thread's scratch.
    /// The workspace is the caller's and only ever referenced from the caller's side, never from a static. Its buffer is
    /// read once into a local, so what is filled, recorded and returned is one array even if the caller (against the
    /// rules) shares the workspace between threads; and the GEMM checks the array's length again before using it.
    /// </summary>
    private static float[] Unfolded(in ConvGeometry g, float[] x, ConvWorkspace? ws, bool reuse, string op)
    {
        if (IsPointwise(g)) return x;
        long n = (long)g.Rows * g.Cols;
        if (ws is null) { var scratch = Scratch(n, op); Im2Col.Unfold(g, x, scratch); return scratch; }
        var col = ws.Col;
        if (reuse && ReferenceEquals(ws.ColSource, x) && ws.ColGeometry == g && col.Length >= n) return col;
        if (col.Length < n) ws.Col = col = new float[BufferCheck.Scratch(n, "im2col matrix", op)];
        ws.ColSource = null; // not valid while it is being refilled (an exception below leaves it invalid)
        Im2Col.Unfold(g, x, col);
        ws.ColGeometry = g;
        ws.ColSource = x;
        return col;
    }

    /// <inheritdoc/>
    public void Conv2DBackwardInput(in ConvGeometry g, float[] dy, float[] w, int filters, float[] dx) =>
        Conv2DBackwardInput(g, dy, w, filters, dx, null);

    /// <summary>The input gradient with the layer's workspace (the flipped, packed kernel of the direct path lives there).</summary>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal void Conv2DBackwardInput(in ConvGeometry g, float[] dy, float[] w, int filters, float[] dx, ConvWorkspace? workspace)
    {
        const string op = nameof(Conv2DBackwardInput);
        CheckConv(g, filters, dx, nameof(dx), w, nameof(w), dy, nameof(dy), op);
        if (IsPointwise(g))
        {
            Kernels.Gemm.Run(false, true, g.Rows, g.Cols, filters, dy, filters, w, filters, dx, g.Cols, false);
            return;
        }
        if (ConvLanes.Supported && g.StrideH == 1 && g.StrideW == 1 && g.PadTop < g.KH && g.PadLeft < g.KW)
        {
            var ws = workspace ?? Workspace.Rent(ref t_convScratch);
            try { FullCorrelation(g, dy, w, filters, dx, ws, op); }
            finally { if (workspace is null) Workspace.Return(ref t_convScratch, ws); }
            return;
        }
        var dcol = Scratch((long)g.Rows * g.Cols, op);
        Kernels.Gemm.Run(false, true, g.Rows, g.Cols, filters, dy, filters, w, filters, dcol, g.Cols, false);
        Im2Col.Fold(g, dcol, dx);
    }

    /// <summary>
    /// dx at stride 1 as the direct convolution of dy (filters channels) with w flipped in both window axes and its
    /// channel axes swapped ((KH, KW, F, C)), padded by the kernel's reach less the forward's padding on each side.
    /// </summary>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void FullCorrelation(in ConvGeometry g, float[] dy, float[] w, int filters, float[] dx, ConvWorkspace ws, string op)
    {
        int c = g.InC;
        var t = new ConvSpec(g.Batch, g.OutH, g.OutW, filters, g.KH, g.KW, 1, 1, 1, 1, g.KH - 1 - g.PadTop, g.KW - 1 - g.PadLeft, g.InH, g.InW);
        var flipped = ConvWorkspace.Grow(ref ws.FlippedKernel, (long)g.Cols * filters, "flipped kernel", op);
        for (int kh = 0; kh < g.KH; kh++)
            for (int kw = 0; kw < g.KW; kw++)
            {
                int src = ((g.KH - 1 - kh) * g.KW + (g.KW - 1 - kw)) * c * filters, dst = (kh * g.KW + kw) * filters * c;
                for (int ci = 0; ci < c; ci++)
                    for (int f = 0; f < filters; f++) flipped[dst + f * c + ci] = w[src + ci * filters + f];
            }
        var packed = ConvWorkspace.Grow(ref ws.FlippedPacked, ConvDirect.PackedLength(t, c), "packed flipped kernel", op);
        var zeros = ConvWorkspace.Grow(ref ws.FlippedBias, ConvDirect.Padded(c), "zero bias", op);
        ConvDirect.Pack(t, flipped, null, c, packed, zeros);
        ConvDirect.Forward(t, dy, packed, zeros, false, c, dx);
    }

    private static ConvSpec SpecOf(in ConvGeometry g) =>
        new(g.Batch, g.InH, g.InW, g.InC, g.KH, g.KW, g.StrideH, g.StrideW, 1, 1, g.PadTop, g.PadLeft, g.OutH, g.OutW);
}
