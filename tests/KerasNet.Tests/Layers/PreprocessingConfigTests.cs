using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Saving;

namespace KerasNet.Tests.Layers;

/// <summary>
/// The preprocessing layers' configs (tf.keras 2.x fields written; tf.keras 2.4, 2.6+ and Keras 3 configs read),
/// their argument errors, and the random layers' contracts: identity at inference, seeded reproducibility, and
/// drawn transforms that are Keras's matrices for parameters inside the factor ranges.
/// </summary>
public class PreprocessingConfigTests
{
    private static Layer Read(string className, string config) =>
        LayerRegistry.Create(new LayerConfigReader(JsonNode.Parse(config)!.AsObject(), className, "test"));

    private static string Written(Layer l) => l.GetConfig().ToJsonString();

    public static TheoryData<string, string, string> KerasConfigs() => new()
    {
        // class, config as Keras wrote it, what KerasNet writes back (tf.keras 2.6+ fields)
        { "Rescaling", """{"name": "rs", "trainable": true, "dtype": "float32", "scale": 0.00392156862745098}""",
          """{"name":"rs","trainable":true,"dtype":"float32","scale":0.00392156862745098,"offset":0}""" },
        { "Rescaling", """{"name": "rs", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "scale": 0.00784313725490196, "offset": -1.0}""",
          """{"name":"rs","trainable":true,"dtype":"float32","scale":0.00784313725490196,"offset":-1}""" },
        { "Resizing", """{"name": "rz", "trainable": true, "dtype": "float32", "height": 32, "width": 24, "interpolation": "nearest"}""",
          """{"name":"rz","trainable":true,"dtype":"float32","height":32,"width":24,"interpolation":"nearest","crop_to_aspect_ratio":false}""" },
        { "Resizing", """{"name": "rz", "trainable": true, "dtype": "float32", "height": 8, "width": 8, "interpolation": "bilinear", "crop_to_aspect_ratio": true, "pad_to_aspect_ratio": false, "fill_mode": "constant", "fill_value": 0.0, "antialias": false, "data_format": "channels_last"}""",
          """{"name":"rz","trainable":true,"dtype":"float32","height":8,"width":8,"interpolation":"bilinear","crop_to_aspect_ratio":true}""" },
        { "CenterCrop", """{"name": "cc", "trainable": false, "dtype": "float32", "height": 5, "width": 4}""",
          """{"name":"cc","trainable":false,"dtype":"float32","height":5,"width":4}""" },
        { "CenterCrop", """{"name": "cc", "trainable": true, "dtype": "float32", "height": 5, "width": 4, "data_format": "channels_last"}""",
          """{"name":"cc","trainable":true,"dtype":"float32","height":5,"width":4}""" },
        { "Normalization", """{"name": "nm", "trainable": true, "dtype": "float32", "axis": -1}""",
          """{"name":"nm","trainable":true,"dtype":"float32","axis":[-1],"mean":null,"variance":null}""" },
        { "Normalization", """{"name": "nm", "trainable": false, "dtype": "float32", "axis": [1, 2], "mean": null, "variance": null}""",
          """{"name":"nm","trainable":false,"dtype":"float32","axis":[1,2],"mean":null,"variance":null}""" },
        { "Normalization", """{"name": "nm", "trainable": true, "dtype": "float32", "axis": null, "mean": 3.0, "variance": 2.0}""",
          """{"name":"nm","trainable":true,"dtype":"float32","axis":[],"mean":3.0,"variance":2.0}""" },
        { "Normalization", """{"name": "nm", "trainable": true, "dtype": "float32", "axis": [-1], "invert": true, "mean": [1.0, 2.0], "variance": [[3.0, 4.0]]}""",
          """{"name":"nm","trainable":true,"dtype":"float32","axis":[-1],"mean":[1.0,2.0],"variance":[[3.0,4.0]],"invert":true}""" },
        { "RandomFlip", """{"name": "rf", "trainable": true, "dtype": "float32", "mode": "horizontal", "seed": null}""",
          """{"name":"rf","trainable":true,"dtype":"float32","mode":"horizontal","seed":null}""" },
        { "RandomFlip", """{"name": "rf", "trainable": false, "dtype": "float32", "mode": "vertical", "seed": 3, "data_format": "channels_last"}""",
          """{"name":"rf","trainable":false,"dtype":"float32","mode":"vertical","seed":3}""" },
        { "RandomRotation", """{"name": "rr", "trainable": true, "dtype": "float32", "factor": 0.1, "fill_mode": "reflect", "interpolation": "bilinear", "seed": 42}""",
          """{"name":"rr","trainable":true,"dtype":"float32","factor":0.1,"fill_mode":"reflect","fill_value":0,"interpolation":"bilinear","seed":42}""" },
        { "RandomRotation", """{"name": "rr", "trainable": true, "dtype": "float32", "factor": [-0.2, 0.3], "data_format": "channels_last", "fill_mode": "constant", "fill_value": 0.5, "interpolation": "nearest", "seed": null}""",
          """{"name":"rr","trainable":true,"dtype":"float32","factor":[-0.2,0.3],"fill_mode":"constant","fill_value":0.5,"interpolation":"nearest","seed":null}""" },
        { "RandomZoom", """{"name": "zm", "trainable": true, "dtype": "float32", "height_factor": 0.2, "width_factor": null, "fill_mode": "reflect", "fill_value": 0.0, "interpolation": "bilinear", "seed": null}""",
          """{"name":"zm","trainable":true,"dtype":"float32","height_factor":0.2,"width_factor":null,"fill_mode":"reflect","fill_value":0,"interpolation":"bilinear","seed":null}""" },
        { "RandomZoom", """{"name": "zm", "trainable": true, "dtype": "float32", "height_factor": [-0.3, 0.1], "width_factor": [-0.2, 0.4], "fill_mode": "wrap", "interpolation": "nearest", "seed": 7}""",
          """{"name":"zm","trainable":true,"dtype":"float32","height_factor":[-0.3,0.1],"width_factor":[-0.2,0.4],"fill_mode":"wrap","fill_value":0,"interpolation":"nearest","seed":7}""" },
        { "RandomTranslation", """{"name": "tr", "trainable": true, "dtype": "float32", "height_factor": 0.1, "width_factor": [-0.2, 0.3], "fill_mode": "nearest", "fill_value": 0.0, "interpolation": "bilinear", "seed": 1}""",
          """{"name":"tr","trainable":true,"dtype":"float32","height_factor":0.1,"width_factor":[-0.2,0.3],"fill_mode":"nearest","fill_value":0,"interpolation":"bilinear","seed":1}""" },
        { "RandomContrast", """{"name": "ct", "trainable": true, "dtype": "float32", "factor": 0.2, "seed": null}""",
          """{"name":"ct","trainable":true,"dtype":"float32","factor":0.2,"seed":null}""" },
        { "RandomContrast", """{"name": "ct", "trainable": true, "dtype": "float32", "factor": [0.0, 0.2], "value_range": [0, 1], "seed": 5, "data_format": "channels_last"}""",
          """{"name":"ct","trainable":true,"dtype":"float32","factor":[0,0.2],"value_range":[0,1],"seed":5}""" },
    };

