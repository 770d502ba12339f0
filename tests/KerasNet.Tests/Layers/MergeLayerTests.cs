using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Layers;

/// <summary>
/// One merge-layer configuration: how to make it, the per-sample input shapes, the spec Oracles/merge_torch.py reads,
/// and whether the inputs are drawn from {-1, 0, 1} so that Maximum/Minimum meet ties.
/// </summary>
internal sealed record MergeCase(string Label, Func<Merge> Make, int[][] Shapes, JsonObject Spec, bool Ties = false)
{
    public const int Batch = 3;

    public override string ToString() => Label;

    public bool Kinked => Spec["layer"]!.GetValue<string>() is "maximum" or "minimum";

    /// <summary>A fresh layer, its inputs (batch first) and an upstream gradient r (L = sum(y * r)).</summary>
    public (Merge layer, Tensor[] xs, Tensor r) Instantiate(int seed)
    {
        var rng = new Random(seed);
        var xs = Shapes.Select(s => Fill(new Tensor(ShapeUtil.WithBatch(Batch, s)), rng, Ties)).ToArray();
        var layer = Make();
        layer.Build(Shapes);
        var r = Fill(new Tensor(ShapeUtil.WithBatch(Batch, layer.OutputShape!)), rng, false);
        return (layer, xs, r);
    }

    private static Tensor Fill(Tensor t, Random rng, bool ties)
    {
        for (int i = 0; i < t.Length; i++)
            t[i] = ties ? rng.Next(-1, 2) : (float)(rng.NextDouble() * 2 - 1);
        return t;
    }

    private static JsonArray Ints(params int[] v) => new(v.Select(x => (JsonNode)x).ToArray());

    private static JsonObject Spec_(string layer, int n) => new() { ["layer"] = layer, ["n"] = n };

    private static MergeCase Case(string kind, Func<Merge> make, bool ties, params int[][] shapes) =>
        new($"{kind} {string.Join(" ", shapes.Select(ShapeUtil.FormatWithNone))}{(ties ? " ties" : "")}", make, shapes, Spec_(kind, shapes.Length), ties);

    private static MergeCase ConcatCase(int axis, params int[][] shapes)
    {
        var spec = Spec_("concatenate", shapes.Length);
        spec["axis"] = axis;
        return new($"concatenate axis={axis} {string.Join(" ", shapes.Select(ShapeUtil.FormatWithNone))}", () => new Concatenate(axis), shapes, spec);
    }

    private static MergeCase DotCase((int, int) axes, bool single, bool normalize, int[] x, int[] y)
    {
        var spec = Spec_("dot", 2);
        spec["axes"] = Ints(axes.Item1, axes.Item2);
        spec["normalize"] = normalize;
        return new($"dot axes={(single ? axes.Item1.ToString() : axes.ToString())}{(normalize ? " normalize" : "")} {ShapeUtil.FormatWithNone(x)} {ShapeUtil.FormatWithNone(y)}",
            () => single ? new Dot(axes.Item1, normalize) : new Dot(axes, normalize), [x, y], spec);
    }

