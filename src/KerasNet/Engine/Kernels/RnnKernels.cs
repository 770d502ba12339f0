#nullable enable
namespace KerasNet.Engine.Kernels;

/// <summary>
/// Recurrent layers over whole sequences (Keras's SimpleRNN, LSTM and GRU, their rnn() loop with masks, dropout
/// masks fixed across time steps). The layout is time-major inside: the inputs of every step are gathered into one
/// (steps*batch, input) matrix (reversed for go_backwards, times the dropout masks), so the input projections of all
/// steps are one GEMM with the bias fused; then the batch is split into row ranges that run the whole recurrence
/// independently on the cores (rows of a batch never interact), each step one GEMM of its rows' states with the
/// recurrent kernel accumulated onto the projections, followed by the fused element-wise cell (<see cref="RnnCells"/>).
/// Backward through time mirrors it: the step loop (per row range) forms each step's pre-activation gradients and
/// carries dh (and dc) back; the weight gradients and dx are then GEMMs over all steps at once. Nothing is
/// allocated once the tape's buffers have grown to the call's size. Entry points are reached through
/// <see cref="CpuBackend"/>, which checks every array first.
/// </summary>
internal static unsafe partial class RnnKernels
{
    // A row range of the recurrence costs one GEMM call per step whatever its height; below 4 rows the call's fixed
    // cost outweighs what a second core gains.
    private const int MinRowsPerPart = 4;

    [ThreadStatic] private static RnnJob? t_job;

    /// <summary>Input mask groups as stored (1 when one mask, or none, serves all gates).</summary>
    internal static int InputGroups(in RnnGeometry g) => Math.Max(1, g.InputMaskGroups);

    /// <summary>Grows the tape's buffers to the call's sizes (never shrinks them).</summary>
    private static void Size(RnnTape t, in RnnGeometry g, bool masked)
    {
        long tb = (long)g.Steps * g.Batch, bu = (long)g.Batch * g.Units;
        Ensure(ref t.Xt, InputGroups(g) * tb * g.InputDim);
        Ensure(ref t.Z, tb * g.Gates * g.Units);
        Ensure(ref t.Hs, (g.Steps + 1) * bu);
        if (g.HasCarry) Ensure(ref t.Cs, (g.Steps + 1) * bu);
        if (g.RecurrentMaskGroups > 0) Ensure(ref t.Hr, g.RecurrentMaskGroups * tb * g.Units);
        if (g.Cell != RnnCell.Simple) Ensure(ref t.Aux, tb * g.Units);
        if (masked) Ensure(ref t.Mask, tb);
        Ensure(ref t.Bias, g.Gates * g.Units);
        Ensure(ref t.OutCarry, bu);
    }

    /// <summary>A pinned buffer of at least <paramref name="n"/> floats (kernels hold pointers to it across threads).</summary>
    internal static void Ensure(ref float[] buffer, long n)
    {
        if (buffer.Length < n) buffer = GC.AllocateUninitializedArray<float>(BufferCheck.Scratch(n, "recurrent tape", "Rnn"), pinned: true);
    }

    /// <summary>How many row ranges the recurrence of <paramref name="g"/> is split into.</summary>
    private static int Parts(in RnnGeometry g)
    {
        long perRow = (long)g.Steps * g.Units * g.Gates * g.Units;
        return Math.Max(1, Math.Min(Threads.PartsFor(g.Batch, perRow), g.Batch / MinRowsPerPart));
    }

