#nullable enable
using KerasNet.Engine;

namespace KerasNet.ConsoleApp.Commands;

/// <summary>Classes from model outputs, as the tutorial derives them.</summary>
public static class Classification
{
    /// <summary>
    /// <c>np.argmax(outputs, axis=1)</c> for several outputs per sample (the first maximum on ties, as numpy);
    /// a single sigmoid output is thresholded at 0.5 (class_mode='binary').
    /// </summary>
    public static int[] PredictedClasses(Tensor outputs)
    {
        int n = outputs.BatchSize, k = outputs.SampleSize;
        var result = new int[n];
        for (int i = 0; i < n; i++)
        {
            var row = outputs.Buffer.AsSpan(i * k, k);
            if (k == 1) { result[i] = row[0] > 0.5f ? 1 : 0; continue; }
            int best = 0;
            for (int j = 1; j < k; j++) if (row[j] > row[best] || (float.IsNaN(row[j]) && !float.IsNaN(row[best]))) best = j;
            result[i] = best;
        }
        return result;
    }
}
