using KerasNet.Engine;
using KerasNet.Models;
using KerasNet.Preprocessing.Image;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Preprocessing;

/// <summary>
/// Keras.Utils.LoadImg, ImgToArray, ArrayToImg and SaveImg against keras_preprocessing and PIL
/// (Oracles/image_utils_oracle.py): every pixel equal.
/// </summary>
public class ImageUtilsTests
{
    private static readonly Lazy<string> Folder = new(() =>
    {
        var dir = Path.Combine(Oracle.TempDir(), "images");
        Oracle.RunPythonScript("dataset_oracle.py", "make", dir);
        return dir;
    });

    private static string Dir()
    {
        Oracle.RequirePython("numpy", "PIL", "keras_preprocessing");
        return Folder.Value;
    }

    private static float[] Oracle_(params string[] args)
    {
        var npy = Path.Combine(Oracle.TempDir(), "o.npy");
        Oracle.RunPythonScript("image_utils_oracle.py", [.. args, npy]);
        return Npy.Load(npy).ToArray();
    }

    public static TheoryData<string, string, int, int, string, bool> LoadCases => new()
    {
        { "cats/c1.png", "rgb", 0, 0, "nearest", false },
        { "cats/c1.png", "grayscale", 20, 13, "bilinear", false },
        { "cats/sub b/c5.png", "rgba", 31, 17, "bicubic", false },
        { "cats/sub/deeper/c4.gif", "rgb", 8, 8, "lanczos", false },
        { "birds/b0.png", "rgb", 0, 0, "nearest", false },
        { "cats/c2.bmp", "rgba", 10, 30, "nearest", true },
        { "dogs/d05.png", "rgb", 16, 9, "nearest", true },
        { "birds/b1.png", "grayscale", 11, 11, "nearest", true },
    };

    [Theory]
    [MemberData(nameof(LoadCases))]
    public void LoadImgAndImgToArrayMatchKerasPreprocessing(string file, string colorMode, int h, int w, string interpolation, bool keep)
    {
        var path = Path.Combine(Dir(), file);
        var expected = Oracle_("load", path, colorMode, h.ToString(), w.ToString(), interpolation, keep ? "1" : "0");
        var img = Keras.Utils.LoadImg(path, colorMode: colorMode, targetSize: h == 0 ? null : (h, w), interpolation: interpolation, keepAspectRatio: keep);
        var arr = Keras.Utils.ImgToArray(img);
        Assert.Equal(typeof(float), arr.dtype);
        Assert.Equal(3, arr.ndim);
        if (h != 0) Assert.Equal((w, h), img.Size);
        Assert.Equal(expected, arr.ToArray<float>());
        var first = Keras.Utils.ImgToArray(img, "channels_first");
        Assert.Equal(new long[] { arr.shape[2], arr.shape[0], arr.shape[1] }, first.shape.Select(d => (long)d));
    }

    public static TheoryData<int[], string, bool> ToImgCases => new()
    {
        { [5, 7, 3], "channels_last", true },
        { [3, 5, 7], "channels_first", true },
        { [6, 4, 1], "channels_last", true },
        { [4, 6, 4], "channels_last", false },
        { [4, 2, 3], "channels_last", false },
    };

    [Theory]
    [MemberData(nameof(ToImgCases))]
    public void ArrayToImgAndSaveImgMatchKerasPreprocessingAndPil(int[] shape, string dataFormat, bool scale)
    {
        Dir();
        var rng = new Random(shape.Sum());
        var x = new Tensor(shape);
        for (int i = 0; i < x.Length; i++) x[i] = scale ? (float)(rng.NextDouble() * 3 - 1.3) : (float)(rng.NextDouble() * 255.99);
        var input = Path.Combine(Oracle.TempDir(), "in.npy");
        Npy.Save(input, x);
        var expected = Oracle_("to_img", input, dataFormat, scale ? "1" : "0");
        var img = Keras.Utils.ArrayToImg(NDArrays.FromTensor(x), dataFormat, scale);
        Assert.Equal(expected, img.GetPixels().Select(b => (float)b));
        int c = dataFormat == "channels_last" ? shape[2] : shape[0];
        Assert.Equal(c == 1 ? "L" : c == 3 ? "RGB" : "RGBA", img.Mode);

        // save_img writes a PNG that PIL reads back with the same pixels and mode.
        var png = Path.Combine(Oracle.TempDir(), "saved.png");
        Keras.Utils.SaveImg(png, NDArrays.FromTensor(x), dataFormat, scale: scale);
        var npy = Path.Combine(Oracle.TempDir(), "back.npy");
        var modeLine = Oracle.RunPythonScript("image_utils_oracle.py", "read", png, npy).Trim();
        Assert.Equal($"{img.Mode} PNG", modeLine);
        Assert.Equal(expected, Npy.Load(npy).ToArray());
        // ... and that LoadImg reads back too.
        Assert.Equal(img.GetPixels(), Keras.Utils.LoadImg(png, colorMode: img.Mode switch { "L" => "grayscale", "RGB" => "rgb", _ => "rgba" }).GetPixels());
        if (img.Mode == "RGB")
        {
            var bmp = Path.Combine(Oracle.TempDir(), "saved.bmp");
            Keras.Utils.SaveImg(bmp, NDArrays.FromTensor(x), dataFormat, scale: scale);
            Assert.Equal($"RGB BMP", Oracle.RunPythonScript("image_utils_oracle.py", "read", bmp, npy).Trim());
            Assert.Equal(expected, Npy.Load(npy).ToArray());
        }
    }

    [Fact]
    public void RefusesWhatHasNoEightBitImage()
    {
        var x = NDArrays.FromTensor(new Tensor([1, 2, 3, 4, 5, 300], 2, 3, 1));
        Assert.Contains("mode \"I\"", Assert.Throws<KerasNetException>(() => Keras.Utils.ArrayToImg(x, scale: false)).Message);
        Assert.Contains("channel", Assert.Throws<KerasNetException>(() => Keras.Utils.ArrayToImg(NDArrays.FromTensor(new Tensor(2, 2, 2)))).Message);
        Assert.Contains("rank 3", Assert.Throws<KerasNetException>(() => Keras.Utils.ArrayToImg(NDArrays.FromTensor(new Tensor(2, 2)))).Message);
        var img = Keras.Utils.ArrayToImg(NDArrays.FromTensor(new Tensor(2, 2, 3)));
        Assert.Contains("JPEG", Assert.Throws<KerasNetException>(() => img.Save(Path.Combine(Oracle.TempDir(), "a.jpg"))).Message);
        Assert.Contains("keep_aspect_ratio", Assert.Throws<KerasNetException>(() => Keras.Utils.LoadImg("x.png", targetSize: (2, 2), interpolation: "bilinear", keepAspectRatio: true)).Message);
    }
}
