using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;
using static KerasNet.Tests.Models.GraphTestKit;

namespace KerasNet.Tests.Layers;

/// <summary>
/// Recurrent layers in models: against tfjs-layers (an independent Keras reading KerasNet's to_json: predictions and
/// every weight after one SGD step, for SimpleRNN, LSTM, GRU reset_before, Bidirectional in every merge mode, initial
/// states and return_state outputs), and files written by other Keras versions (Keras 1's per-gate weights, Keras
/// 2.2's CuDNN layers, tf.keras 2.4's Bidirectional), built by Oracles/rnn_h5_fixtures.py with numpy references.
/// </summary>
public class RnnModelTests
{
    private const double PredictTol = 2e-5, WeightTol = 2e-5;

    /// <summary>Predict, then one full-batch SGD step (MSE on every output), here and in tfjs.</summary>
    private static void MatchesTfjs(Model m, Tensor[] xs, Tensor[] ys, double lr = 0.1)
    {
        var losses = Enumerable.Repeat("mean_squared_error", ys.Length).ToArray();
        var tfjs = TfjsGraphOracle.Run(m.ToJson(), m.Weights.Select(w => O(w.Value)).ToList(), xs.Select(O).ToList(), ys.Select(O).ToList(), losses, null, lr);
        Assert.Equal(m.Weights.Count, tfjs.WeightNames.Count);
        var preds = m.PredictOnBatch(xs);
        Assert.Equal(tfjs.Outputs.Count, preds.Length);
        for (int o = 0; o < preds.Length; o++)
        {
            Assert.Equal(tfjs.Outputs[o].Shape, preds[o].Shape);
            Close(tfjs.Outputs[o].Values.Select(v => (double)v).ToList(), preds[o].Span, PredictTol, $"output {o}");
        }
        m.Compile(new SGD(lr), losses);
        var logs = m.TrainOnBatch(new Batch(xs, ys));
        Assert.Equal(tfjs.Loss!.Value, logs[0], 1e-5);
        for (int i = 0; i < m.Weights.Count; i++)
            Close(tfjs.WeightsAfter![i].Values.Select(v => (double)v).ToList(), m.Weights[i].Value.Span, WeightTol,
                $"{m.Weights[i].FullName} ({tfjs.WeightNames[i]}) after one SGD step");
    }

    private static void Trains(Sequential m, int steps, int features, int outputs, int seed)
    {
        SetRandomWeights(m, seed);
        var r = new Random(seed + 1);
        MatchesTfjs(m, [Rand(r, -1, 1, 5, steps, features)], [Rand(r, -1, 1, 5, outputs)]);
    }

    [SkippableFact]
    public void SimpleRnnStackMatchesTfjs() =>
        Trains(new Sequential([new SimpleRNN(4, returnSequences: true, inputShape: (6, 3)), new SimpleRNN(3, activation: "relu", goBackwards: true), new Dense(2)]), 6, 3, 2, 1);

    [SkippableFact]
    public void LstmStackMatchesTfjs() =>
        Trains(new Sequential([new LSTM(5, returnSequences: true, goBackwards: true, inputShape: (6, 3)), new LSTM(4, recurrentActivation: "hard_sigmoid"), new Dense(1)]), 6, 3, 1, 2);

    [SkippableFact]
    public void GruResetBeforeStackMatchesTfjs() =>
        // tfjs's GRU is Keras's reset_after=False (it refuses reset_after=True); reset_after is checked against torch.
        Trains(new Sequential([new GRU(4, resetAfter: false, returnSequences: true, inputShape: (6, 3)),
            new GRU(3, resetAfter: false, recurrentActivation: "hard_sigmoid", useBias: false), new Dense(2)]), 6, 3, 2, 3);

    [SkippableTheory]
    [InlineData("concat")]
    [InlineData("sum")]
    [InlineData("mul")]
    [InlineData("ave")]
    public void BidirectionalMatchesTfjs(string mode) =>
        Trains(new Sequential([new Bidirectional(new LSTM(3, returnSequences: true), mode, inputShape: (5, 4)),
            new Bidirectional(new GRU(2, resetAfter: false), mode), new Dense(1)]), 5, 4, 1, 4);

    [SkippableFact]
    public void BidirectionalWithoutMergeAndReturnStateMatchTfjs()
    {
        Oracle.RequireNodeTfjs();
        var x = Keras.Input((5, 3), name: "seq");
        var outs = new Bidirectional(new SimpleRNN(3, returnState: true), mergeMode: null, name: "bi").ApplyMany(x);
        Assert.Equal(4, outs.Count); // forward output, backward output, forward h, backward h
        var m = new Model([x], [new Dense(2, name: "head").Apply(new Concatenate().Apply(outs[0], outs[1])), outs[2], outs[3]], name: "bi_model");
        SetRandomWeights(m, 5);
        var r = new Random(6);
        MatchesTfjs(m, [Rand(r, -1, 1, 4, 5, 3)], [Rand(r, -1, 1, 4, 2), Rand(r, -1, 1, 4, 3), Rand(r, -1, 1, 4, 3)]);
    }

    /// <summary>
    /// return_state's outputs as model outputs, each with a loss. (tfjs cannot replay a config call that passes initial
    /// states as extra inputs: its predict re-applies the node with both the tensors and the recorded initial_state,
    /// which its RNN.apply refuses; initial states are checked against torch in RnnTests.)
    /// </summary>
    [SkippableFact]
    public void ReturnStateOutputsMatchTfjs()
    {
        Oracle.RequireNodeTfjs();
        var x = Keras.Input((6, 3), name: "x");
        var outs = new LSTM(4, returnSequences: true, returnState: true, name: "lstm").ApplyMany(x);
        var y = new GRU(2, resetAfter: false, name: "gru").Apply(outs[0]);
        var m = new Model([x], [y, outs[1], outs[2]], name: "states");
        SetRandomWeights(m, 7);
        var r = new Random(8);
        MatchesTfjs(m, [Rand(r, -1, 1, 5, 6, 3)], [Rand(r, -1, 1, 5, 2), Rand(r, -1, 1, 5, 4), Rand(r, -1, 1, 5, 4)]);
    }

