#nullable enable
namespace KerasNet.Metrics;

/// <summary>tf.nn.in_top_k and the argument check of the top-k metrics.</summary>
internal static class TopK
{
    public static int Check(int k, string metric) =>
        k >= 1 ? k : throw new KerasNetException($"{metric}: k must be at least 1, got {k}.");

    /// <summary>Whether class <paramref name="target"/> is in the top <paramref name="k"/>: fewer than k predictions strictly above it, all finite.</summary>
    public static bool InTopK(ReadOnlySpan<float> pred, int target, int k)
    {
        float v = pred[target];
        int above = 0;
        foreach (float p in pred)
        {
            if (!float.IsFinite(p)) return false; // TF cannot rank a row holding a non-finite prediction
            if (p > v) above++;
        }
        return above < k;
    }
}
