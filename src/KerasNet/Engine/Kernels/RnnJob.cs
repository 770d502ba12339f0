#nullable enable
namespace KerasNet.Engine.Kernels;

/// <summary>
/// The step loop of one recurrent call over a range of batch rows, forward or backward through time. Rows of a batch
/// never interact, so each range runs all its steps without waiting for the others; per step it makes the
/// recurrent products of its rows (one GEMM, or one per gate when each gate has its own recurrent dropout mask) and
/// the fused cell of each row. Buffers are the tape's, time-major: Z (steps, batch, G*units), Hs and Cs (steps + 1,
/// batch, units), Hr (groups, steps, batch, units), Aux (steps, batch, units: LSTM act(c), GRU reset_after
/// h R_h + b_rh, GRU reset_before r h). Reused per calling thread; its pointers are cleared after each run.
/// </summary>
internal sealed unsafe class RnnJob : ParallelJob
{
    public RnnGeometry G;
    public bool Backward;
    public float* R, RT, RecBiasH, RecMask, Output, DY;
    public float* Hs, Cs, Hr, Z, Aux, Mask, OutCarry, DH, DC, DOut, Tmp;

    public void Clear()
    {
        R = RT = RecBiasH = RecMask = Output = DY = null;
        Hs = Cs = Hr = Z = Aux = Mask = OutCarry = DH = DC = DOut = Tmp = null;
    }

    public override void Execute(int part, int start, int end)
    {
        if (end <= start) return;
        if (Backward) RunBackward(start, end); else RunForward(start, end);
    }

    private int U => G.Units;
    private int GU => G.Gates * G.Units;
    private nint BU => (nint)G.Batch * G.Units;

    /// <summary>The recurrent input of gate group <paramref name="grp"/> at step s for rows from r0: h' itself, or h' times that group's mask.</summary>
    private float* RecIn(int grp, int s, int r0) =>
        G.RecurrentMaskGroups > 0 ? Hr + (((nint)grp * G.Steps + s) * G.Batch + r0) * U : Hs + ((nint)s * G.Batch + r0) * U;

    /// <summary>c (+)= a R[:, col..col+cols) (+ bias).</summary>
    private void Rec(int rows, float* a, int col, int cols, float* c, int ldc, bool accumulate, float* bias = null) =>
        Gemm.Run(false, false, rows, cols, U, a, U, R + col, GU, c, ldc, accumulate, bias);

    /// <summary>
    /// c (+)= dz R[:, col..col+cols)^T: the gradient reaching h' through those gate columns, from the backward pass's
    /// transposed copy RT (G*units, units), whose rows col.. are those columns: a plain product, which the GEMM runs
    /// several times faster than one with a transposed operand at these small heights.
    /// </summary>
    private void RecT(int rows, float* dz, int lddz, int col, int cols, float* c, bool accumulate) =>
        Gemm.Run(false, false, rows, U, cols, dz, lddz, RT + (nint)col * U, U, c, U, accumulate);

    /// <summary>The mask group of the h gate's recurrent input (GRU): its own with one mask per gate, else the shared one.</summary>
    private int HGroup => G.RecurrentMaskGroups > 1 ? 2 : 0;

    private bool Kept(int s, int b) => Mask == null || Mask[(nint)s * G.Batch + b] != 0f;

