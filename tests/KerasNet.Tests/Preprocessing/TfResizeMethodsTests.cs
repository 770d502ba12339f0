using System.Text.Json;
using KerasNet.Preprocessing.Image;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Preprocessing;

/// <summary>
/// image_dataset_from_directory's "area", "lanczos3", "lanczos5", "gaussian" and "mitchellcubic" (tf.image.resize,
/// antialias=False) against Oracles/tf_resize_oracle.py, numpy float32 transcriptions of TensorFlow's ResizeArea and
/// ScaleAndTranslate kernels, on shrinking and enlarging RGB, grey and RGBA images with odd, non-square sizes and a
/// crop_to_aspect_ratio box; the largest difference on 0..255 data must stay within 1e-5. Independently of those
/// transcriptions, the outputs equal the values TensorFlow's own tests record for its kernels (image_ops_test.py
/// testResizeUp, 4 decimals, and testResizeDownArea).
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

    // image_ops_test.py ResizeImagesV2Test.testResizeUp: a (3, 2) image enlarged to (6, 4), TensorFlow's outputs.
    public static TheoryData<string, double[]> PublishedUp => new()
    {
        { "area", [64, 64, 32, 32, 64, 64, 32, 32, 32, 32, 64, 64, 32, 32, 64, 64, 50, 50, 100, 100, 50, 50, 100, 100] },
        { "lanczos3", [75.8294, 59.6281, 38.4313, 22.23, 60.6851, 52.0037, 40.6454, 31.964, 35.8344, 41.0779, 47.9383, 53.1818,
            24.6968, 43.0769, 67.1244, 85.5045, 35.7939, 56.4713, 83.5243, 104.2017, 44.8138, 65.1949, 91.8603, 112.2413] },
        { "lanczos5", [77.5699, 60.0223, 40.6694, 23.1219, 61.8253, 51.2369, 39.5593, 28.9709, 35.7438, 40.8875, 46.5604, 51.7041,
            21.5942, 43.5299, 67.7223, 89.658, 32.1213, 56.784, 83.984, 108.6467, 44.5802, 66.183, 90.0082, 111.6109] },
        { "gaussian", [61.1087, 54.6926, 41.3074, 34.8913, 54.6926, 51.4168, 44.5832, 41.3074, 41.696, 45.2456, 52.6508, 56.2004,
            39.4273, 47.0526, 62.9602, 70.5855, 47.3008, 57.3042, 78.173, 88.1764, 51.4771, 62.3638, 85.0752, 95.9619] },
        { "mitchellcubic", [66.0382, 56.6079, 39.3921, 29.9618, 56.7255, 51.9603, 43.2611, 38.4959, 39.1828, 43.4664, 51.2864, 55.57,
            34.6287, 45.1812, 64.4458, 74.9983, 43.8523, 56.8078, 80.4594, 93.4149, 48.9943, 63.026, 88.6422, 102.6739] },
        { "bicubic", [70.1453, 59.0252, 36.9748, 25.8547, 59.3195, 53.3386, 41.4789, 35.4981, 36.383, 41.285, 51.0051, 55.9071,
            30.2232, 42.151, 65.8032, 77.731, 41.6492, 55.823, 83.9288, 98.1026, 47.0363, 62.2744, 92.4903, 107.7284] },
    };

    [Theory]
    [MemberData(nameof(PublishedUp))]
    public void MatchesTensorFlowsRecordedEnlargement(string method, double[] expected)
    {
        byte[] pixels = [64, 32, 32, 64, 50, 100];
        var dst = new float[24];
        TfResize.Resize(pixels, 2, 1, (0, 0, 3, 2), 6, 4, method, dst);
        double max = expected.Select((v, i) => Math.Abs(v - dst[i])).Max();
        Assert.True(max <= 5.1e-5, $"{method} max difference {max} from TensorFlow's 4-decimal values"); // half the last decimal
    }

    [Fact]
    public void AreaMatchesTensorFlowsRecordedShrinking()
    {
        // image_ops_test.py testResizeDownArea: 6x6 -> 4x4, TensorFlow's outputs rounded to integers (its atol is 1).
        byte[] pixels = [128, 64, 32, 16, 8, 4, 4, 8, 16, 32, 64, 128, 128, 64, 32, 16, 8, 4, 5, 10, 15, 20, 25, 30, 30, 25, 20, 15, 10, 5, 5, 10, 15, 20, 25, 30];
        double[] expected = [73, 33, 23, 39, 73, 33, 23, 39, 14, 16, 19, 21, 14, 16, 19, 21];
        var dst = new float[16];
        TfResize.Resize(pixels, 6, 1, (0, 0, 6, 6), 4, 4, "area", dst);
        for (int i = 0; i < 16; i++) Assert.True(Math.Abs(expected[i] - dst[i]) <= 1, $"pixel {i}: {dst[i]} vs {expected[i]}");
        // A box average: output (0, 0) covers rows and columns [0, 1.5), pixel 0 whole, pixel 1 by half.
        Assert.Equal((128 + 64 / 2.0 + (4 + 8 / 2.0) / 2) / 2.25, dst[0], 4);
    }
}
