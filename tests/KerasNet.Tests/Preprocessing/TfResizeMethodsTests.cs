using System.Text.Json;
using KerasNet.Preprocessing.Image;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Preprocessing;

/// <summary>
/// image_dataset_from_directory's "area", "lanczos3", "lanczos5", "gaussian" and "mitchellcubic" (tf.image.resize,
/// antialias=False) against Oracles/tf_resize_oracle.py, numpy float32 transcriptions of TensorFlow's ResizeArea and
/// ScaleAndTranslate kernels, on shrinking and enlarging RGB, grey and RGBA images with odd, non-square sizes and a
/// crop_to_aspect_ratio box; the largest difference on 0..255 data must stay within 1e-5.
/// </summary>
public class TfResizeMethodsTests
{
    public static TheoryData<string, int, int, int, int, int, int, int, int, int> Cases()
    {
        var data = new TheoryData<string, int, int, int, int, int, int, int, int, int>();
        foreach (var m in new[] { "area", "lanczos3", "lanczos5", "gaussian", "mitchellcubic" })
        {
            data.Add(m, 13, 17, 3, 5, 7, 0, 0, 13, 17);    // shrinking RGB by non-integer factors
            data.Add(m, 41, 30, 1, 6, 11, 0, 0, 41, 30);   // shrinking grey strongly (many source cells per output)
            data.Add(m, 6, 5, 1, 11, 14, 0, 0, 6, 5);      // enlarging grey (spans clamped at both edges)
            data.Add(m, 3, 7, 3, 10, 9, 0, 0, 3, 7);       // enlarging RGB from fewer rows than the kernel's span
            data.Add(m, 12, 20, 4, 9, 15, 0, 4, 12, 12);   // a crop_to_aspect_ratio box, RGBA, shrinking one axis
        }
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void MatchesTensorFlowsKernelTranscribed(string method, int h, int w, int c, int oh, int ow, int by, int bx, int bh, int bw)
    {
        Oracle.RequirePython("numpy");
        var r = new Random(h * 31 + w * 7 + method.Length);
        var pixels = new byte[h * w * c];
        r.NextBytes(pixels);
        var dst = new float[oh * ow * c];
        TfResize.Resize(pixels, w, c, (by, bx, bh, bw), oh, ow, method, dst);
        var expected = JsonSerializer.Deserialize<double[]>(Oracle.RunPythonScript("tf_resize_oracle.py", JsonSerializer.Serialize(new
        {
            method, shape = new[] { h, w, c }, @out = new[] { oh, ow }, box = new[] { by, bx, bh, bw }, pixels = pixels.Select(b => (int)b).ToArray(),
        })))!;
        Assert.Equal(expected.Length, dst.Length);
        double max = expected.Select((v, i) => Math.Abs(v - dst[i])).Max();
        Assert.True(max <= 1e-5, $"{method} max difference {max}");
        // Not a copy of the input's values: the outputs are averages (area, Gaussian, Mitchell) or ringing (Lanczos).
        Assert.Contains(dst, v => v != MathF.Round(v));
    }
}
