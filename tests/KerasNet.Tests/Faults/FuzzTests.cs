#nullable enable
using System.Text;
using KerasNet.Engine;
using KerasNet.Models;
using KerasNet.Preprocessing.Image;
using KerasNet.Saving;
using KerasNet.Tests.Saving;
using KerasNet.Tests.TestUtil;
using Xunit.Abstractions;

namespace KerasNet.Tests.Faults;

/// <summary>
/// Seeded fuzzing of every file KerasNet reads: each mutated input must load or end in a KerasNetException, within
/// a deadline and without a huge allocation. The seeds themselves must load, so the mutations start from files
/// that reach every reader stage. Counts are per format; the sum is several thousand cases.
/// </summary>
public class FuzzTests(ITestOutputHelper output)
{
    private readonly string _dir = Oracle.TempDir();

    /// <summary>The small CNN after one training step, so the file also holds optimizer state.</summary>
    private static Sequential TrainedCnn()
    {
        var m = SavingTestUtil.SmallCnn();
        var (x, y) = SavingTestUtil.Data(8);
        m.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0);
        return m;
    }

    /// <summary>A loaded model must also run: a config that passed the reader has to describe a usable network.</summary>
    private static void LoadAndPredict(string path)
    {
        var m = Keras.LoadModel(path);
        var shape = m.InputShape!;
        if (shape.Aggregate(1L, (a, d) => a * d) > 1 << 14) return; // plausible but too big to run in a fuzz loop
        var y = m.Predict(new Tensor([1, .. shape]));
        Assert.Equal(m.OutputShape, y.Shape[1..]);
    }

    private string Write(string name, byte[] bytes)
    {
        var p = Path.Combine(_dir, name);
        File.WriteAllBytes(p, bytes);
        return p;
    }

    [Theory]
    [InlineData("m.h5", 101, 2000)]
    [InlineData("m.keras", 102, 2000)]
    public void ModelFiles(string file, int seed, int cases)
    {
        var path = Path.Combine(_dir, file);
        TrainedCnn().Save(path);
        LoadAndPredict(path);
        var fuzz = new FuzzHarness(file, output);
        fuzz.Mutate(File.ReadAllBytes(path), seed, cases, b => LoadAndPredict(Write("x" + file, b)));
        fuzz.AssertClean();
    }

    /// <summary>Files written by h5py and Keras 3 themselves (v0 superblocks, v1 object headers, symbol-table groups).</summary>
    [SkippableTheory]
    [InlineData("binhgo_Learn-AI__mnist_cnn.h5", 111)]
    [InlineData("CypherHK_MLS_A11__mnist_cnn_model.keras", 112)]
    public void RealKerasFiles(string fixture, int seed)
    {
        var source = Path.Combine(Oracle.RequireFixtures(), fixture);
        Oracle.RequireOracle(File.Exists(source), $"fixture {fixture} is missing from {Path.GetDirectoryName(source)}");
        LoadAndPredict(source);
        var fuzz = new FuzzHarness(fixture, output);
        fuzz.Mutate(File.ReadAllBytes(source), seed, 1000, b => LoadAndPredict(Write("x" + Path.GetExtension(fixture), b)));
        fuzz.AssertClean();
    }

    [Theory]
    [InlineData("w.h5", 103, 1500)]
    [InlineData("w.weights.h5", 104, 1500)]
    public void WeightFiles(string file, int seed, int cases)
    {
        var path = Path.Combine(_dir, file);
        TrainedCnn().SaveWeights(path);
        var model = SavingTestUtil.SmallCnn();
        model.LoadWeights(path);
        var before = SavingTestUtil.AllWeights(model);
        var fuzz = new FuzzHarness(file, output);
        fuzz.Mutate(File.ReadAllBytes(path), seed, cases, b =>
        {
            var x = Write("x" + file, b);
            try { model.LoadWeights(x); }
            catch (KerasNetException)
            {
                // All or nothing: a refused file leaves every weight as it was.
                Assert.Equal(before, SavingTestUtil.AllWeights(model));
                throw;
            }
            model.LoadWeights(path); // back to the seed's values for the next case
        });
        fuzz.AssertClean();
    }

    [Fact]
    public void ModelJson()
    {
        var json = TrainedCnn().ToJson();
        Assert.Equal(json, Keras.ModelFromJson(json).ToJson());
        var fuzz = new FuzzHarness("model JSON", output);
        void Read(string text)
        {
            var m = Keras.ModelFromJson(text);
            // What was accepted must serialise and read back to the same config.
            Assert.Equal(m.ToJson(), Keras.ModelFromJson(m.ToJson()).ToJson());
        }
        fuzz.Mutate(Encoding.UTF8.GetBytes(json), 105, 1500, b => Read(Encoding.UTF8.GetString(b)), "bytes");
        var structural = new JsonMutator(json, 106);
        for (int i = 0; i < 2500; i++)
        {
            var (what, text) = structural.Next();
            fuzz.Case($"structure#{i} {what}", () => Read(text));
        }
        fuzz.AssertClean();
        // Every refusal of a config names the source and is a ModelConfigException, whatever the damage.
        Assert.DoesNotContain(nameof(KerasNetException), fuzz.Outcomes);
    }

    [Fact]
    public void Npy()
    {
        var t = new Tensor(3, 4, 5);
        for (int i = 0; i < t.Length; i++) t[i] = i * 0.25f - 3;
        using var ms = new MemoryStream();
        KerasNet.Saving.Npy.Write(ms, t);
        var f4 = ms.ToArray();
        Assert.Equal(t.ToArray(), KerasNet.Saving.Npy.Parse(f4, "seed.npy").ToArray());
        // A version 2.0 int16 file: the other header layout and a converting dtype.
        var header = "{'descr': '<i2', 'fortran_order': False, 'shape': (7, 2), }";
        header = header.PadRight(64 - 12 - 1) + "\n";
        byte[] i2 = [0x93, .. "NUMPY"u8, 2, 0, .. BitConverter.GetBytes(header.Length), .. Encoding.Latin1.GetBytes(header),
            .. Enumerable.Range(0, 14).SelectMany(v => BitConverter.GetBytes((short)(v * 1000 - 7000)))];
        Assert.Equal(-7000f, KerasNet.Saving.Npy.Parse(i2, "seed2.npy")[0]);

        var fuzz = new FuzzHarness(".npy", output);
        void Parse(byte[] b)
        {
            var r = KerasNet.Saving.Npy.Parse(b, "x.npy");
            Assert.True(r.Length <= b.Length, "more values than bytes");
        }
        fuzz.Mutate(f4, 107, 800, Parse, "f4");
        fuzz.Mutate(i2, 108, 800, Parse, "i2");
        fuzz.AssertClean();
    }

    public static TheoryData<string> ImageSeeds => new(FaultSeeds.All().Select(s => s.Name));

    [Theory]
    [MemberData(nameof(ImageSeeds))]
    public void Images(string name)
    {
        var (_, ext, seed) = FaultSeeds.All().Single(s => s.Name == name);
        var path = Write("seed." + ext, seed);
        var im = ImageLoader.Load(path);
        Assert.Equal([9, 12, 3], im.Shape);
        var fuzz = new FuzzHarness(name, output);
        int variant = 0;
        fuzz.Mutate(seed, StableHash(name), 600, b =>
        {
            var x = Write("x." + ext, b);
            // Alternate the paths after decoding: plain RGB, greyscale with a resize, RGBA with an enlarging resize.
            var (mode, size, interp, bands) = (variant++ % 3) switch
            {
                0 => ("rgb", (Size2?)null, "nearest", 3),
                1 => ("grayscale", new Size2(5, 7), "bilinear", 1),
                _ => ("rgba", new Size2(16, 16), "bicubic", 4),
            };
            var r = ImageLoader.Load(x, mode, size, interp);
            Assert.Equal(bands, r.Shape[2]);
            if (size is Size2 s) Assert.Equal([s.Height, s.Width, bands], r.Shape);
        });
        fuzz.AssertClean();
    }

    // string.GetHashCode is randomised per process; the fuzz seed must not be.
    private static int StableHash(string s) => s.Aggregate(17, (h, c) => h * 31 + c);

    /// <summary>Nesting far beyond any real config, where a recursive reader would overflow the stack.</summary>
    [Fact]
    public void DeeplyNestedJsonDoesNotCrash()
    {
        var fuzz = new FuzzHarness("nested JSON", output);
        var json = SavingTestUtil.SmallCnn().ToJson();
        foreach (int depth in new[] { 200, 255, 300, 10_000, 1_000_000 })
        {
            string arrays = new string('[', depth) + new string(']', depth);
            string objects = string.Concat(Enumerable.Repeat("{\"a\": ", depth)) + "1" + new string('}', depth);
            fuzz.Case($"arrays {depth}", () => Keras.ModelFromJson(arrays));
            fuzz.Case($"objects {depth}", () => Keras.ModelFromJson(objects));
            // Inside a valid config, where the layer reader walks it (dtype, initializer configs).
            string inDtype = json.Replace("\"dtype\": \"float32\"", "\"dtype\": " + objects);
            string inInit = json.Replace("\"class_name\": \"GlorotUniform\", \"config\": {\"seed\": null}", "\"class_name\": \"GlorotUniform\", \"config\": " + objects);
            Assert.NotEqual(json, inDtype);
            Assert.NotEqual(json, inInit);
            fuzz.Case($"dtype {depth}", () => Keras.ModelFromJson(inDtype));
            fuzz.Case($"initializer {depth}", () => Keras.ModelFromJson(inInit));
            if (depth <= 10_000)
            {
                var h5 = Path.Combine(_dir, $"deep{depth}.h5");
                fuzz.Case($".h5 model_config {depth}", () =>
                {
                    var file = new PureHDF.H5File { Attributes = { ["model_config"] = inDtype } };
                    using (var s = File.Create(h5)) file.Write(s);
                    Keras.LoadModel(h5);
                });
            }
        }
        fuzz.AssertClean();
    }
}
