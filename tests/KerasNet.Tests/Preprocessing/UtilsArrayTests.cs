using System.Globalization;
using System.Text.Json.Nodes;
using KerasNet.Tests.TestUtil;
using NumSharp;

namespace KerasNet.Tests.Preprocessing;

/// <summary>Keras.Utils.ToCategorical and Normalize against numpy (Oracles/utils_numpy.py, tf.keras 2.4's np_utils).</summary>
public class UtilsArrayTests
{
    private static (int[] Shape, string Dtype, double[] Values) Numpy(JsonObject spec)
    {
        var o = JsonNode.Parse(Oracle.RunPythonScript("utils_numpy.py", spec.ToJsonString()))!;
        return (o["shape"]!.AsArray().Select(v => (int)v!).ToArray(), (string)o["dtype"]!,
            o["values"]!.AsArray().Select(v => double.Parse((string)v!, CultureInfo.InvariantCulture)).ToArray());
    }

    private static JsonArray Nested(double[] values, int[] shape)
    {
        if (shape.Length == 1) return new JsonArray(values.Select(v => (JsonNode)v).ToArray());
        int step = values.Length / shape[0];
        return new JsonArray(Enumerable.Range(0, shape[0]).Select(i => (JsonNode)Nested(values[(i * step)..((i + 1) * step)], shape[1..])).ToArray());
    }

    public static TheoryData<double[], int[], string, int?> CategoricalCases => new()
    {
        { [0, 2, 1, 2, 0], [5], "int64", null },
        { [0, 2, 1, 2, 0], [5], "int64", 4 },
        { [1, 0, 3, 2], [4, 1], "int64", null },        // a column of labels: the trailing 1 is dropped
        { [1, 0, 3, 2, 0, 1], [2, 3], "int64", null },  // a 2-D array of labels keeps its shape
        { [1.9, 0.2, 2.7], [3], "float32", null },      // floats truncate toward zero
        { [4], [1], "int64", null },
        { [2], [1, 1], "int64", 3 },
    };

    [Theory]
    [MemberData(nameof(CategoricalCases))]
    public void ToCategoricalMatchesNumpy(double[] y, int[] shape, string dtype, int? numClasses)
    {
        Oracle.RequirePython("numpy");
        var expected = Numpy(new JsonObject { ["fn"] = "to_categorical", ["y"] = Nested(y, shape), ["dtype"] = dtype, ["num_classes"] = numClasses });
        NDArray input = dtype == "int64" ? np.array(y.Select(v => (long)v).ToArray()).reshape(shape) : np.array(y.Select(v => (float)v).ToArray()).reshape(shape);
        var r = Keras.Utils.ToCategorical(input, numClasses);
        Assert.Equal(expected.Shape, r.shape.Select(d => (int)d).ToArray());
        Assert.Equal(typeof(float), r.dtype);
        Assert.Equal(expected.Values, r.ToArray<float>().Select(v => (double)v));
    }

    [Fact]
    public void ToCategoricalRefusesLabelsNumpyWouldMisplace()
    {
        Assert.Contains("non-negative", Assert.Throws<KerasNetException>(() => Keras.Utils.ToCategorical([0, -1])).Message);
        Assert.Contains("out of range", Assert.Throws<KerasNetException>(() => Keras.Utils.ToCategorical([0, 3], 3)).Message);
        Assert.Contains("num_classes", Assert.Throws<KerasNetException>(() => Keras.Utils.ToCategorical([0], 0)).Message);
        Assert.Throws<KerasNetException>(() => Keras.Utils.ToCategorical(np.array(new[] { 1f, float.NaN })));
        Assert.Equal(new[] { 0f, 1f, 1f, 0f }, Keras.Utils.ToCategorical([1, 0]).ToArray<float>());
    }

    public static TheoryData<int[], int, string, string> NormalizeCases => new()
    {
        { [4, 5], -1, "2", "float32" },
        { [4, 5], 0, "2", "float32" },
        { [2, 3, 4], 1, "2", "float64" },
        { [3, 4], -1, "1", "float64" },
        { [3, 4], -1, "3", "float64" },
        { [3, 4], -1, "inf", "float64" },
        { [3, 4], 0, "-inf", "float64" },
        { [3, 4], -1, "0", "float64" },
        { [6], 0, "2", "float32" },
    };

    [Theory]
    [MemberData(nameof(NormalizeCases))]
    public void NormalizeMatchesNumpy(int[] shape, int axis, string order, string dtype)
    {
        Oracle.RequirePython("numpy");
        var rng = new Random(shape.Sum() + axis);
        int n = shape.Aggregate(1, (a, b) => a * b);
        var x = Enumerable.Range(0, n).Select(i => i % 7 == 3 ? 0.0 : Math.Round(rng.NextDouble() * 8 - 4, 3)).ToArray();
        // A row (or column) of zeros is divided by 1, not by 0.
        for (int i = 0; i < shape[^1]; i++) x[i] = 0;
        if (dtype == "float32") x = x.Select(v => (double)(float)v).ToArray();
        double ord = order switch { "inf" => double.PositiveInfinity, "-inf" => double.NegativeInfinity, _ => double.Parse(order, CultureInfo.InvariantCulture) };
        JsonNode orderNode = order.Contains("inf", StringComparison.Ordinal) ? order : ord;
        var expected = Numpy(new JsonObject { ["fn"] = "normalize", ["x"] = Nested(x, shape), ["dtype"] = dtype, ["axis"] = axis, ["order"] = orderNode });
        NDArray input = dtype == "float32" ? np.array(x.Select(v => (float)v).ToArray()).reshape(shape) : np.array(x).reshape(shape);
        var r = Keras.Utils.Normalize(input, axis, ord);
        Assert.Equal(expected.Shape, r.shape.Select(d => (int)d).ToArray());
        Assert.Equal(expected.Dtype, r.dtype == typeof(float) ? "float32" : "float64");
        var got = r.dtype == typeof(float) ? r.ToArray<float>().Select(v => (double)v).ToArray() : r.ToArray<double>();
        // numpy sums float32 input in float32 (pairwise); KerasNet sums in double and rounds once: a few ulps apart.
        double tol = dtype == "float32" ? 3e-7 : 1e-14;
        for (int i = 0; i < got.Length; i++)
            Assert.True(Math.Abs(got[i] - expected.Values[i]) <= tol * Math.Max(1, Math.Abs(expected.Values[i])), $"[{i}] {got[i]} vs numpy {expected.Values[i]}");
    }

    [Fact]
    public void NormalizeRefusesABadAxis()
    {
        Assert.Contains("axis", Assert.Throws<KerasNetException>(() => Keras.Utils.Normalize(np.zeros(new NumSharp.Shape(2, 3)), axis: 2)).Message);
    }
}
