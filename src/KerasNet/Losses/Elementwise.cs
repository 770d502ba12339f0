#nullable enable
namespace KerasNet.Losses;

/// <summary>A loss of one prediction against one target, and its derivative with respect to the prediction.</summary>
internal interface IElementLoss
{
    double Value(float p, float y);
    double Derivative(float p, float y);
}

/// <summary>The losses that are a mean over the last axis of an element-wise term (Keras's <c>K.mean(..., axis=-1)</c>).</summary>
internal static class Elementwise
{
    /// <summary>Row losses as the mean of <paramref name="fn"/> over each row; gradients scaled by the row's factor over the width.</summary>
    public static void MeanRows<T>(in LossRows a, T fn) where T : struct, IElementLoss
    {
        int c = a.Width;
        var p = a.Pred.Span;
        var y = a.Target.Span;
        var g = a.Grad;
        for (int r = 0, i = 0; r < a.Count; r++)
        {
            double sum = 0;
            float f = a.Scale[r] / c;
            for (int j = 0; j < c; j++, i++)
            {
                sum += fn.Value(p[i], y[i]);
                if (!g.IsEmpty) g[i] = (float)(fn.Derivative(p[i], y[i]) * f);
            }
            a.Loss[r] = sum / c;
        }
    }
}
