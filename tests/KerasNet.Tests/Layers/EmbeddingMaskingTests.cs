using System.Text.Json.Nodes;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;
using Xunit.Abstractions;
using static KerasNet.Tests.Models.GraphTestKit;

namespace KerasNet.Tests.Layers;

/// <summary>
/// Embedding, Masking and the mask flow: forward and gradients against PyTorch (Oracles/seq_torch.py: nn.Embedding
/// and index_add for repeated ids, tf.keras 2.4's Masking and masked GlobalAveragePooling1D, and tf.keras 2.4's
/// masked loss with TensorFlow's sparse SGD updates); predictions and SGD steps against tfjs-layers; Keras's errors;
/// masks through graphs, nested models and merge layers; configs of every Keras generation; .h5/.keras round trips.
/// </summary>
public class EmbeddingMaskingTests(ITestOutputHelper log)
{
    private static Tensor Ids(int[] shape, params float[] values) => new(values, shape);

    private static Tensor RandIds(Random r, int vocab, params int[] shape)
    {
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++) t[i] = r.Next(vocab);
        return t;
    }

    private void CloseToOracle(string dir, int i, string name, float[] actual, string what)
    {
        var expected = Npy.Load(Path.Combine(dir, $"{i}_{name}.npy"));
        double max = 0;
        for (int k = 0; k < Math.Min(expected.Length, actual.Length); k++) max = Math.Max(max, Math.Abs(expected[k] - actual[k]));
        log.WriteLine($"{what}: max |diff| {max:E2}");
        OracleCompare.Close(expected, actual, what);
    }

    // ---- PyTorch: Embedding, Masking, masked average pooling, masked loss ----

    [SkippableFact]
    public void ForwardGradientsAndMaskedTrainingMatchPyTorch()
    {
        Oracle.RequirePython("torch", "numpy");
        var dir = Oracle.TempDir();
        var specs = new JsonArray();
        var checks = new List<Action>();
        var r = new Random(5);
        int n = 0;

        // Embedding on (3, 6) ids with repeats and on (2, 2, 3) ids; the table gradient is index_add of the rows.
        foreach (var shape in new[] { new[] { 3, 6 }, new[] { 2, 2, 3 } })
        {
            int i = n++;
            var emb = new Embedding(7, 4);
            var ids = RandIds(r, 7, shape);
            ids[0] = ids[1] = 3; // a repeated id
            var ctx = new CallContext();
            var y = emb.Call(ctx, ids, training: true).Clone();
            var grad = Rand(r, -1, 1, y.Shape);
            Assert.Null(emb.Backward(ctx, grad, needInputGrad: true)); // ids have no gradient
            Npy.Save(Path.Combine(dir, $"{i}_ids.npy"), ids);
            Npy.Save(Path.Combine(dir, $"{i}_w.npy"), emb.Embeddings!.Value);
            Npy.Save(Path.Combine(dir, $"{i}_r.npy"), grad);
            specs.Add(new JsonObject { ["kind"] = "embedding" });
            var dw = emb.Embeddings.Grad.ToArray();
            checks.Add(() =>
            {
                CloseToOracle(dir, i, "y", y.ToArray(), $"embedding {string.Join("x", shape)} output");
                CloseToOracle(dir, i, "dw", dw, "embedding dL/dembeddings (autograd)");
                CloseToOracle(dir, i, "dw_index_add", dw, "embedding dL/dembeddings (index_add)");
            });
        }

        // Masking: whole timesteps equal to the mask value, and one that differs in a single feature.
        foreach (double maskValue in new[] { 0.0, 2.5 })
        {
            int i = n++;
            var x = Rand(r, -1, 1, 3, 4, 2);
            float v = (float)maskValue;
            x[0] = v; x[1] = v;           // sample 0, step 0 masked
            x[10] = v; x[11] = v;         // sample 1, step 1 masked
            x[12] = v; x[13] = 0.5f;      // sample 1, step 2 kept (one feature differs)
            var layer = new Masking(maskValue);
            var ctx = new CallContext();
            var y = layer.Call(ctx, x, null, training: true).Clone();
            var mask = ctx.OutputMasks[0]!.Clone();
            Assert.Equal([3, 4], mask.Shape);
            var grad = Rand(r, -1, 1, 3, 4, 2);
            var dx = layer.Backward(ctx, grad, needInputGrad: true)!.ToArray();
            Npy.Save(Path.Combine(dir, $"{i}_x.npy"), x);
            Npy.Save(Path.Combine(dir, $"{i}_r.npy"), grad);
            specs.Add(new JsonObject { ["kind"] = "masking", ["mask_value"] = maskValue });
            checks.Add(() =>
            {
                CloseToOracle(dir, i, "y", y.ToArray(), $"Masking({maskValue}) output");
                CloseToOracle(dir, i, "mask", mask.ToArray(), $"Masking({maskValue}) mask");
                CloseToOracle(dir, i, "dx", dx, $"Masking({maskValue}) dL/dx");
            });
        }

        // tf.keras 2.4's masked GlobalAveragePooling1D (the helper the pooling layer calls), both data formats.
        foreach (bool channelsFirst in new[] { false, true })
        {
            int i = n++;
            int b = 3, t = 5, c = 4;
            var x = channelsFirst ? Rand(r, -1, 1, b, c, t) : Rand(r, -1, 1, b, t, c);
            var m = new Tensor(b, t);
            for (int k = 0; k < m.Length; k++) m[k] = k % 3 == 1 ? 0 : 1;
            var y = new float[b * c];
            var grad = Rand(r, -1, 1, b, c);
            var dx = new float[x.Length];
            MaskedTemporalPooling.AverageForward(x.Span, m.Span, b, t, c, channelsFirst, y);
            MaskedTemporalPooling.AverageBackward(grad.Span, m.Span, b, t, c, channelsFirst, dx);
            Npy.Save(Path.Combine(dir, $"{i}_x.npy"), x);
            Npy.Save(Path.Combine(dir, $"{i}_m.npy"), m);
            Npy.Save(Path.Combine(dir, $"{i}_r.npy"), grad);
            specs.Add(new JsonObject { ["kind"] = "gap1d", ["channels_first"] = channelsFirst });
            checks.Add(() =>
            {
                CloseToOracle(dir, i, "y", y, $"masked average pooling (channels_first={channelsFirst})");
                CloseToOracle(dir, i, "dx", dx, $"masked average pooling dL/dx (channels_first={channelsFirst})");
            });
        }

        // Embedding(mask_zero) -> Dense and Embedding(mask_zero) -> TimeDistributed(Dense): masked MSE, SGD with and
        // without momentum (with momentum TensorFlow moves only the looked-up rows of the table).
        foreach (var (momentum, steps) in new[] { (0.0, 1), (0.9, 2) })
        {
            int i = n++;
            int batch = 3, len = 5, vocab = 8, dim = 3, units = 2;
            var ids = RandIds(r, vocab, batch, len);
            ids[0] = 0; ids[6] = 0; ids[7] = 0; ids[14] = 0; ids[4] = 5;
            var ids2 = RandIds(r, 4, batch, len); // step 2 uses only ids 0..3: rows 4..7 are not looked up
            ids2[2] = 0;
            var y1 = Rand(r, -1, 1, batch, len, units);
            var y2 = Rand(r, -1, 1, batch, len, units);
            var models = new[] { MaskedModel(vocab, dim, len, units, td: false), MaskedModel(vocab, dim, len, units, td: true) };
            foreach (var mm in models)
            {
                SetRandomWeights(mm, 9);
                mm.Compile(new SGD(0.3, momentum), "mse");
            }
            models[1].SetWeights(models[0].GetWeights());
            var w0 = models[0].Weights.Select(w => w.Value.Clone()).ToArray();
            var losses = models.Select(mm =>
            {
                var l1 = mm.TrainOnBatch(new Batch(ids, y1))[0];
                var l2 = steps == 2 ? mm.TrainOnBatch(new Batch(ids2, y2))[0] : double.NaN;
                return (l1, l2);
            }).ToArray();
            Npy.Save(Path.Combine(dir, $"{i}_ids.npy"), ids);
            Npy.Save(Path.Combine(dir, $"{i}_targets.npy"), y1);
            Npy.Save(Path.Combine(dir, $"{i}_ids2.npy"), ids2);
            Npy.Save(Path.Combine(dir, $"{i}_targets2.npy"), y2);
            Npy.Save(Path.Combine(dir, $"{i}_emb.npy"), w0[0]);
            Npy.Save(Path.Combine(dir, $"{i}_kernel.npy"), w0[1]);
            Npy.Save(Path.Combine(dir, $"{i}_bias.npy"), w0[2]);
            specs.Add(new JsonObject { ["kind"] = "masked_sgd", ["lr"] = 0.3, ["momentum"] = momentum, ["steps"] = steps });
            checks.Add(() =>
            {
                for (int k = 0; k < models.Length; k++)
                {
                    string what = $"{(k == 0 ? "Embedding->Dense" : "Embedding->TimeDistributed(Dense)")} momentum {momentum}";
                    CloseToOracle(dir, i, "loss1", [(float)losses[k].l1], what + " masked loss");
                    if (steps == 2) CloseToOracle(dir, i, "loss2", [(float)losses[k].l2], what + " masked loss, step 2");
                    var ws = models[k].Weights;
                    CloseToOracle(dir, i, "emb_after", ws[0].Value.ToArray(), what + " embeddings after SGD");
                    CloseToOracle(dir, i, "kernel_after", ws[1].Value.ToArray(), what + " kernel after SGD");
                    CloseToOracle(dir, i, "bias_after", ws[2].Value.ToArray(), what + " bias after SGD");
                }
            });
        }

        // Embedding(mask_zero) -> GlobalAveragePooling1D -> Dense: the average covers the unmasked steps only, and
        // the mask ends at the pooling (the loss is the plain mean).
        {
            int i = n++;
            var gap = new Sequential([new Embedding(7, 3, maskZero: true, inputLength: 5), new GlobalAveragePooling1D(), new Dense(2)]);
            SetRandomWeights(gap, 4);
            var ids = RandIds(r, 7, 4, 5);
            ids[0] = 0; ids[1] = 0; ids[7] = 0; ids[19] = 0; ids[10] = 3;
            var y = Rand(r, -1, 1, 4, 2);
            var w0 = gap.Weights.Select(w => w.Value.Clone()).ToArray();
            var pred = gap.Predict(ids).ToArray();
            gap.Compile(new SGD(0.4), "mse");
            var loss = gap.TrainOnBatch(new Batch(ids, y))[0];
            Npy.Save(Path.Combine(dir, $"{i}_ids.npy"), ids);
            Npy.Save(Path.Combine(dir, $"{i}_targets.npy"), y);
            Npy.Save(Path.Combine(dir, $"{i}_emb.npy"), w0[0]);
            Npy.Save(Path.Combine(dir, $"{i}_kernel.npy"), w0[1]);
            Npy.Save(Path.Combine(dir, $"{i}_bias.npy"), w0[2]);
            specs.Add(new JsonObject { ["kind"] = "masked_gap_sgd", ["lr"] = 0.4 });
            checks.Add(() =>
            {
                CloseToOracle(dir, i, "y", pred, "Embedding(mask_zero) -> GlobalAveragePooling1D -> Dense predictions");
                CloseToOracle(dir, i, "loss1", [(float)loss], "masked average pooling model loss");
                var ws = gap.Weights;
                CloseToOracle(dir, i, "emb_after", ws[0].Value.ToArray(), "masked average pooling model embeddings after SGD");
                CloseToOracle(dir, i, "kernel_after", ws[1].Value.ToArray(), "masked average pooling model kernel after SGD");
                CloseToOracle(dir, i, "bias_after", ws[2].Value.ToArray(), "masked average pooling model bias after SGD");
            });
        }

        File.WriteAllText(Path.Combine(dir, "cases.json"), specs.ToJsonString());
        Oracle.RunPythonScript("seq_torch.py", dir);
        foreach (var check in checks) check();
        try { Directory.Delete(dir, true); } catch (IOException) { }
    }

    private static Sequential MaskedModel(int vocab, int dim, int len, int units, bool td) => new(
    [
        new Embedding(vocab, dim, maskZero: true, inputLength: len),
        td ? new TimeDistributed(new Dense(units)) : new Dense(units),
    ]);

    [Fact]
    public void TheMaskedLossWeighsRowsByTheMaskAndDividesByAllRows()
    {
        // Every id masked: tf.keras's loss is 0 (sum of nothing over the rows), and nothing moves.
        var m = MaskedModel(5, 2, 3, 2, td: false);
        SetRandomWeights(m, 1);
        m.Compile(new SGD(0.5), "mse");
        var before = m.GetWeights().Select(a => a.ToArray<float>()).ToList();
        var loss = m.TrainOnBatch(new Batch(new Tensor(2, 3), new Tensor(2, 3, 2)))[0];
        Assert.Equal(0, loss);
        var after = m.GetWeights().Select(a => a.ToArray<float>()).ToList();
        for (int k = 0; k < before.Count; k++) Assert.Equal(before[k], after[k]);

        // Without a mask the same model (mask_zero false) gives the plain mean.
        var plain = new Sequential([new Embedding(5, 2, inputLength: 3), new Dense(2)]);
        plain.Compile(new SGD(0.5), "mse");
        plain.SetWeights(m.GetWeights());
        var ids = Ids([1, 3], 0, 2, 4);
        var y = new Tensor([1f, 0, 0, 1, 1, 1], 1, 3, 2);
        double full = plain.Evaluate(new ArraySequence(ids, y, 1), verbose: 0)[0];
        double masked = m.Evaluate(new ArraySequence(ids, y, 1), verbose: 0)[0];
        var p = plain.Predict(ids);
        double row(int t) => (Math.Pow(p[t * 2] - y[t * 2], 2) + Math.Pow(p[t * 2 + 1] - y[t * 2 + 1], 2)) / 2;
        Assert.Equal((row(0) + row(1) + row(2)) / 3, full, 5);
        Assert.Equal((row(1) + row(2)) / 3, masked, 5); // step 0 (id 0) weighs 0, still counted in the 3 rows
    }

    // ---- Embedding alone ----

    [Fact]
    public void OutOfRangeAndFractionalIdsNameTheLayerThePositionAndTheRange()
    {
        var emb = new Embedding(10, 3, name: "words");
        string Error(params float[] ids) => Assert.Throws<KerasNetException>(() => emb.Call(new Tensor(ids, 2, 2))).Message;
        Assert.Equal("Layer 'words' (Embedding): indices[1,0] = 12 is not in [0, 10) (input_dim 10).", Error(1, 2, 12, 3));
        Assert.Equal("Layer 'words' (Embedding): indices[0,1] = -1 is not in [0, 10) (input_dim 10).", Error(1, -1, 2, 3));
        Assert.Equal("Layer 'words' (Embedding): indices[1,1] = 2.5 is not a whole number; ids must be integers in [0, 10).", Error(1, 2, 3, 2.5f));
        Assert.Contains("indices[0,0] = NaN", Error(float.NaN, 1, 2, 3));
        Assert.Contains("indices[0,0] = 10 is not in [0, 10)", Error(10, 1, 2, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Backend.Current.EmbeddingLookup([0, 4], 2, new float[8], 4, 2, new float[4]));
    }

    [Fact]
    public void BadArgumentsNameTheLayerAndArgument()
    {
        Assert.Contains("input_dim and output_dim should be positive, found input_dim 0 and output_dim 3",
            Assert.Throws<KerasNetException>(() => new Embedding(0, 3, name: "e0")).Message);
        Assert.Contains("Layer 'e1' (Embedding): input_length must be positive", Assert.Throws<KerasNetException>(() => new Embedding(4, 3, inputLength: 0, name: "e1")).Message);
        var e = Assert.ThrowsAny<KerasNetException>(() => new Embedding(4, 3, inputLength: 5, name: "e2").Build([6]));
        Assert.Contains("\"input_length\" is (None, 5), but received input has shape (None, 6)", e.Message);
    }

    [Fact]
    public void MaskZeroMasksExactlyTheZeroIds()
    {
        var ids = Ids([2, 4], 0, 3, 0, 1, 2, 0, 0, 0);
        var emb = new Embedding(4, 2, maskZero: true);
        var ctx = new CallContext();
        emb.Call(ctx, ids, null, training: false);
        var mask = ctx.OutputMasks[0]!;
        Assert.Equal([2, 4], mask.Shape);
        Assert.Equal(ids.ToArray().Select(v => v != 0 ? 1f : 0f), mask.ToArray());
        Assert.True(emb.SupportsMasking);

        var plain = new Embedding(4, 2);
        var ctx2 = new CallContext();
        plain.Call(ctx2, ids, null, training: false);
        Assert.Null(ctx2.OutputMasks[0]);
        Assert.False(plain.SupportsMasking);
    }

    [Fact]
    public void TheTableGradientIsWrittenOverTheReusedBufferAndOnlyLookedUpRowsAreMarked()
    {
        var emb = new Embedding(6, 2);
        var ctx = new CallContext();
        emb.Call(ctx, Ids([1, 3], 4, 1, 4), training: true);
        emb.Backward(ctx, new Tensor([1f, 1, 2, 2, 3, 3], 1, 3, 2), needInputGrad: false);
        var g = emb.Embeddings!.Grad;
        Assert.Equal(new float[] { 0, 0, 2, 2, 0, 0, 0, 0, 4, 4, 0, 0 }, g.ToArray());
        var buffer = g.Buffer;
        emb.Call(ctx, Ids([1, 3], 0, 0, 0), training: true);
        emb.Backward(ctx, new Tensor([5f, 6, 0, 0, 0, 0], 1, 3, 2), needInputGrad: false);
        Assert.Same(buffer, emb.Embeddings.Grad.Buffer);
        Assert.Equal(new float[] { 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, g.ToArray()); // the old rows are cleared

        // The sink learns which rows the step touched (a shared layer's calls add theirs).
        var sink = GradientSink.All();
        emb.Call(ctx, Ids([1, 3], 4, 1, 4), training: true);
        emb.Backward(ctx, new Tensor(1, 3, 2), needInputGrad: false, sink);
        emb.Call(ctx, Ids([1, 3], 0, 1, 0), training: true);
        emb.Backward(ctx, new Tensor(1, 3, 2), needInputGrad: false, sink);
        var rows = sink.RowsOf(emb.Embeddings);
        Assert.NotNull(rows);
        Assert.Equal([4, 1, 0], rows!.Rows.ToArray());
    }

    [Fact]
    public void ARegularizedOrConstrainedTableIsRefusedForTrainingButPredicts()
    {
        var m = new Sequential([new Embedding(5, 2, embeddingsRegularizer: new L2(0.01), inputLength: 3, name: "emb"), new Flatten(), new Dense(1)]);
        m.Compile("sgd", "mse");
        var x = Ids([1, 3], 1, 2, 3);
        Assert.Equal([1, 1], m.Predict(x).Shape);
        var e = Assert.Throws<KerasNetException>(() => m.TrainOnBatch(new Batch(x, new Tensor(1, 1))));
        Assert.Contains("Layer 'emb' has embeddings_regularizer L2", e.Message);
        ((Embedding)m.Layers[0]).EmbeddingsRegularizer = null;
        m.TrainOnBatch(new Batch(x, new Tensor(1, 1)));
    }

    // ---- masks through graphs ----

    [Fact]
    public void ALayerWithoutMaskingDropsTheMaskWithOneWarningAsTfKeras24()
    {
        // tf.keras 2.4 runs _set_mask_metadata only for layers with supports_masking: Flatten after a masked Embedding
        // neither raises nor passes the mask on (Keras 3 warns; tfjs and Keras 2.2 raised).
        var warnings = new List<string>();
        Keras.Warning = warnings.Add;
        var masked = new Sequential([new Embedding(6, 2, maskZero: true, inputLength: 4, name: "emb"), new Flatten(name: "flat"), new Dense(3, name: "out")]);
        var plain = new Sequential([new Embedding(6, 2, inputLength: 4), new Flatten(), new Dense(3)]);
        SetRandomWeights(masked, 2);
        plain.SetWeights(masked.GetWeights());
        var ids = Ids([2, 4], 0, 1, 2, 0, 5, 0, 0, 3);
        Assert.Equal(plain.Predict(ids).ToArray(), masked.Predict(ids).ToArray());
        masked.Predict(ids);
        Assert.Single(warnings);
        Assert.Contains("Layer 'flat' (of type Flatten) was passed an input with a mask attached to it", warnings[0]);
        // The mask stopped at Flatten, so the loss is the plain mean.
        masked.Compile("sgd", "mse");
        plain.Compile("sgd", "mse");
        var y = new Tensor(2, 3);
        Assert.Equal(plain.Evaluate(new ArraySequence(ids, y, 2), verbose: 0)[0], masked.Evaluate(new ArraySequence(ids, y, 2), verbose: 0)[0], 12);

        // compute_mask itself refuses a mask on such a layer: Keras's TypeError.
        var e = Assert.Throws<KerasNetException>(() => new Flatten(name: "f2").ComputeMask(new CallContext(), new Tensor(2, 4)));
        Assert.Equal("Layer 'f2' (Flatten) does not support masking, but was passed an input_mask of shape (2, 4).", e.Message);
    }

    [Fact]
    public void MasksPassThroughDenseDropoutActivationAndNestedModels()
    {
        var ids = Ids([2, 3], 0, 1, 2, 3, 0, 0);
        var expected = ids.ToArray().Select(v => v != 0 ? 1f : 0f).ToArray();

        var x = Keras.Input(3, name: "ids");
        var h = new Embedding(4, 5, maskZero: true, name: "emb").Apply(x);
        h = new Dropout(0.5, name: "drop").Apply(h);
        h = new Dense(4, name: "d1").Apply(h);
        var inner = new Model(x, new Activation("tanh", name: "act").Apply(h), name: "inner");
        Assert.True(inner.MayCreateMask);

        var outerIn = Keras.Input(3, name: "outer_ids");
        var outer = new Model(outerIn, new Dense(2, name: "head").Apply(inner.Apply(outerIn)), name: "outer");
        var g = outer.Graph!;
        var ctx = g.CreateContext();
        g.Forward(ctx, [ids], training: false);
        Assert.Equal(expected, ctx.OutputMask(0)!.ToArray());

        // The nested model takes a mask from outside too (Masking before it), and passes it on.
        var seq = Keras.Input((3, 2), name: "seq");
        var plainInner = new Sequential([new Dense(2, inputShape: (3, 2))], name: "plain_inner");
        var m2 = new Model(seq, plainInner.Apply(new Masking(name: "mask").Apply(seq)), name: "m2");
        var c2 = m2.Graph!.CreateContext();
        var xs = new Tensor([0f, 0, 1, 2, 3, 0, 0, 0, 0, 0, 0, 1], 2, 3, 2);
        m2.Graph.Forward(c2, [xs], training: false);
        Assert.Equal(new float[] { 0, 1, 1, 0, 0, 1 }, c2.OutputMask(0)!.ToArray());
    }

    [Fact]
    public void MergeLayersCombineMasksAsTfKeras24()
    {
        var a = Keras.Input(4, name: "a");
        var b = Keras.Input(4, name: "b");
        var ea = new Embedding(5, 3, maskZero: true, name: "ea").Apply(a);
        var eb = new Embedding(5, 3, maskZero: true, name: "eb").Apply(b);
        var plain = new Embedding(5, 3, name: "ep").Apply(b);
        var add = new Add(name: "add").Apply(ea, eb);
        var addPlain = new Add(name: "add_plain").Apply(ea, plain);
        var catTime = new Concatenate(axis: 1, name: "cat_t").Apply(ea, eb);
        var catLast = new Concatenate(axis: -1, name: "cat_f").Apply(ea, plain);
        var dot = new Dot(axes: 2, name: "dot").Apply(ea, eb);
        var m = new Model([a, b], [add, addPlain, catTime, catLast, dot]);
        var ia = Ids([1, 4], 0, 1, 2, 3);
        var ib = Ids([1, 4], 4, 0, 2, 0);
        var ctx = m.Graph!.CreateContext();
        m.Graph.Forward(ctx, [ia, ib], training: false);
        float[] ma = [0, 1, 1, 1], mb = [1, 0, 1, 0];
        Assert.Equal(ma.Zip(mb, (p, q) => p * q), ctx.OutputMask(0)!.ToArray()); // and
        Assert.Equal(ma, ctx.OutputMask(1)!.ToArray());                          // an unmasked input counts as true
        Assert.Equal(ma.Concat(mb), ctx.OutputMask(2)!.ToArray());               // masks follow their timesteps
        Assert.Equal([1, 8], ctx.OutputMask(2)!.Shape);
        Assert.Equal(ma, ctx.OutputMask(3)!.ToArray());                          // last axis: and, with ones
        Assert.Null(ctx.OutputMask(4));                                          // Dot: none

        var bad = new Model([a, b], new Concatenate(axis: 1, name: "cat_mixed").Apply(ea, plain));
        var c2 = bad.Graph!.CreateContext();
        var e = Assert.Throws<KerasNetException>(() => bad.Graph.Forward(c2, [ia, ib], training: false));
        Assert.Contains("Layer 'cat_mixed' (Concatenate): input 1 has no mask but others do", e.Message);
    }

    [Fact]
    public void AModelWithoutMasksDoesNoMaskWork()
    {
        var m = KerasNet.Applications.TutorialCnn.Build();
        var g = m.Graph!;
        Assert.False(g.MayCreateMasks);
        var ctx = g.CreateContext();
        g.Forward(ctx, [new Tensor(1, 64, 64, 3)], training: false);
        Assert.False(ctx.MasksUsed);
        Assert.Null(ctx.OutputMask(0));
        foreach (var node in ctx.Nodes) Assert.True(node.InputMasksOrEmpty.IsEmpty); // the mask arrays were never made
    }

    [Fact]
    public void MaskedTrainStepAndPredictAllocateNothingOnceWarm()
    {
        var m = new Sequential([new Embedding(9, 4, maskZero: true, inputLength: 6), new TimeDistributed(new Dense(3)), new Dense(2)]);
        SetRandomWeights(m, 3);
        m.Compile(new SGD(0.1, momentum: 0.9), "mse");
        var r = new Random(1);
        var ids = RandIds(r, 9, 4, 6);
        ids[0] = 0; ids[7] = 0;
        var batch = new Batch(ids, Rand(r, -1, 1, 4, 6, 2));
        var output = new Tensor(4, 6, 2);
        for (int i = 0; i < 3; i++) { m.TrainStep(batch); m.PredictInto(ids, output); }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++) { m.TrainStep(batch); m.PredictInto(ids, output); }
        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        log.WriteLine($"5 masked train steps + predicts: {bytes} bytes");
        Assert.True(bytes <= 80, $"{bytes} bytes allocated in 5 warm masked steps");
    }

    // ---- tfjs-layers ----

    [SkippableFact]
    public void EmbeddingFlattenDenseMatchesTfjsPredictionsAndOneSgdStep()
    {
        Oracle.RequireNodeTfjs();
        var m = new Sequential([new Embedding(12, 4, inputLength: 5, name: "emb"), new Flatten(name: "flat"), new Dense(3, activation: "softmax", name: "out")], name: "seq");
        SetRandomWeights(m, 4);
        var r = new Random(8);
        var ids = RandIds(r, 12, 6, 5);
        ids[0] = ids[1] = ids[2] = 7; // repeated ids: their gradients add up
        var y = OneHot(6, 3);
        var start = m.Weights.Select(w => O(w.Value)).ToList();
        var tfjs = TfjsGraphOracle.Run(m.ToJson(), start, [O(ids)], [O(y)], ["categorical_crossentropy"], sgdLr: 0.5);
        Assert.Equal(["emb/embeddings", "out/kernel", "out/bias"], tfjs.WeightNames);
        Close(tfjs.Outputs[0].Values.Select(v => (double)v).ToList(), m.Predict(ids).Span, 1e-6, "predictions");
        m.Compile(new SGD(0.5), "categorical_crossentropy");
        var loss = m.TrainOnBatch(new Batch(ids, y))[0];
        Assert.Equal(tfjs.Loss!.Value, loss, 5);
        for (int i = 0; i < 3; i++)
            Close(tfjs.WeightsAfter![i].Values.Select(v => (double)v).ToList(), m.Weights[i].Value.Span, 2e-6, tfjs.WeightNames[i] + " after one SGD step");
    }

    [SkippableFact]
    public void MaskedEmbeddingDenseAndMaskingModelsMatchTfjsPredictions()
    {
        // tfjs propagates masks (its Embedding, Masking and Dense support them) but does not weigh the loss with
        // them; the masked training step is checked against tf.keras's rule in the PyTorch test.
        Oracle.RequireNodeTfjs();
        var r = new Random(3);
        var m = new Sequential([new Embedding(6, 3, maskZero: true, inputLength: 4, name: "emb"), new Dense(2, activation: "tanh", name: "out")], name: "seq_m");
        SetRandomWeights(m, 6);
        var ids = Ids([2, 4], 0, 1, 5, 0, 2, 0, 0, 3);
        var tfjs = TfjsGraphOracle.Run(m.ToJson(), m.Weights.Select(w => O(w.Value)).ToList(), [O(ids)]);
        Close(tfjs.Outputs[0].Values.Select(v => (double)v).ToList(), m.Predict(ids).Span, 1e-6, "Embedding(mask_zero) -> Dense predictions");

        var m2 = new Sequential([new Masking(0.0, inputShape: (4, 3), name: "mask"), new TimeDistributed(new Dense(2, activation: "relu", name: "inner"), name: "td")], name: "seq_mask");
        SetRandomWeights(m2, 7);
        var x = Rand(r, -1, 1, 3, 4, 3);
        for (int k = 3; k < 6; k++) x[k] = 0; // sample 0, step 1 masked: zeroed, then the Dense gives relu(bias)
        var t2 = TfjsGraphOracle.Run(m2.ToJson(), m2.Weights.Select(w => O(w.Value)).ToList(), [O(x)]);
        Close(t2.Outputs[0].Values.Select(v => (double)v).ToList(), m2.Predict(x).Span, 1e-6, "Masking -> TimeDistributed(Dense) predictions");
    }

    // ---- configs ----

    private static Layer FromConfig(string className, string json) =>
        LayerRegistry.Create(new LayerConfigReader(JsonNode.Parse(json)!.AsObject(), className, "test"));

    [Fact]
    public void EmbeddingConfigIsTfKeras24sAndRoundTrips()
    {
        var e = new Embedding(100, 8, maskZero: true, inputLength: 10, name: "emb");
        Assert.Equal("""{"name":"emb","trainable":true,"batch_input_shape":[null,10],"dtype":"float32","input_dim":100,"output_dim":8,"embeddings_initializer":{"class_name":"RandomUniform","config":{"minval":-0.05,"maxval":0.05,"seed":null}},"embeddings_regularizer":null,"activity_regularizer":null,"embeddings_constraint":null,"mask_zero":true,"input_length":10}""",
            e.GetConfig().ToJsonString());
        var back = (Embedding)FromConfig("Embedding", e.GetConfig().ToJsonString());
        Assert.Equal(e.GetConfig().ToJsonString(), back.GetConfig().ToJsonString());
        Assert.Equal([10], back.InputShapeArgument!);

        // No input_length: tf.keras still writes batch_input_shape, with an unknown length.
        var free = new Embedding(5, 2, name: "free");
        Assert.Contains("\"batch_input_shape\":[null,null]", free.GetConfig().ToJsonString());
        Assert.Contains("\"input_length\":null", free.GetConfig().ToJsonString());
        Assert.Null(((Embedding)FromConfig("Embedding", free.GetConfig().ToJsonString())).InputShapeArgument);
    }

    [Fact]
    public void Keras1AndKeras3EmbeddingConfigsAreRead()
    {
        var k1 = (Embedding)FromConfig("Embedding", """
            {"name": "embedding_1", "trainable": true, "batch_input_shape": [null, 7], "input_dtype": "int32",
             "input_dim": 50, "output_dim": 6, "init": "uniform", "input_length": 7, "mask_zero": true,
             "W_regularizer": null, "activity_regularizer": null, "W_constraint": null, "dropout": 0.2}
            """);
        Assert.Equal((50, 6, true, 0.2), (k1.InputDim, k1.OutputDim, k1.MaskZero, k1.Keras1Dropout));
        Assert.Equal([7], k1.InputLength!);
        Assert.IsType<RandomUniform>(k1.EmbeddingsInitializer);
        Assert.Contains("Keras 1's dropout 0.2", k1.TrainingRefusal());

        var k3 = (Embedding)FromConfig("Embedding", """
            {"name": "embedding", "trainable": true,
             "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
             "input_dim": 30, "output_dim": 4,
             "embeddings_initializer": {"module": "keras.initializers", "class_name": "RandomNormal", "config": {"seed": null, "mean": 0.0, "stddev": 0.05}, "registered_name": null},
             "embeddings_regularizer": {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.001}, "registered_name": null},
             "activity_regularizer": null, "embeddings_constraint": null, "mask_zero": false}
            """);
        Assert.Equal((30, 4, false), (k3.InputDim, k3.OutputDim, k3.MaskZero));
        Assert.IsType<RandomNormal>(k3.EmbeddingsInitializer);
        Assert.IsType<L2>(k3.EmbeddingsRegularizer);
        Assert.Null(k3.InputLength);
    }

    [Fact]
    public void MaskingConfigIsTfKeras24sAndRoundTrips()
    {
        var layer = new Masking(-1.0, inputShape: (5, 2), name: "pad");
        Assert.Equal("""{"name":"pad","trainable":true,"batch_input_shape":[null,5,2],"dtype":"float32","mask_value":-1.0}""", PyJsonOf(layer.GetConfig()));
        var back = (Masking)FromConfig("Masking", layer.GetConfig().ToJsonString());
        Assert.Equal(-1.0, back.MaskValue);
        Assert.Equal(0.0, ((Masking)FromConfig("Masking", """{"name": "masking_1", "trainable": true, "mask_value": 0.0}""")).MaskValue);
    }

    private static string PyJsonOf(JsonObject o) => PyJson.Dumps(o).Replace(" ", "");

    [Fact]
    public void SummaryShowsKerasLinesAndParameterCounts()
    {
        var m = new Sequential([new Embedding(1000, 64, maskZero: true, inputLength: 10), new Masking(), new TimeDistributed(new Dense(8)), new Dense(1)]);
        var lines = m.SummaryText().Split('\n');
        Assert.Contains("embedding (Embedding)        (None, 10, 64)            64000     ", lines);
        Assert.Contains("masking (Masking)            (None, 10, 64)            0         ", lines);
        Assert.Contains("time_distributed (TimeDistri (None, 10, 8)             520       ", lines);
        Assert.Contains("dense_1 (Dense)              (None, 10, 1)             9         ", lines);
        Assert.Contains("Total params: 64,529", lines);
    }

    // ---- files ----

    [Fact]
    public void H5AndKerasFilesKeepPredictionsMasksAndTheMaskedLoss()
    {
        var m = new Sequential([new Embedding(9, 3, maskZero: true, inputLength: 5), new Masking(), new TimeDistributed(new Dense(4, activation: "relu")), new Dense(2)]);
        SetRandomWeights(m, 12);
        m.Compile("adam", "mse");
        var r = new Random(2);
        var ids = RandIds(r, 9, 3, 5);
        ids[0] = 0; ids[9] = 0;
        var y = Rand(r, -1, 1, 3, 5, 2);
        m.TrainOnBatch(new Batch(ids, y));
        var expected = m.Predict(ids).ToArray();
        double loss = m.Evaluate(new ArraySequence(ids, y, 3), verbose: 0)[0];
        var dir = Oracle.TempDir();
        foreach (var file in new[] { "m.h5", "m.keras" })
        {
            var path = Path.Combine(dir, file);
            m.Save(path);
            var back = Keras.LoadModel(path);
            Assert.Equal(expected, back.Predict(ids).ToArray());
            Assert.Equal(loss, back.Evaluate(new ArraySequence(ids, y, 3), verbose: 0)[0], 12);
            Assert.Equal(m.ToJson(), back.ToJson());
        }
        try { Directory.Delete(dir, true); } catch (IOException) { }
    }
}