    /// <summary>Every element-wise layer with equal and broadcast shapes, Concatenate on axes 1, 2, -1, -2, Dot on several axes.</summary>
    public static IEnumerable<MergeCase> All()
    {
        yield return Case("add", () => new Add(), false, [4, 3], [4, 3]);
        yield return Case("add", () => new Add(), false, [2, 3], [2, 3], [2, 3]);
        yield return Case("add", () => new Add(), false, [3, 4], [1, 4], [4]);
        yield return Case("add", () => new Add(), false, [2, 3, 4], [3, 1]);
        yield return Case("add", () => new Add(), false, [1], [5]);
        yield return Case("subtract", () => new Subtract(), false, [4, 3], [4, 3]);
        yield return Case("subtract", () => new Subtract(), false, [4, 3], [3]);
        yield return Case("subtract", () => new Subtract(), false, [1, 3], [4, 3]);
        yield return Case("multiply", () => new Multiply(), false, [4, 3], [4, 3]);
        yield return Case("multiply", () => new Multiply(), false, [2, 3, 4], [3, 1], [4]);
        yield return Case("average", () => new Average(), false, [4, 3], [4, 3], [4, 3]);
        yield return Case("average", () => new Average(), false, [2, 1, 4], [3, 1], [4]);
        yield return Case("maximum", () => new Maximum(), false, [4, 3], [4, 3], [4, 3]);
        yield return Case("maximum", () => new Maximum(), false, [3, 4], [4], [3, 1]);
        yield return Case("maximum", () => new Maximum(), true, [4, 3], [4, 3], [4, 3]);
        yield return Case("maximum", () => new Maximum(), true, [3, 4], [4]);
        yield return Case("minimum", () => new Minimum(), false, [4, 3], [4, 3]);
        yield return Case("minimum", () => new Minimum(), false, [2, 3], [1, 3], [3]);
        yield return Case("minimum", () => new Minimum(), true, [4, 3], [4, 3], [4, 3]);
        yield return ConcatCase(-1, [3], [4]);
        yield return ConcatCase(-1, [2, 3], [2, 1], [2, 2]);
        yield return ConcatCase(1, [2, 3], [4, 3]);
        yield return ConcatCase(1, [1, 2, 3], [2, 2, 3]);
        yield return ConcatCase(2, [3, 2, 4], [3, 5, 4]);
        yield return ConcatCase(-2, [2, 3], [4, 3]);
        yield return DotCase((1, 1), true, false, [5], [5]);
        yield return DotCase((1, 1), false, false, [3, 4], [3, 5]);
        yield return DotCase((2, 1), false, false, [3, 4], [4, 2]);
        yield return DotCase((2, 2), false, false, [3, 4], [2, 4]);
        yield return DotCase((-1, -1), true, false, [3, 4], [4]);
        yield return DotCase((-1, -2), false, false, [3, 4], [4, 2]);
        yield return DotCase((1, 2), false, false, [4], [3, 4]);
        yield return DotCase((3, 1), false, false, [2, 3, 4], [4, 5]);
        yield return DotCase((1, 1), true, true, [5], [5]);
        yield return DotCase((2, 1), false, true, [3, 4], [4, 2]);
        yield return DotCase((1, 1), false, true, [3, 4], [3, 5]);
    }
}

/// <summary>
/// The merge layers alone: forward and input gradients against PyTorch (Oracles/merge_torch.py, float64, Keras's
/// semantics written there from Keras's source) and against central finite differences; Keras's shape errors; the
/// tf.keras 2.4 configs and the registry.
/// </summary>
public class MergeLayerTests
{
    public static TheoryData<string> Labels()
    {
        var d = new TheoryData<string>();
        foreach (var c in MergeCase.All()) d.Add(c.Label);
        return d;
    }

    private static MergeCase Find(string label) => MergeCase.All().Single(c => c.Label == label);

    /// <summary>Runs forward and backward in one context: (output copy, input gradient copies).</summary>
    private static (float[] y, int[] shape, float[][] dx) Analytic(Merge layer, Tensor[] xs, Tensor r)
    {
        var ctx = new CallContext(xs.Length, 1);
        var y = layer.Call(ctx, xs, training: true);
        var (values, shape) = (y.ToArray(), (int[])y.Shape.Clone());
        layer.Backward(ctx, r.Clone(), needInputGrad: true);
        var dx = ctx.InputGrads.Select((g, i) =>
        {
            Assert.NotNull(g);
            Assert.Equal(xs[i].Shape, g!.Shape);
            return g.ToArray();
        }).ToArray();
        return (values, shape, dx);
    }

    private static double Objective(Merge layer, Tensor[] xs, Tensor r)
    {
        var y = layer.Call(xs, training: true);
        double s = 0;
        for (int i = 0; i < y.Length; i++) s += (double)y[i] * r[i];
        return s;
    }