    [Theory]
    [MemberData(nameof(KerasConfigs))]
    public void KerasConfigsAreReadAndWrittenBackAsTfKeras(string className, string config, string expected)
    {
        var layer = Read(className, config);
        Assert.Equal(className, layer.ClassName);
        Assert.Equal(expected, Written(layer));
        // And what KerasNet writes reads back to the same config.
        Assert.Equal(expected, Written(Read(className, expected)));
    }

    [Fact]
    public void ConfigsReadKerasSemantics()
    {
        var rot = (RandomRotation)Read("RandomRotation", """{"name": "r", "factor": 0.25}""");
        Assert.Equal((-0.25, 0.25), (rot.Lower, rot.Upper));
        Assert.Equal(("reflect", "bilinear", 0.0, (int?)null), (rot.FillMode, rot.Interpolation, rot.FillValue, rot.Seed));
        var zoom = (RandomZoom)Read("RandomZoom", """{"name": "z", "height_factor": [-0.3, 0.1]}""");
        Assert.Equal((-0.3, 0.1), (zoom.HeightLower, zoom.HeightUpper));
        Assert.Null(zoom.WidthFactor);
        var contrast = (RandomContrast)Read("RandomContrast", """{"name": "c", "factor": 0.2}""");
        Assert.Equal((0.2, 0.2, (0.0, 255.0)), (contrast.Lower, contrast.Upper, contrast.ValueRange));
        var norm = (Normalization)Read("Normalization", """{"name": "n", "axis": [-1], "mean": [[1, 2], [3, 4]], "variance": 1}""");
        Assert.Equal(new double[] { 1, 2, 3, 4 }, norm.Mean!);
        Assert.Equal(new double[] { 1 }, norm.Variance!);
        var resc = (Rescaling)Read("Rescaling", """{"name": "s", "scale": 0.5}""");
        Assert.Equal((0.5, 0.0), (resc.Scale, resc.Offset));
    }

