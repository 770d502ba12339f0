using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Layers;

/// <summary>
/// SimpleRNN, LSTM and GRU alone: outputs, final states and every gradient (input, weights, initial states) against
/// PyTorch (Oracles/rnn_torch.py: torch's nn.LSTM/nn.GRU/nn.RNN with Keras's weights mapped, and a step-by-step
/// transcription of Keras's cells and rnn() loop for masks, dropout masks, hard_sigmoid and GRU reset_before),
/// and against central finite differences.
/// </summary>
public class RnnTests(Xunit.Abstractions.ITestOutputHelper output)
{
    public static TheoryData<string> SmoothLabels()
    {
        var d = new TheoryData<string>();
        foreach (var c in RnnCase.All().Where(c => c.Smooth)) d.Add(c.Label);
        return d;
    }

    private static RnnCase Find(string label) => RnnCase.All().Single(c => c.Label == label);

    /// <summary>Every case in one oracle run: outputs, states and gradients to 1e-4 relative (plus 1e-5 of the largest value).</summary>
    [SkippableFact]
    public void ForwardAndGradientsThroughTimeMatchPyTorch()
    {
        Oracle.RequirePython("torch", "numpy");
        var cases = RnnCase.All().ToList();
        var dir = Oracle.TempDir();
        var runs = new List<RnnCase.Run>();
        var specs = new JsonArray();
        for (int i = 0; i < cases.Count; i++)
        {
            var run = cases[i].Execute(300 + i);
            runs.Add(run);
            var l = run.Layer;
            void Save(string name, Tensor t) => Npy.Save(Path.Combine(dir, $"{i}_{name}.npy"), t);
            Save("x", run.X);
            Save("k", l.Kernel!.Value);
            Save("rk", l.RecurrentKernel!.Value);
            if (l.Bias != null) Save("b", l.Bias.Value);
            if (run.H0 != null) Save("h0", run.H0);
            if (run.C0 != null) Save("c0", run.C0);
            if (run.Mask != null) Save("mask", run.Mask);
            if (run.InputDropout != null) Save("dm", new Tensor(run.InputDropout, run.InGroups, cases[i].Batch, cases[i].Features));
            if (run.RecurrentDropout != null) Save("rdm", new Tensor(run.RecurrentDropout, run.RecGroups, cases[i].Batch, l.Units));
            Save("gy", run.Upstream[0]);
            if (l.ReturnState)
            {
                Save("gh", run.Upstream[1]);
                if (l.StateCount > 1) Save("gc", run.Upstream[2]);
            }
            specs.Add(cases[i].Spec(l, run.InGroups, run.RecGroups));
        }
        File.WriteAllText(Path.Combine(dir, "cases.json"), specs.ToJsonString());
        var log = Oracle.RunPythonScript("rnn_torch.py", dir);
        // The common configurations were also computed by torch's own modules, agreeing with the transcription.
        Assert.Contains("manual+torch.nn", log);
        double maxOut = 0, maxGrad = 0;
        void Track(Tensor e, float[] a, ref double max) { for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - e[i])); }
        for (int i = 0; i < cases.Count; i++)
        {
            var run = runs[i];
            var label = cases[i].Label;
            Tensor Load(string name) => Npy.Load(Path.Combine(dir, $"{i}_{name}.npy"));
            var y = Load("y");
            Assert.Equal(ShapeUtil.WithBatch(cases[i].Batch, run.Layer.OutputShapes![0]), y.Shape);
            OracleCompare.Close(y, run.Outputs[0], label + " output");
            Track(y, run.Outputs[0], ref maxOut);
            Track(Load("dx"), run.Dx, ref maxGrad);
            Track(Load("dk"), run.Dw[0], ref maxGrad);
            Track(Load("drk"), run.Dw[1], ref maxGrad);
            if (run.Layer.ReturnState)
            {
                OracleCompare.Close(Load("h"), run.Outputs[1], label + " final h");
                if (run.Layer.StateCount > 1) OracleCompare.Close(Load("c"), run.Outputs[2], label + " final c");
            }
            OracleCompare.Close(Load("dx"), run.Dx, label + " dL/dx");
            OracleCompare.Close(Load("dk"), run.Dw[0], label + " dL/dkernel");
            OracleCompare.Close(Load("drk"), run.Dw[1], label + " dL/drecurrent_kernel");
            if (run.Layer.Bias != null) OracleCompare.Close(Load("db"), run.Dw[2], label + " dL/dbias");
            if (run.Dh0 != null) OracleCompare.Close(Load("dh0"), run.Dh0, label + " dL/dh0");
            if (run.Dc0 != null) OracleCompare.Close(Load("dc0"), run.Dc0, label + " dL/dc0");
        }
        output.WriteLine($"{cases.Count} cases: max |output - torch| {maxOut:G3}, max |gradient - torch| (x, kernel, recurrent kernel) {maxGrad:G3}");
        try { Directory.Delete(dir, true); } catch (IOException) { }
    }

    /// <summary>
    /// Central differences (step 1e-2, accumulated in double) of L = sum(y r) + sum(h_T r_h) + ... for every input,
    /// weight and initial-state coordinate of the smooth cases (tanh and sigmoid; dropout masks held fixed).
    /// </summary>
    [Theory]
    [MemberData(nameof(SmoothLabels))]
    public void GradientsMatchFiniteDifferences(string label)
    {
        var c = Find(label);
        var (layer, x, h0, c0, mask, up) = c.Instantiate(41);
        var run = RnnCase.Execute(layer, x, h0, c0, mask, up);
        // Dropout masks are random per call: replay the analytic call's masks with a layer that draws the same ones.
        double Objective()
        {
            var inputs = new List<Tensor> { x };
            if (h0 != null) inputs.Add(h0);
            if (c0 != null) inputs.Add(c0);
            var (outs, _) = RnnCase.Forward(Reseeded(layer), inputs, mask, training: true);
            double s = 0;
            for (int o = 0; o < (layer.ReturnState ? outs.Length : 1); o++)
                for (int i = 0; i < outs[o].Length; i++) s += (double)outs[o][i] * up[o][i];
            return s;
        }
        const float step = 1e-2f;
        void Probe(Span<float> values, float[] analytic, string what)
        {
            for (int i = 0; i < values.Length; i++)
            {
                float orig = values[i];
                values[i] = orig + step; double lp = Objective();
                values[i] = orig - step; double lm = Objective();
                values[i] = orig;
                double fd = (lp - lm) / (2 * step), a = analytic[i];
                Assert.True(Math.Abs(fd - a) <= 1e-3 + 1e-2 * Math.Abs(a), $"{label}: d/d{what}[{i}] analytic {a} vs finite difference {fd}");
            }
        }
        Probe(x.Span, run.Dx, "x");
        for (int k = 0; k < layer.Weights.Count; k++) Probe(layer.Weights[k].Value.Span, run.Dw[k], layer.Weights[k].Name);
        if (h0 != null) Probe(h0.Span, run.Dh0!, "h0");
        if (c0 != null) Probe(c0.Span, run.Dc0!, "c0");
    }

    // A seeded layer draws the same dropout masks on every call from a fresh stream: the layer itself when it has no
    // dropout, else the same layer with its seed's stream restarted.
    private static RnnLayer Reseeded(RnnLayer layer)
    {
        if (layer.Dropout == 0 && layer.RecurrentDropout == 0) return layer;
        layer.RestartDropoutStream();
        return layer;
    }
}
