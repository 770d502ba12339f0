#nullable enable
using System.Globalization;
using System.Text.RegularExpressions;
using KerasNet.Tests.TestUtil;
using Xunit.Abstractions;

namespace KerasNet.Tests.Samples;

/// <summary>
/// samples/numsharp_interop: Keras and NumSharp in one file (<c>using KerasNet; using NumSharp;</c>, both Shape types).
/// That it compiles at all is the first check (the tests project builds it; without the package's global alias
/// <c>Shape</c> is CS0104); it is then run as its users run it and must learn its linearly separable labels, and the
/// model it saves must reload. The Shape conversions themselves are checked against NumSharp's own arrays.
/// </summary>
public partial class NumSharpInteropSampleTests(ITestOutputHelper output)
{
    [Fact]
    public void TheSampleCompilesWithBothNamespacesAndLearns()
    {
        var tfmDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var dll = Path.Combine(Oracle.RepoRoot, "samples", "numsharp_interop", "bin", tfmDir.Parent!.Name, tfmDir.Name, "numsharp_interop.dll");
        Assert.True(File.Exists(dll), $"{dll} was not built (the tests project references samples/numsharp_interop)");
        var dir = Path.Combine(Oracle.TempDir(), "out");
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        var r = Oracle.Run(host, [dll, dir, "--epochs", "15"], null, 300);
        output.WriteLine(r.StdOut);
        Assert.True(r.ExitCode == 0, $"numsharp_interop exited {r.ExitCode}:\n{r.StdErr}\n{r.StdOut}");
        // NumSharp's array shapes and the Keras per-sample shape taken from one row of the NumSharp array.
        Assert.Contains("x shape: (512, 4), y shape: (512, 1), input_shape: (4,)", r.StdOut);
        Assert.Contains("Epoch 15/15", r.StdOut);
        var m = Accuracy().Match(r.StdOut);
        Assert.True(m.Success, "no accuracy line:\n" + r.StdOut);
        double accuracy = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), chance = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.True(accuracy > 0.9 && accuracy > chance + 0.2, $"after 15 epochs the accuracy is {accuracy} (chance {chance}) on linearly separable labels");
        // np.zeros(new Shape(1, 4)): a Keras Shape passed to NumSharp made a (1, 4) batch, predicted as (1, 1).
        Assert.Contains("predict(zeros(4,)) shape: (1, 1)", r.StdOut);
        var saved = Path.Combine(dir, "numsharp_interop.keras");
        Assert.Contains(saved, r.StdOut);
        var model = Keras.LoadModel(saved);
        Assert.Equal(4, model.Inputs[0].Shape[^1]); // the input_shape taken from the NumSharp row survived the round trip
    }

    [Fact]
    public void KerasShapeAndNumSharpShapeConvertBothWays()
    {
        // From NumSharp: the dimensions of a real NumSharp array, not ones KerasNet computed.
        var array = NumSharp.np.zeros(new NumSharp.Shape(3, 5, 2));
        KerasNet.Shape fromNumSharp = array.Shape;
        Assert.Equal([3, 5, 2], fromNumSharp.Dims);
        // To NumSharp: NumSharp builds an array of that shape.
        KerasNet.Shape keras = (7, 2);
        var made = NumSharp.np.ones((NumSharp.Shape)keras);
        Assert.Equal([7L, 2L], made.shape);
        Assert.Equal(14, made.size);
        // A NumSharp dimension beyond int (a 1-D shape of 2^31 elements, never allocated) is refused, not wrapped.
        var huge = new NumSharp.Shape(new long[] { (long)int.MaxValue + 1 });
        Assert.Throws<OverflowException>(() => { KerasNet.Shape s = huge; });
    }

    [GeneratedRegex(@"accuracy ([0-9.]+) \(chance about ([0-9.]+)\)")]
    private static partial Regex Accuracy();
}