    /// <summary>
    /// Masks from Masking and Embedding(mask_zero) through the recurrent layers: skipped steps keep the states (the
    /// outputs that follow depend only on the kept steps). tfjs repeats the previous state where Keras repeats the
    /// previous output; with zero initial states they are the same.
    /// </summary>
    [SkippableFact]
    public void MasksFromMaskingAndEmbeddingMatchTfjs()
    {
        Oracle.RequireNodeTfjs();
        var r = new Random(9);
        var m = new Sequential([new Masking(0.0, inputShape: (6, 3)), new LSTM(4, returnSequences: true, goBackwards: true),
            new GRU(3, resetAfter: false, returnSequences: true), new SimpleRNN(2), new Dense(2)]);
        SetRandomWeights(m, 10);
        var x = Rand(r, -1, 1, 4, 6, 3);
        foreach (var (n, t) in new[] { (0, 0), (0, 1), (1, 4), (1, 5), (2, 2), (3, 0), (3, 3), (3, 5) })
            for (int f = 0; f < 3; f++) x[(n * 6 + t) * 3 + f] = 0;
        // The mask matters: the same layers without Masking see the zero steps.
        var unmasked = new Sequential([new LSTM(4, returnSequences: true, goBackwards: true, inputShape: (6, 3)),
            new GRU(3, resetAfter: false, returnSequences: true), new SimpleRNN(2), new Dense(2)]);
        unmasked.SetWeights(m.GetWeights());
        Assert.NotEqual(m.PredictOnBatch(x)[0].ToArray(), unmasked.PredictOnBatch(x)[0].ToArray());
        MatchesTfjs(m, [x], [Rand(r, -1, 1, 4, 2)]);

        var e = new Sequential([new Embedding(10, 4, maskZero: true, inputLength: 7),
            new Bidirectional(new LSTM(3, returnSequences: true), "concat"), new LSTM(2, recurrentActivation: "hard_sigmoid"), new Dense(1)]);
        SetRandomWeights(e, 11);
        var tokens = new Tensor(new float[] { 3, 1, 4, 1, 5, 0, 0, 0, 0, 2, 6, 5, 3, 5, 9, 2, 6, 0, 0, 0, 0, 8, 9, 7, 9, 3, 2, 3 }, 4, 7);
        MatchesTfjs(e, [tokens], [Rand(r, -1, 1, 4, 1)]);
    }

    // ---- files of other Keras versions ----

    private static string Fixtures()
    {
        Oracle.RequirePython("numpy", "h5py");
        var dir = Oracle.TempDir();
        Oracle.RunPythonScript("rnn_h5_fixtures.py", dir);
        return dir;
    }

    private static void Predicts(Model m, string dir, string prefix)
    {
        var y = m.PredictOnBatch(Npy.Load(Path.Combine(dir, prefix + "_x.npy")))[0];
        OracleCompare.Close(Npy.Load(Path.Combine(dir, prefix + "_y.npy")), y.ToArray(), prefix);
    }

    [SkippableFact]
    public void Keras1PerGateWeightsAreConvertedOnLoad()
    {
        var dir = Fixtures();
        var m = Keras.ModelFromJson(File.ReadAllText(Path.Combine(dir, "keras1.json")));
        var lstm = Assert.IsType<LSTM>(m.Layers[0]);
        Assert.Equal("hard_sigmoid", lstm.RecurrentActivation);
        Assert.True(lstm.UnitForgetBias);
        Assert.Equal(0, lstm.Implementation); // consume_less 'cpu'
        Assert.False(Assert.IsType<GRU>(m.Layers[1]).ResetAfter);
        m.LoadWeights(Path.Combine(dir, "keras1_weights.h5"));
        Predicts(m, dir, "keras1");
    }

    [SkippableFact]
    public void CuDnnLayersLoadAsLstmAndGruWithTheirWeightsConverted()
    {
        var dir = Fixtures();
        var m = Keras.LoadModel(Path.Combine(dir, "cudnn.h5"));
        Assert.Equal(["LSTM", "GRU"], m.Layers.Select(l => l.ClassName));
        Assert.True(Assert.IsType<GRU>(m.Layers[1]).ResetAfter);
        Assert.Equal([2, 9], m.Layers[1].Weights[2].Shape);
        Predicts(m, dir, "cudnn");
        // A reset_before GRU cannot take CuDNN weights, as in Keras.
        var before = new Sequential([new LSTM(4, returnSequences: true, inputShape: (6, 5)), new GRU(3, resetAfter: false)]);
        var e = Assert.ThrowsAny<KerasNetException>(() => before.LoadWeights(Path.Combine(dir, "cudnn.h5")));
        Assert.Contains("CuDNNGRU is GRU(reset_after=True)", e.Message);
    }

    [SkippableFact]
    public void TfKeras24BidirectionalFileLoads()
    {
        var dir = Fixtures();
        var m = Keras.LoadModel(Path.Combine(dir, "tfkeras.h5"));
        var bi = Assert.IsType<Bidirectional>(m.Layers[0]);
        Assert.Equal("forward_lstm", bi.ForwardLayer.Name);
        Assert.Equal("backward_lstm", bi.BackwardLayer.Name);
        Assert.True(bi.BackwardLayer.GoBackwards);
        Predicts(m, dir, "tfkeras");
    }
}
