#nullable enable
using KerasNet.Preprocessing.Image;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Preprocessing;

/// <summary>Bad folders and files end in a KerasNetException that names the folder or file and the problem.</summary>
public sealed class BadImageTests
{
    private static readonly ImageDataGenerator Gen = new(rescale: 1.0 / 255);

    private static DirectoryIterator Flow(string dir, bool skipInvalid = false, TextWriter? output = null) =>
        Gen.FlowFromDirectory(dir, targetSize: (8, 8), shuffle: false, skipInvalid: skipInvalid, output: output ?? TextWriter.Null);

    private static KerasNetException FailsOnLoad(string dir, string file)
    {
        var it = Flow(dir);
        var e = Assert.ThrowsAny<KerasNetException>(() => { for (int b = 0; b < it.Count; b++) it.GetBatch(b); });
        Assert.Contains(file, e.Message);
        return e;
    }

    [Fact]
    public void MissingEmptyAndClasslessFoldersAreNamed()
    {
        var root = Oracle.TempDir();
        var missing = Path.Combine(root, "nope");
        Assert.Contains($"'{missing}' does not exist", Assert.Throws<DataFolderException>(() => Flow(missing)).Message);
        Assert.Contains("is empty", Assert.Throws<DataFolderException>(() => Flow(root)).Message);
        File.WriteAllText(Path.Combine(root, "x.bmp"), "loose file");
        Assert.Contains("has no class subfolders", Assert.Throws<DataFolderException>(() => Flow(root)).Message);
    }

    [Fact]
    public void ClassWithoutImagesIsNamed()
    {
        var dir = TestImages.Folder(2, 0);
        Directory.CreateDirectory(Path.Combine(dir, "b"));
        File.WriteAllText(Path.Combine(dir, "b", "readme.txt"), "no images here");
        var e = Assert.Throws<DataFolderException>(() => Flow(dir));
        Assert.Contains(Path.Combine(dir, "b"), e.Message);
        Assert.Contains("has no images", e.Message);
        var missingClass = Assert.Throws<DataFolderException>(() => Gen.FlowFromDirectory(dir, classes: ["a", "zzz"], output: TextWriter.Null));
        Assert.Contains("zzz", missingClass.Message);
    }

    [Fact]
    public void CorruptTruncatedAndForeignFilesNameTheFile()
    {
        var dir = TestImages.Folder(2, 2);
        var good = File.ReadAllBytes(Path.Combine(dir, "a", "a0.bmp"));
        File.WriteAllBytes(Path.Combine(dir, "a", "a9_truncated.bmp"), good[..(good.Length / 2)]);
        Assert.Contains("truncated", FailsOnLoad(dir, "a9_truncated.bmp").Message);
        File.Delete(Path.Combine(dir, "a", "a9_truncated.bmp"));

        File.WriteAllText(Path.Combine(dir, "b", "b9_text.png"), "this is not a picture");
        Assert.Contains("not a recognised image", FailsOnLoad(dir, "b9_text.png").Message);
        File.Delete(Path.Combine(dir, "b", "b9_text.png"));

        File.WriteAllBytes(Path.Combine(dir, "b", "b8_empty.jpg"), []);
        Assert.Contains("empty", FailsOnLoad(dir, "b8_empty.jpg").Message);
        File.Delete(Path.Combine(dir, "b", "b8_empty.jpg"));

        File.WriteAllBytes(Path.Combine(dir, "b", "b7.tif"), [(byte)'I', (byte)'I', 42, 0, 8, 0, 0, 0]);
        Assert.Contains("TIFF", FailsOnLoad(dir, "b7.tif").Message);
    }