    private void RunForward(int r0, int r1)
    {
        int rows = r1 - r0, u = U, gu = GU, groups = G.RecurrentMaskGroups;
        var act = G.Activation; var rec = G.RecurrentActivation;
        for (int s = 0; s < G.Steps; s++)
        {
            float* z = Z + ((nint)s * G.Batch + r0) * gu, hp = Hs + ((nint)s * G.Batch + r0) * u, hn = hp + BU;
            float* aux = Aux == null ? null : Aux + ((nint)s * G.Batch + r0) * u;
            for (int grp = 0; grp < groups; grp++)
                for (int i = 0; i < rows; i++)
                    RnnCells.Multiply(u, hp + (nint)i * u, RecMask + ((nint)grp * G.Batch + r0 + i) * u, RecIn(grp, s, r0) + (nint)i * u);
            switch (G.Cell)
            {
                case RnnCell.Simple or RnnCell.Lstm:
                    if (groups <= 1) Rec(rows, RecIn(0, s, r0), 0, gu, z, gu, true);
                    else for (int grp = 0; grp < groups; grp++) Rec(rows, RecIn(grp, s, r0), grp * u, u, z + grp * u, gu, true);
                    break;
                case RnnCell.GruResetAfter:
                    RecGates(rows, s, r0, z);
                    Rec(rows, RecIn(HGroup, s, r0), 2 * u, u, aux, u, false, RecBiasH);
                    break;
                default:
                    RecGates(rows, s, r0, z);
                    float* hIn = RecIn(HGroup, s, r0);
                    for (int i = 0; i < rows; i++) RnnCells.GruBeforeGates(u, z + (nint)i * gu, hIn + (nint)i * u, aux + (nint)i * u, rec);
                    Rec(rows, aux, 2 * u, u, z + 2 * u, gu, true);
                    break;
            }
            for (int i = 0; i < rows; i++)
            {
                int b = r0 + i;
                float* zr = z + (nint)i * gu, hPrev = hp + (nint)i * u, hNew = hn + (nint)i * u, oc = OutCarry + (nint)b * u;
                if (Kept(s, b))
                {
                    switch (G.Cell)
                    {
                        case RnnCell.Simple: RnnCells.SimpleForward(u, zr, hNew, act); break;
                        case RnnCell.Lstm:
                            float* c = Cs + ((nint)s * G.Batch + b) * u;
                            RnnCells.LstmForward(u, zr, c, c + BU, aux + (nint)i * u, hNew, act, rec);
                            break;
                        case RnnCell.GruResetAfter: RnnCells.GruAfterForward(u, zr, aux + (nint)i * u, hPrev, hNew, act, rec); break;
                        default: RnnCells.GruBeforeForward(u, zr, hPrev, hNew, act); break;
                    }
                    RnnCells.Copy(u, hNew, oc);
                }
                else
                {
                    // Keras's rnn() with a mask: the states stay, the output repeats the previous one (or is zero).
                    RnnCells.Copy(u, hPrev, hNew);
                    if (G.HasCarry) { float* c = Cs + ((nint)s * G.Batch + b) * u; RnnCells.Copy(u, c, c + BU); }
                    if (G.ZeroOutputForMask) RnnCells.Clear(u, oc);
                }
                if (G.ReturnSequences) RnnCells.Copy(u, oc, Output + ((nint)b * G.Steps + s) * u);
            }
        }
    }

    /// <summary>The z and r columns' recurrent products, accumulated onto the projections.</summary>
    private void RecGates(int rows, int s, int r0, float* z)
    {
        int u = U;
        if (G.RecurrentMaskGroups <= 1) { Rec(rows, RecIn(0, s, r0), 0, 2 * u, z, GU, true); return; }
        Rec(rows, RecIn(0, s, r0), 0, u, z, GU, true);
        Rec(rows, RecIn(1, s, r0), u, u, z + u, GU, true);
    }