    // ---- errors ----

    private static string Error(Action a) => Assert.ThrowsAny<KerasNetException>(a).Message;

    [Fact]
    public void BadArgumentsNameTheLayerAndTheArgument()
    {
        Assert.Contains("Resizing: height must be positive", Error(() => new Resizing(0, 4)));
        Assert.Contains("Resizing: width must be positive", Error(() => new Resizing(4, -1)));
        Assert.Contains("Resizing: interpolation 'bicubic' is not supported", Error(() => new Resizing(4, 4, "bicubic")));
        Assert.Contains("Resizing: unknown interpolation 'cubic'", Error(() => new Resizing(4, 4, "cubic")));
        Assert.Contains("CenterCrop: height must be positive", Error(() => new CenterCrop(0, 3)));
        Assert.Contains("Rescaling: scale must be a finite number", Error(() => new Rescaling(double.NaN)));
        Assert.Contains("RandomFlip: unknown mode 'diagonal'", Error(() => new RandomFlip("diagonal")));
        Assert.Contains("RandomRotation: factor cannot have an upper bound below its lower bound", Error(() => new RandomRotation((0.3, 0.1))));
        Assert.Contains("RandomRotation: factor cannot", Error(() => new RandomRotation(-0.1)));
        Assert.Contains("RandomRotation: unknown fill_mode 'mirror'", Error(() => new RandomRotation(0.1, "mirror")));
        Assert.Contains("RandomRotation: unknown interpolation 'linear'", Error(() => new RandomRotation(0.1, interpolation: "linear")));
        Assert.Contains("RandomZoom: height_factor must have values between -1 and 1", Error(() => new RandomZoom(1.5)));
        Assert.Contains("RandomZoom: width_factor must have values larger than -1", Error(() => new RandomZoom(0.1, (-1.5, 0.1))));
        Assert.Contains("RandomTranslation: height_factor must have values between -1 and 1", Error(() => new RandomTranslation(1.2, 0.1)));
        Assert.Contains("RandomTranslation: width_factor cannot have an upper bound below", Error(() => new RandomTranslation(0.1, (0.2, -0.2))));
        Assert.Contains("RandomContrast: factor must be non-negative", Error(() => new RandomContrast(-0.1)));
        Assert.Contains("RandomContrast: factor must be non-negative with its lower bound at most 1", Error(() => new RandomContrast((1.5, 0.1))));
        Assert.Contains("RandomContrast: value_range", Error(() => new RandomContrast(0.1, valueRange: (1, 0))));
        Assert.Contains("Normalization: when setting values directly, both mean and variance must be set", Error(() => new Normalization(mean: [1.0])));
        Assert.Contains("Normalization: variance must not be negative", Error(() => new Normalization(mean: [1.0], variance: [-1.0])));
    }

