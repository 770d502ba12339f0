#nullable enable
using KerasNet.Engine;
using Microsoft.ML.OnnxRuntime;

namespace KerasNet.Tests.TestUtil;

/// <summary>ONNX Runtime as an oracle: opening an export (a missing native library skips, or fails under CI) and running it.</summary>
internal static class OnnxRuntimeOracle
{
    /// <summary>Opens the model on one intra-op thread (ORT's default optimizations unless <paramref name="allOptimizations"/>).</summary>
    public static InferenceSession Open(string onnxPath, bool allOptimizations = false)
    {
        try
        {
            var options = new SessionOptions { IntraOpNumThreads = 1 };
            if (allOptimizations) options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL;
            return new InferenceSession(onnxPath, options);
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            Oracle.RequireOracle(false, $"ONNX Runtime's native library did not load on {System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier}: {e.GetBaseException().Message}");
            throw; // unreachable: RequireOracle(false) skips or throws.
        }
    }

    /// <summary>The export's "output" for <paramref name="x"/> fed as its "input".</summary>
    public static float[] Run(InferenceSession session, Tensor x)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(x.ToArray(), x.Shape.Select(d => (long)d).ToArray());
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["input"], [input], ["output"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>The largest absolute difference of two equally long arrays.</summary>
    public static double MaxAbsDiff(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        double max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs((double)a[i] - b[i]));
        return max;
    }
}
