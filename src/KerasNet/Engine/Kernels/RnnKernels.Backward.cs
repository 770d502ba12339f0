#nullable enable
namespace KerasNet.Engine.Kernels;

internal static unsafe partial class RnnKernels
{
    /// <summary>
    /// Back-propagation through time of the call recorded in <paramref name="t"/>: the step loop turns the saved gates
    /// into pre-activation gradients (in place) and carries dh, dc back to the initial states; then every weight
    /// gradient and dx is one GEMM over all steps (split over the cores by the GEMM itself).
    /// </summary>
    public static void Backward(in RnnGeometry g, in RnnArrays a, in RnnGradients d, RnnTape t)
    {
        int B = g.Batch, T = g.Steps, I = g.InputDim, U = g.Units, GU = g.Gates * U, groups = InputGroups(g), M = T * B;
        int nRec = g.RecurrentMaskGroups;
        long bu = (long)B * U;
        Ensure(ref t.DH, bu);
        Ensure(ref t.DOut, bu);
        Ensure(ref t.Tmp, bu);
        if (g.HasCarry) Ensure(ref t.DC, bu);
        if (d.X != null) Ensure(ref t.DXt, groups * (long)M * I);
        Ensure(ref t.RT, (long)GU * U);
        fixed (float* r = a.RecurrentKernel, rt = t.RT)
            for (int i = 0; i < U; i++)
                for (int j = 0; j < GU; j++) rt[(nint)j * U + i] = r[(nint)i * GU + j];
        t.Valid = false; // the step loop overwrites the saved gates
        fixed (float* dfh = d.FinalH, dfc = d.FinalC, dh = t.DH, dc = t.DC, dout = t.DOut)
        {
            if (dfh != null) RnnCells.Copy(B * U, dfh, dh); else RnnCells.Clear(B * U, dh);
            if (g.HasCarry) { if (dfc != null) RnnCells.Copy(B * U, dfc, dc); else RnnCells.Clear(B * U, dc); }
            RnnCells.Clear(B * U, dout);
        }
        RunSteps(g, a, d, t, backward: true);

        fixed (float* x = a.X, w = a.Kernel, idm = a.InputDropout, dx = d.X, dw = d.Kernel, dr = d.RecurrentKernel, db = d.Bias,
            dh0 = d.InitialH, dc0 = d.InitialC, xt = t.Xt, z = t.Z, hs = t.Hs, hr = t.Hr, aux = t.Aux, dh = t.DH, dc = t.DC, dxt = t.DXt)
        {
            if (dh0 != null) RnnCells.Copy(B * U, dh, dh0);
            if (dc0 != null) RnnCells.Copy(B * U, dc, dc0);

            // dW = Xt^T dZ, per input mask group when each gate saw its own masked input.
            if (dw != null)
            {
                if (groups == 1) Gemm.Run(true, false, I, GU, M, xt, I, z, GU, dw, GU, false);
                else
                    for (int grp = 0; grp < groups; grp++)
                        Gemm.Run(true, false, I, U, M, xt + (nint)grp * M * I, I, z + grp * U, GU, dw + grp * U, GU, false);
            }

            // dR = sum over steps of (recurrent input)^T (gradient of the recurrent product).
            if (dr != null)
            {
                // The recurrent input of gate group grp over all steps: h' (Hs's first steps*batch rows) or its masked copy.
                float* h0in = nRec > 0 ? hr : hs, h1in = nRec > 1 ? hr + (nint)M * U : h0in, h2in = nRec > 1 ? hr + 2 * (nint)M * U : h0in;
                switch (g.Cell)
                {
                    case RnnCell.Simple or RnnCell.Lstm:
                        if (nRec <= 1) DRColumns(U, M, GU, h0in, 0, GU, z, GU, dr);
                        else for (int grp = 0; grp < nRec; grp++) DRColumns(U, M, GU, hr + (nint)grp * M * U, grp * U, U, z + grp * U, GU, dr);
                        break;
                    default:
                        if (nRec <= 1) DRColumns(U, M, GU, h0in, 0, 2 * U, z, GU, dr);
                        else { DRColumns(U, M, GU, h0in, 0, U, z, GU, dr); DRColumns(U, M, GU, h1in, U, U, z + U, GU, dr); }
                        if (g.Cell == RnnCell.GruResetAfter) DRColumns(U, M, GU, h2in, 2 * U, U, aux, U, dr);
                        else DRColumns(U, M, GU, aux, 2 * U, U, z + 2 * U, GU, dr); // (r h')^T dhh'
                        break;
                }
            }

            if (db != null)
            {
                RowOps.ColumnSums(z, M, GU, db);
                if (g.Cell == RnnCell.GruResetAfter)
                {
                    RnnCells.Copy(2 * U, db, db + GU);
                    RowOps.ColumnSums(aux, M, U, db + GU + 2 * U);
                }
            }

            // dx = dZ W^T (per group, times its mask), back to (batch, steps, input) in the input's time order.
            if (dx != null)
            {
                if (groups == 1) Gemm.Run(false, true, M, I, GU, z, GU, w, GU, dxt, I, false);
                else
                    for (int grp = 0; grp < groups; grp++)
                        Gemm.Run(false, true, M, I, U, z + grp * U, GU, w + grp * U, GU, dxt + (nint)grp * M * I, I, false);
                for (int s = 0; s < T; s++)
                {
                    int tIn = g.GoBackwards ? T - 1 - s : s;
                    for (int b = 0; b < B; b++)
                    {
                        float* dst = dx + ((nint)b * T + tIn) * I;
                        float* src = dxt + ((nint)s * B + b) * I;
                        if (idm == null) { RnnCells.Copy(I, src, dst); continue; }
                        RnnCells.Multiply(I, src, idm + (nint)b * I, dst);
                        for (int grp = 1; grp < groups; grp++)
                            RnnCells.MultiplyAdd(I, src + (nint)grp * M * I, idm + ((nint)grp * B + b) * I, dst);
                    }
                }
            }
        }
    }

    /// <summary>dR[:, col..col+cols) = input^T src over all steps*batch rows.</summary>
    private static void DRColumns(int u, int m, int gu, float* input, int col, int cols, float* src, int ldSrc, float* dr) =>
        Gemm.Run(true, false, u, cols, m, input, u, src, ldSrc, dr + col, gu, false);
}