    [Fact]
    public void BadShapesAndStatesNameTheLayer()
    {
        var m = Error(() => new Resizing(4, 4, name: "rz").Build([10, 3]));
        Assert.Contains("Layer 'rz' (Resizing) expects images of shape (batch, height, width, channels), got (None, 10, 3)", m);
        Assert.Contains("Layer 'rf' (RandomFlip) expects images", Error(() => new RandomFlip(name: "rf").Build([5])));
        Assert.Contains("Layer 'n0' (Normalization): axis 0 is the batch axis", Error(() => new Normalization(0, name: "n0").Build([3])));
        Assert.Contains("Layer 'n5' (Normalization): all axis values must be in the range [-3, 3)", Error(() => new Normalization(5, name: "n5").Build([3, 4])));
        Assert.Contains("Layer 'nb' (Normalization): mean has 3 values, which do not broadcast to the 4 statistics of axis -1",
            Error(() => new Normalization(-1, [1, 2, 3], [1, 1, 1], name: "nb").Build([2, 4])));
        Assert.Contains("Layer 'ns' (Normalization): cannot adapt a layer initialized with static mean and variance",
            Error(() => new Normalization(-1, [1.0], [1.0], name: "ns").Adapt(new Tensor(2, 3))));
        var built = new Normalization(name: "na");
        built.Adapt(new Tensor(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3));
        Assert.Contains("Layer 'na' (Normalization) was built with input (None, 3) but adapt is called with data of an incompatible shape (2, 4)",
            Error(() => built.Adapt(new Tensor(2, 4))));
    }

    [Fact]
    public void UnsupportedKeras3OptionsAreRefusedByName()
    {
        Assert.Contains("data_format 'channels_first' is not supported", Error(() => Read("CenterCrop", """{"name": "c", "height": 2, "width": 2, "data_format": "channels_first"}""")));
        Assert.Contains("pad_to_aspect_ratio=True is not supported", Error(() => Read("Resizing", """{"name": "r", "height": 2, "width": 2, "pad_to_aspect_ratio": true}""")));
        Assert.Contains("antialias=True is not supported", Error(() => Read("Resizing", """{"name": "r", "height": 2, "width": 2, "antialias": true}""")));
        Assert.Contains("per-channel scale arrays are not supported",
            Error(() => Read("Rescaling", """{"name": "s", "scale": {"class_name": "__numpy__", "config": {"value": [1, 2, 3], "dtype": "float32"}}}""")));
        Assert.Contains("field 'factor' should be a number or a list of two numbers", Error(() => Read("RandomRotation", """{"name": "r", "factor": [1, 2, 3]}""")));
        Assert.Contains("missing field 'factor'", Error(() => Read("RandomContrast", """{"name": "c"}""")));
    }

    // ---- the random layers' contracts ----

    public static TheoryData<string> RandomLayers() => new(RandomMakers().Keys);

    private static Dictionary<string, Func<int?, RandomImageLayer>> RandomMakers() => new()
    {
        ["RandomFlip"] = s => new RandomFlip(seed: s),
        ["RandomRotation"] = s => new RandomRotation(0.3, seed: s),
        ["RandomZoom"] = s => new RandomZoom(0.4, seed: s),
        ["RandomTranslation"] = s => new RandomTranslation(0.3, 0.3, seed: s),
        ["RandomContrast"] = s => new RandomContrast(0.5, seed: s),
    };

    private static Tensor Images(int seed, int batch = 6) => PrepCase.Rand(new Random(seed), 0, 255, batch, 5, 6, 3);

    [Theory]
    [MemberData(nameof(RandomLayers))]
    public void RandomLayersAreTheIdentityAtInferenceAndReproducibleWithASeed(string kind)
    {
        var make = RandomMakers()[kind];
        var x = Images(1);
        var layer = make(11);
        var ctx = new CallContext();
        Assert.Same(x, layer.Call(ctx, x, training: false));
        var g = Images(2);
        Assert.Same(g, layer.Backward(ctx, g, needInputGrad: true));
        Assert.Null(layer.DrawnParameters(ctx));

        // Two layers with one seed draw the same transforms; one layer's next call draws new ones; another seed differs.
        var (a, ca) = (make(11), new CallContext());
        var (b, cb) = (make(11), new CallContext());
        var ya = a.Call(ca, x, training: true).ToArray();
        Assert.Equal(ya, b.Call(cb, x, training: true).ToArray());
        Assert.NotEqual(ya, x.ToArray());
        var pa = a.DrawnParameters(ca)!.SelectMany(p => p).ToArray();
        Assert.Equal(pa, b.DrawnParameters(cb)!.SelectMany(p => p).ToArray());
        a.Call(ca, x, training: true);
        Assert.NotEqual(pa, a.DrawnParameters(ca)!.SelectMany(p => p).ToArray());
        var c = make(12);
        var cc = new CallContext();
        c.Call(cc, x, training: true);
        Assert.NotEqual(pa, c.DrawnParameters(cc)!.SelectMany(p => p).ToArray());

        // Without a seed the layer draws from the context's "augment" stream, which SetRandomSeed restarts.
        KerasRandom.SetRandomSeed(123);
        var y1 = make(null).Call(x, training: true).ToArray();
        KerasRandom.SetRandomSeed(123);
        Assert.Equal(y1, make(null).Call(x, training: true).ToArray());
    }

