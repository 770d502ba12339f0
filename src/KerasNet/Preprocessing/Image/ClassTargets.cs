#nullable enable
using KerasNet.Engine;

namespace KerasNet.Preprocessing.Image;

/// <summary>A batch's targets from class indices for keras_preprocessing's class modes (DirectoryIterator, DataFrameIterator).</summary>
internal static class ClassTargets
{
    public static Tensor? Fill(string? classMode, int[] classes, int numClasses, ReadOnlySpan<int> indices, Tensor x, Tensor? y)
    {
        int n = indices.Length;
        switch (classMode)
        {
            case null: return null;
            case "input":
                y = Tensor.Ensure(y, x.Shape);
                x.Span.CopyTo(y.Span);
                return y;
            case "categorical":
                y = Tensor.Ensure(y, n, numClasses);
                y.Clear();
                for (int i = 0; i < n; i++) y[i * numClasses + classes[indices[i]]] = 1f;
                return y;
            default:
                // binary is (n, 1) so it matches a Dense(1) output; sparse is (n,) class indices.
                y = classMode == "binary" ? Tensor.Ensure(y, n, 1) : Tensor.Ensure(y, n);
                for (int i = 0; i < n; i++) y[i] = classes[indices[i]];
                return y;
        }
    }
}