    private void RunBackward(int r0, int r1)
    {
        int rows = r1 - r0, u = U, gu = GU, groups = G.RecurrentMaskGroups, T = G.Steps;
        var act = G.Activation; var rec = G.RecurrentActivation;
        float* dh = DH + (nint)r0 * u, tmp = Tmp + (nint)r0 * u;
        for (int s = T - 1; s >= 0; s--)
        {
            float* z = Z + ((nint)s * G.Batch + r0) * gu, hp = Hs + ((nint)s * G.Batch + r0) * u;
            float* aux = Aux == null ? null : Aux + ((nint)s * G.Batch + r0) * u;
            for (int i = 0; i < rows; i++)
            {
                int b = r0 + i;
                float* zr = z + (nint)i * gu, dhr = dh + (nint)i * u, dOut = DOut + (nint)b * u;
                float* dy = G.ReturnSequences ? DY + ((nint)b * T + s) * u : s == T - 1 ? DY + (nint)b * u : null;
                if (dy != null) RnnCells.AddTo(u, dy, dOut);
                if (!Kept(s, b))
                {
                    // The state passed through unchanged; the output's gradient goes to the previous output.
                    if (G.ZeroOutputForMask) RnnCells.Clear(u, dOut);
                    RnnCells.Clear(gu, zr);
                    if (G.Cell == RnnCell.GruResetAfter) RnnCells.Clear(u, aux + (nint)i * u);
                    continue;
                }
                RnnCells.AddTo(u, dOut, dhr);
                RnnCells.Clear(u, dOut);
                switch (G.Cell)
                {
                    case RnnCell.Simple: RnnCells.SimpleBackward(u, zr, dhr, act); break;
                    case RnnCell.Lstm:
                        RnnCells.LstmBackward(u, zr, dhr, DC + (nint)b * u, Cs + ((nint)s * G.Batch + b) * u, aux + (nint)i * u, act, rec);
                        break;
                    case RnnCell.GruResetAfter: RnnCells.GruAfterBackward(u, zr, aux + (nint)i * u, hp + (nint)i * u, dhr, act, rec); break;
                    default: RnnCells.GruBeforeBackward(u, zr, hp + (nint)i * u, dhr, act, rec); break;
                }
            }
            switch (G.Cell)
            {
                case RnnCell.Simple or RnnCell.Lstm:
                    if (groups == 0) RecT(rows, z, gu, 0, gu, dh, true);
                    else if (groups == 1) RecTMasked(rows, z, gu, 0, gu, 0, r0, dh, tmp);
                    else for (int grp = 0; grp < groups; grp++) RecTMasked(rows, z + grp * u, gu, grp * u, u, grp, r0, dh, tmp);
                    break;
                case RnnCell.GruResetAfter:
                    RecTGates(rows, z, r0, dh, tmp);
                    if (groups == 0) RecT(rows, aux, u, 2 * u, u, dh, true);
                    else RecTMasked(rows, aux, u, 2 * u, u, HGroup, r0, dh, tmp);
                    break;
                default:
                    // d(r h'_h) first: dr needs it before the z and r columns can be back-propagated.
                    RecT(rows, z + 2 * u, gu, 2 * u, u, tmp, false);
                    float* hIn = RecIn(HGroup, s, r0);
                    for (int i = 0; i < rows; i++)
                        if (Kept(s, r0 + i))
                            RnnCells.GruBeforeReset(u, z + (nint)i * gu, hIn + (nint)i * u, tmp + (nint)i * u, dh + (nint)i * u,
                                groups == 0 ? null : RecMask + ((nint)HGroup * G.Batch + r0 + i) * u, rec);
                    RecTGates(rows, z, r0, dh, tmp);
                    break;
            }
        }
    }

    /// <summary>The gradient reaching h' through the z and r columns.</summary>
    private void RecTGates(int rows, float* z, int r0, float* dh, float* tmp)
    {
        int u = U;
        if (G.RecurrentMaskGroups == 0) { RecT(rows, z, GU, 0, 2 * u, dh, true); return; }
        if (G.RecurrentMaskGroups == 1) { RecTMasked(rows, z, GU, 0, 2 * u, 0, r0, dh, tmp); return; }
        RecTMasked(rows, z, GU, 0, u, 0, r0, dh, tmp);
        RecTMasked(rows, z + u, GU, u, u, 1, r0, dh, tmp);
    }

    /// <summary>dh += (dz R[:, col..col+cols)^T) times gate group grp's recurrent dropout mask.</summary>
    private void RecTMasked(int rows, float* dz, int lddz, int col, int cols, int grp, int r0, float* dh, float* tmp)
    {
        int u = U;
        RecT(rows, dz, lddz, col, cols, tmp, false);
        for (int i = 0; i < rows; i++)
            RnnCells.MultiplyAdd(u, tmp + (nint)i * u, RecMask + ((nint)grp * G.Batch + r0 + i) * u, dh + (nint)i * u);
    }
}