    [Fact]
    public void DrawnTransformsAreKerasMatricesWithinTheFactorRanges()
    {
        const int n = 400;
        var x = PrepCase.Rand(new Random(3), -1, 1, n, 5, 7, 1);
        T[] Draw<T>(RandomImageLayer l, Func<float[], T> f)
        {
            var ctx = new CallContext();
            l.Call(ctx, x, training: true);
            return l.DrawnParameters(ctx)!.Select(f).ToArray();
        }
        var t8 = new float[8];
        // Rotation: [cos, -sin, x_off, sin, cos, y_off, 0, 0] of an angle in [-0.1, 0.3] * 2 pi.
        var angles = Draw(new RandomRotation((-0.1, 0.3), seed: 1), p =>
        {
            double angle = Math.Atan2(p[3], p[0]);
            RandomRotation.RotationMatrix((float)angle, 5, 7, t8);
            for (int i = 0; i < 8; i++) Assert.Equal(t8[i], p[i], 1e-5);
            return angle / (2 * Math.PI);
        });
        Assert.InRange(angles.Min(), -0.1, -0.09);
        Assert.InRange(angles.Max(), 0.29, 0.3);
        // Zoom without a width factor: zx = zy in 1 + [-0.2, 0.5], offsets (size - 1) / 2 * (1 - z).
        var zooms = Draw(new RandomZoom((-0.2, 0.5), seed: 2), p =>
        {
            Assert.Equal(p[0], p[4]);
            Assert.Equal(3f * (1 - p[0]), p[2], 1e-6);
            Assert.Equal(2f * (1 - p[4]), p[5], 1e-6);
            Assert.Equal(new[] { 0f, 0f, 0f, 0f }, new[] { p[1], p[3], p[6], p[7] });
            return p[0];
        });
        Assert.InRange(zooms.Min(), 0.8, 0.81);
        Assert.InRange(zooms.Max(), 1.49, 1.5);
        // Translation: [1, 0, -dx, 0, 1, -dy] with dy / h in [-0.2, 0.1] and dx / w in [-0.3, 0.3].
        var shifts = Draw(new RandomTranslation((-0.2, 0.1), 0.3, seed: 3), p => (Dy: -p[5] / 5.0, Dx: -p[2] / 7.0));
        Assert.InRange(shifts.Min(s => s.Dy), -0.2, -0.19);
        Assert.InRange(shifts.Max(s => s.Dy), 0.09, 0.1);
        Assert.InRange(shifts.Min(s => s.Dx), -0.3, -0.29);
        Assert.InRange(shifts.Max(s => s.Dx), 0.29, 0.3);
        // Contrast: factors in [1 - 0.3, 1 + 0.6]; flips: each of the four combinations occurs.
        var factors = Draw(new RandomContrast((0.3, 0.6), seed: 4), p => p[0]);
        Assert.InRange(factors.Min(), 0.7, 0.71);
        Assert.InRange(factors.Max(), 1.59, 1.6);
        var flips = Draw(new RandomFlip(seed: 5), p => (p[0], p[1]));
        Assert.Equal(4, flips.Distinct().Count());
        Assert.All(Draw(new RandomFlip("horizontal", seed: 6), p => p[1]), v => Assert.Equal(0f, v));
    }
}