    [Theory]
    [MemberData(nameof(Labels))]
    public void GradientsMatchFiniteDifferences(string label)
    {
        var c = Find(label);
        if (c.Ties) return; // ties sit on kinks by construction; the torch oracle checks their routing
        var (layer, xs, r) = c.Instantiate(7);
        var (_, _, dx) = Analytic(layer, xs, r);
        const float step = 1e-2f;
        int skipped = 0, total = 0;
        for (int j = 0; j < xs.Length; j++)
            for (int e = 0; e < xs[j].Length; e++)
            {
                float orig = xs[j][e];
                double l0 = Objective(layer, xs, r);
                xs[j][e] = orig + step; double lp = Objective(layer, xs, r);
                xs[j][e] = orig - step; double lm = Objective(layer, xs, r);
                xs[j][e] = orig;
                total++;
                if (c.Kinked && Math.Abs((lp - l0) - (l0 - lm)) / step > 1e-3) { skipped++; continue; }
                double fd = (lp - lm) / (2 * step), a = dx[j][e];
                Assert.True(Math.Abs(fd - a) <= 1e-3 + 1e-2 * Math.Abs(a), $"{label}: dL/dx{j}[{e}] analytic {a} vs finite difference {fd}");
            }
        Assert.True(skipped * 4 <= total, $"{label}: {skipped} of {total} coordinates sat on kinks");
    }

    /// <summary>All cases in one oracle run: outputs, output shapes and every input gradient to 1e-4 relative.</summary>
    [SkippableFact]
    public void ForwardAndGradientsMatchPyTorch()
    {
        Oracle.RequirePython("torch", "numpy");
        var cases = MergeCase.All().ToList();
        var dir = Oracle.TempDir();
        var results = new List<(float[] y, int[] shape, float[][] dx)>();
        var specs = new JsonArray();
        for (int i = 0; i < cases.Count; i++)
        {
            var (layer, xs, r) = cases[i].Instantiate(200 + i);
            results.Add(Analytic(layer, xs, r));
            for (int j = 0; j < xs.Length; j++) Npy.Save(Path.Combine(dir, $"{i}_x{j}.npy"), xs[j]);
            Npy.Save(Path.Combine(dir, $"{i}_r.npy"), r);
            specs.Add(cases[i].Spec.DeepClone());
        }
        File.WriteAllText(Path.Combine(dir, "cases.json"), specs.ToJsonString());
        Oracle.RunPythonScript("merge_torch.py", dir);
        for (int i = 0; i < cases.Count; i++)
        {
            var (y, shape, dx) = results[i];
            var label = cases[i].Label;
            var expected = Npy.Load(Path.Combine(dir, $"{i}_y.npy"));
            Assert.True(expected.Shape.SequenceEqual(shape), $"{label}: output shape {ShapeUtil.Format(shape)}, oracle {ShapeUtil.Format(expected.Shape)}");
            OracleCompare.Close(expected, y, label + " output");
            for (int j = 0; j < dx.Length; j++)
                OracleCompare.Close(Npy.Load(Path.Combine(dir, $"{i}_dx{j}.npy")), dx[j], $"{label} dL/dx{j}");
        }
        try { Directory.Delete(dir, true); } catch (IOException) { }
    }

    [Fact]
    public void MaximumAndMinimumGiveTiesToTheFirstInputAsTensorFlowDoes()
    {
        var a = new Tensor([1f, 2f, 3f, 5f], 1, 4);
        var b = new Tensor([1f, 4f, 3f, 0f], 1, 4);
        var c = new Tensor([1f, 4f, 0f, 5f], 1, 4);
        var g = new Tensor([10f, 20f, 30f, 40f], 1, 4);
        foreach (var (layer, expectY, expectA, expectB, expectC) in new (Merge, float[], float[], float[], float[])[]
        {
            (new Maximum(), [1, 4, 3, 5], [10, 0, 30, 40], [0, 20, 0, 0], [0, 0, 0, 0]),
            (new Minimum(), [1, 2, 0, 0], [10, 20, 0, 0], [0, 0, 0, 40], [0, 0, 30, 0]),
        })
        {
            var ctx = new CallContext(3, 1);
            Assert.Equal(expectY, layer.Call(ctx, [a, b, c], training: true).ToArray());
            layer.Backward(ctx, g, needInputGrad: true);
            Assert.Equal(expectA, ctx.InputGrads[0]!.ToArray());
            Assert.Equal(expectB, ctx.InputGrads[1]!.ToArray());
            Assert.Equal(expectC, ctx.InputGrads[2]!.ToArray());
        }
    }