    [Fact]
    public void ZeroSizedAndGiganticHeadersAreRefusedBeforeDecoding()
    {
        var dir = Oracle.TempDir();
        var bmp = TestImages.Pattern(4, 4, 0);
        var zero = BmpWriter.Encode(4, 4, bmp);
        BitConverter.GetBytes(0).CopyTo(zero, 18); // width 0
        File.WriteAllBytes(Path.Combine(dir, "zero.bmp"), zero);
        Assert.Contains("zero.bmp", Assert.ThrowsAny<KerasNetException>(() => ImageLoader.Load(Path.Combine(dir, "zero.bmp"))).Message);

        var huge = BmpWriter.Encode(4, 4, bmp);
        BitConverter.GetBytes(200_000).CopyTo(huge, 18);
        BitConverter.GetBytes(200_000).CopyTo(huge, 22);
        File.WriteAllBytes(Path.Combine(dir, "huge.bmp"), huge);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.ThrowsAny<KerasNetException>(() => ImageLoader.Load(Path.Combine(dir, "huge.bmp")));
        Assert.Contains("huge.bmp", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 10_000_000, "the decoder allocated the declared size");

        long saved = ImageLoader.MaxImagePixels;
        try
        {
            ImageLoader.MaxImagePixels = 100;
            BmpWriter.Save(Path.Combine(dir, "ok.bmp"), 20, 20, TestImages.Pattern(20, 20, 1));
            var limit = Assert.Throws<InvalidImageException>(() => ImageLoader.Load(Path.Combine(dir, "ok.bmp")));
            Assert.Contains("20x20 = 400 pixels, above the limit of 100", limit.Message);
        }
        finally { ImageLoader.MaxImagePixels = saved; }
    }

    [Fact]
    public void SkipInvalidDropsAndCountsBadFiles()
    {
        var dir = TestImages.Folder(3, 3);
        File.WriteAllText(Path.Combine(dir, "a", "a5_bad.bmp"), "BM garbage");
        File.WriteAllBytes(Path.Combine(dir, "b", "b5_cut.bmp"), File.ReadAllBytes(Path.Combine(dir, "b", "b0.bmp"))[..60]);
        var text = new StringWriter();
        var it = Flow(dir, skipInvalid: true, output: text);
        Assert.Equal(6, it.Samples);
        Assert.Equal(new[] { "a/a5_bad.bmp", "b/b5_cut.bmp" }, it.SkippedFiles);
        Assert.DoesNotContain("a/a5_bad.bmp", it.Filenames);
        Assert.Equal(new[] { 0, 0, 0, 1, 1, 1 }, it.Classes);
        Assert.Contains("Skipped 2 image file(s)", text.ToString());
        Assert.EndsWith("Found 6 images belonging to 2 classes.", text.ToString().Trim());
        Assert.Equal(6, it.GetBatch(0).X.BatchSize);
    }

    [Fact]
    public void BadArgumentsNameTheArgument()
    {
        var dir = TestImages.Folder(1, 1);
        void Check(string expected, Action a) => Assert.Contains(expected, Assert.ThrowsAny<KerasNetException>(a).Message);
        Check("target_size must be positive", () => Gen.FlowFromDirectory(dir, targetSize: (0, 64), output: TextWriter.Null));
        Check("target_size must be positive", () => ImageLoader.Load(Path.Combine(dir, "a", "a0.bmp"), targetSize: (5, -1)));
        Check("color_mode", () => Gen.FlowFromDirectory(dir, colorMode: "rgbx", output: TextWriter.Null));
        Check("class_mode", () => Gen.FlowFromDirectory(dir, classMode: "onehot", output: TextWriter.Null));
        Check("interpolation", () => Gen.FlowFromDirectory(dir, interpolation: "cubic", output: TextWriter.Null));
        Check("subset", () => Gen.FlowFromDirectory(dir, subset: "test", output: TextWriter.Null));
        Check("validationSplit", () => Gen.FlowFromDirectory(dir, subset: "validation", output: TextWriter.Null));
        Check("batch_size", () => Gen.FlowFromDirectory(dir, batchSize: 0, output: TextWriter.Null));
        Check("validation_split", () => new ImageDataGenerator(validationSplit: 1.5));
        Check("fill_mode", () => new ImageDataGenerator(fillMode: "mirror"));
        Check("zoom_range", () => new ImageDataGenerator(zoomRange: (1.2, 0.8)));
        Check("rotation_range", () => new ImageDataGenerator(rotationRange: -3));
        Check("does not exist", () => ImageLoader.Load(Path.Combine(dir, "missing.png")));
    }
}
