#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Losses;

/// <summary>
/// Keras's <c>cosine_similarity</c>: -sum(l2_normalize(y) l2_normalize(p)) over <c>axis</c> (the last one), where
/// l2_normalize(x) = x / sqrt(max(sum(x^2), 1e-12)). Values lie in [-1, 1]; -1 is the best.
/// </summary>
public sealed class CosineSimilarity : Loss
{
    /// <summary>Creates the loss with Keras's arguments.</summary>
    /// <param name="axis">The axis normalised and summed over (Keras's default -1; any but the batch axis 0).</param>
    /// <include file="../Docs/Params.xml" path="params/param[@name='reduction']"/>
    /// <param name="name">The loss's name in logs and configs (Keras default "cosine_similarity").</param>
    public CosineSimilarity(int axis = -1, string reduction = "sum_over_batch_size", string name = "cosine_similarity") : base(reduction, name) =>
        Axis = CheckAxis(axis, nameof(CosineSimilarity));

    /// <summary>Keras's <c>axis</c>.</summary>
    public int Axis { get; }

    private protected override int ReductionAxis => Axis;

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["axis"] = Axis;
        return c;
    }

    private const double NormFloor = 1e-12;

    private protected override void Rows(in LossRows a)
    {
        int c = a.Width;
        var p = a.Pred.Span;
        var y = a.Target.Span;
        for (int r = 0; r < a.Count; r++)
        {
            var pr = p.Slice(r * c, c);
            var yr = y.Slice(r * c, c);
            double sp = 0, sy = 0, dot = 0;
            for (int j = 0; j < c; j++) { sp += (double)pr[j] * pr[j]; sy += (double)yr[j] * yr[j]; dot += (double)pr[j] * yr[j]; }
            double np = Math.Sqrt(Math.Max(sp, NormFloor)), ny = Math.Sqrt(Math.Max(sy, NormFloor));
            double cos = dot / (np * ny);
            a.Loss[r] = -cos;
            if (a.Grad.IsEmpty) continue;
            var g = a.Grad.Slice(r * c, c);
            // d(-cos)/dp = -(y/ny - p dot/(ny np^2)) / np; below the floor the norm is the constant sqrt(1e-12): only y/ny remains.
            bool floored = sp < NormFloor;
            for (int j = 0; j < c; j++)
            {
                double d = yr[j] / ny - (floored ? 0 : pr[j] * dot / (ny * np * np));
                g[j] = (float)(-d / np * a.Scale[r]);
            }
        }
    }
}