    [Fact]
    public void BroadcastShapesFollowKerasComputeElemwiseOpOutputShape()
    {
        Assert.Equal([4, 3], new Add().ComputeOutputShapes([[4, 3], [3]])[0]);
        Assert.Equal([4, 3], new Add().ComputeOutputShapes([[1, 3], [4, 1]])[0]);
        Assert.Equal([2, 3, 4], new Multiply().ComputeOutputShapes([[2, 1, 4], [3, 1], [4]])[0]);
        Assert.Equal([5], new Maximum().ComputeOutputShapes([[1], [5]])[0]);
        Assert.Equal([7, 4], new Concatenate(1).ComputeOutputShapes([[3, 4], [4, 4]])[0]);
        Assert.Equal([1], new Dot(1).ComputeOutputShapes([[5], [5]])[0]);
        Assert.Equal([3, 2], new Dot((2, 1)).ComputeOutputShapes([[3, 4], [4, 2]])[0]);
        Assert.Equal([4, 5], new Dot(1).ComputeOutputShapes([[3, 4], [3, 5]])[0]);
        Assert.Equal([3], new Dot(-1).ComputeOutputShapes([[3, 4], [4]])[0]);
        Assert.Equal([2, 3, 5], new Dot((3, 1)).ComputeOutputShapes([[2, 3, 4], [4, 5]])[0]);
    }

    [Fact]
    public void AnEqualShapedAddPassesTheGradientOnWithoutCopying()
    {
        var add = new Add();
        var ctx = new CallContext(2, 1);
        add.Call(ctx, [new Tensor(2, 3), new Tensor(2, 3)], training: true);
        var g = new Tensor(2, 3);
        add.Backward(ctx, g, needInputGrad: true);
        Assert.Same(g, ctx.InputGrads[0]);
        Assert.Same(g, ctx.InputGrads[1]);
    }

    [Fact]
    public void RepeatedCallsReuseTheirBuffers()
    {
        foreach (var c in MergeCase.All())
        {
            var (layer, xs, r) = c.Instantiate(3);
            var ctx = new CallContext(xs.Length, 1);
            var y1 = layer.Call(ctx, xs, training: true);
            layer.Backward(ctx, r, needInputGrad: true);
            var g1 = ctx.InputGrads.ToArray();
            var y2 = layer.Call(ctx, xs, training: true);
            layer.Backward(ctx, r, needInputGrad: true);
            Assert.Same(y1, y2);
            for (int i = 0; i < g1.Length; i++) Assert.Same(g1[i], ctx.InputGrads[i]);
        }
    }