    public static void Forward(in RnnGeometry g, in RnnArrays a, RnnTape t)
    {
        t.Valid = false;
        Size(t, g, a.TimeMask != null);
        int B = g.Batch, T = g.Steps, I = g.InputDim, U = g.Units, GU = g.Gates * U, groups = InputGroups(g), M = T * B;
        fixed (float* x = a.X, w = a.Kernel, bias = a.Bias, h0 = a.InitialH, c0 = a.InitialC, tm = a.TimeMask, idm = a.InputDropout,
            output = a.Output, fh = a.FinalH, fc = a.FinalC, xt = t.Xt, z = t.Z, hs = t.Hs, cs = t.Cs, mask = t.Mask, tb = t.Bias, oc = t.OutCarry)
        {
            // The steps' inputs, time-major, in processing order, times each group's dropout mask.
            for (int grp = 0; grp < groups; grp++)
                for (int s = 0; s < T; s++)
                {
                    int tIn = g.GoBackwards ? T - 1 - s : s;
                    for (int b = 0; b < B; b++)
                    {
                        float* src = x + ((nint)b * T + tIn) * I, dst = xt + (((nint)grp * T + s) * B + b) * I;
                        if (idm != null) RnnCells.Multiply(I, src, idm + ((nint)grp * B + b) * I, dst);
                        else RnnCells.Copy(I, src, dst);
                    }
                }
            if (tm != null)
                for (int s = 0; s < T; s++)
                    for (int b = 0; b < B; b++) mask[(nint)s * B + b] = tm[(nint)b * T + (g.GoBackwards ? T - 1 - s : s)];

            // reset_after's recurrent z and r biases add to the input ones; its h bias is added inside the step.
            float* pb = bias;
            if (bias != null && g.Cell == RnnCell.GruResetAfter)
            {
                for (int j = 0; j < GU; j++) tb[j] = bias[j] + (j < 2 * U ? bias[GU + j] : 0f);
                pb = tb;
            }
            if (groups == 1) Gemm.Run(false, false, M, GU, I, xt, I, w, GU, z, GU, false, pb);
            else
                for (int grp = 0; grp < groups; grp++)
                    Gemm.Run(false, false, M, U, I, xt + (nint)grp * M * I, I, w + grp * U, GU, z + grp * U, GU, false, pb == null ? null : pb + grp * U);

            if (h0 != null) RnnCells.Copy(B * U, h0, hs); else RnnCells.Clear(B * U, hs);
            if (g.HasCarry) { if (c0 != null) RnnCells.Copy(B * U, c0, cs); else RnnCells.Clear(B * U, cs); }
            RnnCells.Clear(B * U, oc);

            RunSteps(g, a, default, t, backward: false);

            if (!g.ReturnSequences) RnnCells.Copy(B * U, oc, output);
            RnnCells.Copy(B * U, hs + (nint)T * B * U, fh);
            if (g.HasCarry) RnnCells.Copy(B * U, cs + (nint)T * B * U, fc);
        }
        t.Geometry = g;
        t.Valid = true;
    }

    /// <summary>Runs the step loop (forward or backward) over the batch's row ranges on the cores.</summary>
    private static void RunSteps(in RnnGeometry g, in RnnArrays a, in RnnGradients d, RnnTape t, bool backward)
    {
        var job = Workspace.Rent(ref t_job);
        fixed (float* r = a.RecurrentKernel, rt = t.RT, bias = a.Bias, rdm = a.RecurrentDropout, output = a.Output, dy = d.Output,
            hs = t.Hs, cs = t.Cs, hr = t.Hr, z = t.Z, aux = t.Aux, mask = t.Mask, oc = t.OutCarry, dh = t.DH, dc = t.DC, dout = t.DOut, tmp = t.Tmp)
        {
            try
            {
                job.G = g; job.Backward = backward;
                job.R = r; job.RT = rt; job.RecBiasH = bias != null && g.Cell == RnnCell.GruResetAfter ? bias + 5 * g.Units : null;
                job.RecMask = rdm; job.Output = output; job.DY = dy;
                job.Hs = hs; job.Cs = cs; job.Hr = hr; job.Z = z; job.Aux = aux; job.Mask = a.TimeMask != null ? mask : null;
                job.OutCarry = oc; job.DH = dh; job.DC = dc; job.DOut = dout; job.Tmp = tmp;
                Threads.Run(job, g.Batch, Parts(g));
            }
            finally
            {
                job.Clear();
                Workspace.Return(ref t_job, job);
            }
        }
    }
}
