#nullable enable
using System.Runtime.CompilerServices;

namespace KerasNet.Engine.Kernels;

/// <summary>A kernel call with its arguments bound, waiting for its compile-time row count.</summary>
internal interface IRowsCall
{
    /// <summary>Makes the call specialised for <typeparamref name="TR"/> rows.</summary>
    void Run<TR>() where TR : struct, IRows;
}

/// <summary>
/// Turns a run-time row count (1 to 8) into the <see cref="IRows"/> type argument of a row-unrolled kernel. The
/// call is a struct type argument, so each instantiation calls its kernel directly: no delegate, no allocation.
/// </summary>
internal static class RowsDispatch
{
    /// <summary>Runs <paramref name="call"/> for <paramref name="rows"/> rows; counts below 2 run one row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TC>(int rows, in TC call) where TC : struct, IRowsCall
    {
        switch (rows)
        {
            case 8: call.Run<Rows8>(); break;
            case 7: call.Run<Rows7>(); break;
            case 6: call.Run<Rows6>(); break;
            case 5: call.Run<Rows5>(); break;
            case 4: call.Run<Rows4>(); break;
            case 3: call.Run<Rows3>(); break;
            case 2: call.Run<Rows2>(); break;
            default: call.Run<Rows1>(); break;
        }
    }
}