    [Fact]
    public void ForwardAndBackwardAllocateNothingOnceWarm()
    {
        var sink = GradientSink.All();
        foreach (var c in MergeCase.All())
        {
            var (layer, xs, r) = c.Instantiate(5);
            var ctx = new CallContext(xs.Length, 1);
            for (int i = 0; i < xs.Length; i++) ctx.Inputs[i] = xs[i];
            ctx.Training = true;
            void Step()
            {
                layer.ForwardNode(ctx);
                layer.BackwardNode(ctx, [r], true, sink);
            }
            Step();
            Step();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int k = 0; k < 5; k++) Step();
            Assert.True(GC.GetAllocatedBytesForCurrentThread() == before, $"{c.Label}: {GC.GetAllocatedBytesForCurrentThread() - before} bytes allocated in 5 warm steps");
        }
    }

    // ---- errors ----

    private static string Error(Action a) => Assert.ThrowsAny<KerasNetException>(a).Message;

    [Fact]
    public void BadShapesGiveKerasErrorsNamingTheLayerAndTheShapes()
    {
        var m = Error(() => new Add(name: "add_bad").Apply(Keras.Input(3), Keras.Input(4)));
        Assert.Contains("Layer 'add_bad' (Add)", m);
        Assert.Contains("could not be broadcast together with shapes (None, 3) and (None, 4)", m);

        m = Error(() => new Multiply(name: "mul_bad").Build([[2, 3], [3, 3]]));
        Assert.Contains("Layer 'mul_bad' (Multiply)", m);
        Assert.Contains("(None, 2, 3) and (None, 3, 3)", m);

        m = Error(() => new Add(name: "add_one").Apply(Keras.Input(3)));
        Assert.Contains("Layer 'add_one' (Add)", m);
        Assert.Contains("at least 2 inputs. Got 1 input.", m);

        m = Error(() => new Subtract(name: "sub3").Apply(Keras.Input(3), Keras.Input(3), Keras.Input(3)));
        Assert.Equal("Layer 'sub3' (Subtract) should be called on exactly 2 inputs, got 3.", m);

        m = Error(() => new Concatenate(name: "cat_bad").Apply(Keras.Input((3, 4)), Keras.Input((2, 5))));
        Assert.Equal("Layer 'cat_bad' (Concatenate) requires inputs with matching shapes except for the concat axis (axis=-1). Got inputs shapes: [(None, 3, 4), (None, 2, 5)].", m);

        m = Error(() => new Concatenate(axis: 1, name: "cat_rank").Build([[3, 4], [3]]));
        Assert.Contains("Got inputs shapes: [(None, 3, 4), (None, 3)]", m);

        m = Error(() => new Concatenate(axis: 3, name: "cat_axis").Build([[3, 4], [3, 4]]));
        Assert.Contains("Layer 'cat_axis' (Concatenate): axis 3 is out of range for inputs of rank 3", m);

        m = Error(() => new Concatenate(axis: 0, name: "cat_batch").Build([[3], [3]]));
        Assert.Contains("batch axis (axis=0) is not supported", m);
        m = Error(() => new Concatenate(axis: -2, name: "cat_batch2").Build([[3], [3]]));
        Assert.Contains("batch axis (axis=-2)", m);

        m = Error(() => new Dot(1, name: "dot_bad").Apply(Keras.Input(3), Keras.Input(4)));
        Assert.Equal("Layer 'dot_bad' (Dot): dimension incompatibility 3 != 4 (axes 1 and 1). Layer shapes: (None, 3), (None, 4).", m);

        m = Error(() => new Dot((2, 1), name: "dot_bad2").Build([[3, 4], [5, 2]]));
        Assert.Contains("dimension incompatibility 4 != 5 (axes 2 and 1). Layer shapes: (None, 3, 4), (None, 5, 2)", m);

        m = Error(() => new Dot(0, name: "dot_batch").Build([[3], [3]]));
        Assert.Contains("Layer 'dot_batch' (Dot): cannot perform batch_dot over axis 0", m);

        m = Error(() => new Dot((1, 3), name: "dot_range").Build([[3], [3]]));
        Assert.Contains("axis 3 is out of range for an input of rank 2", m);

        m = Error(() => new Dot(1, name: "dot3").Build([[3], [3], [3]]));
        Assert.Equal("Layer 'dot3' (Dot) should be called on exactly 2 inputs, got 3.", m);
    }

    [Fact]
    public void EagerCallsCheckBatchSizesBuiltShapesAndSingleTensors()
    {
        var add = new Add(name: "add_eager");
        var m = Error(() => add.Call([new Tensor(2, 3), new Tensor(3, 3)]));
        Assert.Contains("Layer 'add_eager' (Add) cannot merge tensors with different batch sizes. Got tensors with shapes [(2, 3), (3, 3)].", m);

        var cat = new Concatenate(name: "cat_eager");
        cat.Call([new Tensor(2, 3), new Tensor(2, 4)]);
        m = Error(() => cat.Call([new Tensor(2, 3), new Tensor(2, 5)]));
        Assert.Contains("Layer 'cat_eager' expects input of shape (None, 4) but got (2, 5).", m);

        m = Error(() => new Maximum(name: "max_one").Call(new Tensor(2, 3)));
        Assert.Contains("Layer 'max_one' (Maximum)", m);
        Assert.Contains("at least 2 inputs", m);
    }

    // ---- configs ----

    [Fact]
    public void ConfigsHaveTfKeras24FieldsAndOrder()
    {
        Assert.Equal("""{"name":"a","trainable":true,"dtype":"float32"}""", new Add("a").GetConfig().ToJsonString());
        Assert.Equal("""{"name":"s","trainable":false,"dtype":"float32"}""", new Subtract("s", trainable: false).GetConfig().ToJsonString());
        Assert.Equal("""{"name":"c","trainable":true,"dtype":"float32","axis":-1}""", new Concatenate(name: "c").GetConfig().ToJsonString());
        Assert.Equal("""{"name":"c2","trainable":true,"dtype":"float32","axis":2}""", new Concatenate(2, "c2").GetConfig().ToJsonString());
        Assert.Equal("""{"name":"d","trainable":true,"dtype":"float32","axes":1,"normalize":false}""", new Dot(1, name: "d").GetConfig().ToJsonString());
        Assert.Equal("""{"name":"d2","trainable":true,"dtype":"float32","axes":[2,1],"normalize":true}""", new Dot((2, 1), true, "d2").GetConfig().ToJsonString());
        Assert.Equal("multiply", new Multiply().Name[..8]);
        Assert.StartsWith("average", new Average().Name);
        Assert.StartsWith("maximum", new Maximum().Name);
        Assert.StartsWith("minimum", new Minimum().Name);
    }

    public static TheoryData<string> RegistryConfigs() => new()
    {
        """{"class_name": "Add", "config": {"name": "add_7", "trainable": true, "dtype": "float32"}}""",
        """{"class_name": "Subtract", "config": {"name": "subtract_7", "trainable": false, "dtype": "float32"}}""",
        """{"class_name": "Multiply", "config": {"name": "multiply_7", "trainable": true, "dtype": "float32"}}""",
        """{"class_name": "Average", "config": {"name": "average_7", "trainable": true, "dtype": "float32"}}""",
        """{"class_name": "Maximum", "config": {"name": "maximum_7", "trainable": true, "dtype": "float32"}}""",
        """{"class_name": "Minimum", "config": {"name": "minimum_7", "trainable": true, "dtype": "float32"}}""",
        """{"class_name": "Concatenate", "config": {"name": "concatenate_7", "trainable": true, "dtype": "float32", "axis": 1}}""",
        """{"class_name": "Dot", "config": {"name": "dot_7", "trainable": true, "dtype": "float32", "axes": -1, "normalize": true}}""",
        """{"class_name": "Dot", "config": {"name": "dot_8", "trainable": true, "dtype": "float32", "axes": [2, 1], "normalize": false}}""",
    };

    [Theory]
    [MemberData(nameof(RegistryConfigs))]
    public void TheRegistryRebuildsEachLayerFromItsConfig(string json)
    {
        var entry = JsonNode.Parse(json)!.AsObject();
        var className = entry["class_name"]!.GetValue<string>();
        var config = entry["config"]!.AsObject();
        var layer = LayerRegistry.Create(new LayerConfigReader((JsonObject)config.DeepClone(), className, "test"));
        Assert.Equal(className, layer.ClassName);
        Assert.IsAssignableFrom<Merge>(layer);
        Assert.Equal(config.ToJsonString(), layer.GetConfig().ToJsonString());
    }

    [Fact]
    public void RegistryDefaultsAndBadDotAxes()
    {
        var cat = (Concatenate)LayerRegistry.Create(new LayerConfigReader(JsonNode.Parse("""{"name": "c"}""")!.AsObject(), "Concatenate", "test"));
        Assert.Equal(-1, cat.Axis);
        var dot = (Dot)LayerRegistry.Create(new LayerConfigReader(JsonNode.Parse("""{"name": "d", "axes": [1, 2]}""")!.AsObject(), "Dot", "test"));
        Assert.Equal((1, 2), dot.Axes);
        Assert.False(dot.Normalize);
        foreach (var bad in new[] { """{"name": "d"}""", """{"name": "d", "axes": [1, 2, 3]}""", """{"name": "d", "axes": "x"}""", """{"name": "d", "axes": [1.5, 1]}""" })
        {
            var e = Assert.Throws<ModelConfigException>(() => LayerRegistry.Create(new LayerConfigReader(JsonNode.Parse(bad)!.AsObject(), "Dot", "model.json")));
            Assert.StartsWith("model.json: layer 'd' (Dot): ", e.Message);
            Assert.Contains("'axes'", e.Message);
        }
    }
}
