using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Layers;

namespace KerasNet.Tests.Layers;

/// <summary>
/// One recurrent-layer configuration for the oracle and finite-difference tests: how to make the layer, the batch
/// and sequence sizes, whether the call gets initial states and a mask, and whether it trains with dropout (the
/// masks the call drew are then handed to the oracle). <see cref="Spec"/> is what Oracles/rnn_torch.py reads.
/// </summary>
internal sealed record RnnCase(string Label, Func<RnnLayer> Make, int Batch = 3, int Steps = 5, int Features = 4,
    bool InitialState = false, bool Masked = false, bool Smooth = true, double WeightScale = 0.6)
{
    public override string ToString() => Label;

    /// <summary>The outcome of one forward and backward call.</summary>
    public sealed record Run(RnnLayer Layer, Tensor X, Tensor? H0, Tensor? C0, Tensor? Mask, Tensor[] Upstream,
        float[][] Outputs, float[] Dx, float[]? Dh0, float[]? Dc0, float[][] Dw, float[]? InputDropout, int InGroups, float[]? RecurrentDropout, int RecGroups);

    public JsonObject Spec(RnnLayer l, int inGroups, int recGroups) => new()
    {
        ["cell"] = l switch { LSTM => "lstm", GRU => "gru", _ => "simple" },
        ["units"] = l.Units,
        ["activation"] = l.Activation,
        ["recurrent_activation"] = l switch { LSTM s => s.RecurrentActivation, GRU g => g.RecurrentActivation, _ => null },
        ["reset_after"] = l is GRU { ResetAfter: true },
        ["return_sequences"] = l.ReturnSequences,
        ["go_backwards"] = l.GoBackwards,
        ["zero_output_for_mask"] = l.ZeroOutputForMask,
        ["in_groups"] = inGroups,
        ["rec_groups"] = recGroups,
    };

    /// <summary>
    /// A built layer with random weights in [-scale, scale] (0.6 by default: past the initializers' range, so
    /// saturation shows; long sequences take smaller weights, whose recurrence is not chaotic, so float32 rounding
    /// does not grow step after step), its inputs and upstream gradients.
    /// </summary>
    public (RnnLayer layer, Tensor x, Tensor? h0, Tensor? c0, Tensor? mask, Tensor[] upstream) Instantiate(int seed)
    {
        var rng = new Random(seed);
        var layer = Make();
        int n = layer.StateCount;
        var shapes = new List<int[]> { new[] { Steps, Features } };
        if (InitialState) for (int i = 0; i < n; i++) shapes.Add([layer.Units]);
        layer.Build(shapes);
        foreach (var w in layer.Weights) Fill(w.Value, rng, WeightScale);
        var x = Fill(new Tensor(Batch, Steps, Features), rng, 1);
        Tensor? h0 = InitialState ? Fill(new Tensor(Batch, layer.Units), rng, 1) : null;
        Tensor? c0 = InitialState && n > 1 ? Fill(new Tensor(Batch, layer.Units), rng, 1) : null;
        Tensor? mask = null;
        if (Masked)
        {
            // Sample 0 skips its first steps (the output repeats zeros, the initial state stays), sample 1 its last;
            // the others skip at random; every sample keeps at least one step.
            mask = new Tensor(Batch, Steps);
            for (int b = 0; b < Batch; b++)
                for (int t = 0; t < Steps; t++)
                    mask[b * Steps + t] = b == 0 ? (t >= 2 ? 1 : 0) : b == 1 ? (t < Steps - 2 ? 1 : 0) : (rng.NextDouble() < 0.6 || t == 0 ? 1 : 0);
        }
        var outShapes = layer.ComputeOutputShapes(shapes);
        var upstream = new Tensor[1 + n];
        upstream[0] = Fill(new Tensor(ShapeUtil.WithBatch(Batch, outShapes[0])), rng, 1);
        for (int i = 1; i <= n; i++) upstream[i] = Fill(new Tensor(Batch, layer.Units), rng, 1);
        return (layer, x, h0, c0, mask, upstream);
    }

    /// <summary>Forward (training mode) and backward in one context; the final states' gradients are given even without return_state.</summary>
    public Run Execute(int seed)
    {
        var (layer, x, h0, c0, mask, up) = Instantiate(seed);
        return Execute(layer, x, h0, c0, mask, up);
    }

    public static Run Execute(RnnLayer layer, Tensor x, Tensor? h0, Tensor? c0, Tensor? mask, Tensor[] up)
    {
        var inputs = new List<Tensor> { x };
        if (h0 != null) inputs.Add(h0);
        if (c0 != null) inputs.Add(c0);
        var (outputs, ctx) = Forward(layer, inputs, mask, training: true);
        var call = (RnnLayer.RnnCall)ctx.State!;
        var g = call.Geometry;
        float[]? dm = g.InputMaskGroups > 0 ? call.InputDropout.AsSpan(0, g.InputMaskGroups * g.Batch * g.InputDim).ToArray() : null;
        float[]? rdm = g.RecurrentMaskGroups > 0 ? call.RecurrentDropout.AsSpan(0, g.RecurrentMaskGroups * g.Batch * g.Units).ToArray() : null;
        foreach (var w in layer.Weights) w.Grad.Clear();
        // The final states' gradients reach the layer as outputs when it returns them; otherwise only the output's.
        var grads = layer.ReturnState ? up : [up[0]];
        layer.BackwardNode(ctx, grads, true, GradientSink.All());
        return new Run(layer, x, h0, c0, mask, up, outputs, ctx.InputGrads[0]!.ToArray(),
            ctx.InputGrads.Length > 1 ? ctx.InputGrads[1]!.ToArray() : null, ctx.InputGrads.Length > 2 ? ctx.InputGrads[2]!.ToArray() : null,
            layer.Weights.Select(w => w.Grad.ToArray()).ToArray(), dm, g.InputMaskGroups, rdm, g.RecurrentMaskGroups);
    }

    public static (float[][] outputs, CallContext ctx) Forward(RnnLayer layer, IReadOnlyList<Tensor> inputs, Tensor? mask, bool training)
    {
        var ctx = new CallContext(inputs.Count, layer.OutputShapes!.Count) { Training = training };
        for (int i = 0; i < inputs.Count; i++) ctx.Inputs[i] = inputs[i];
        if (mask != null) ctx.InputMasks[0] = mask;
        layer.ForwardNode(ctx);
        return (ctx.Outputs.Select(o => o.ToArray()).ToArray(), ctx);
    }

    private static Tensor Fill(Tensor t, Random rng, double scale)
    {
        for (int i = 0; i < t.Length; i++) t[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        return t;
    }

    /// <summary>Every option of the three layers, small enough for finite differences, plus larger cases that split the batch over the cores.</summary>
    public static IEnumerable<RnnCase> All()
    {
        yield return new("lstm last", () => new LSTM(3));
        yield return new("lstm sequences", () => new LSTM(3, returnSequences: true));
        yield return new("lstm backwards sequences", () => new LSTM(3, returnSequences: true, goBackwards: true));
        yield return new("lstm hard_sigmoid relu", () => new LSTM(3, activation: "relu", recurrentActivation: "hard_sigmoid", returnSequences: true), Smooth: false);
        yield return new("lstm initial state return_state", () => new LSTM(3, returnState: true), InitialState: true);
        yield return new("lstm masked sequences", () => new LSTM(3, returnSequences: true, returnState: true), Masked: true, InitialState: true);
        yield return new("lstm masked zero output backwards", () => new LSTM(3, returnSequences: true, goBackwards: true) { ZeroOutputForMask = true }, Masked: true);
        yield return new("lstm masked last", () => new LSTM(3), Masked: true);
        yield return new("lstm no bias", () => new LSTM(3, useBias: false, returnSequences: true));
        yield return new("lstm dropout shared mask, recurrent dropout", () => new LSTM(3, dropout: 0.4, recurrentDropout: 0.3, returnSequences: true, seed: 5));
        yield return new("lstm dropout implementation 1", () => new LSTM(3, dropout: 0.4, implementation: 1, seed: 6));
        yield return new("lstm dropout implementation 2", () => new LSTM(3, dropout: 0.4, seed: 7, returnState: true), InitialState: true);
        yield return new("gru reset_after", () => new GRU(3));
        yield return new("gru reset_after sequences backwards state", () => new GRU(3, returnSequences: true, goBackwards: true, returnState: true), InitialState: true);
        yield return new("gru reset_before hard_sigmoid", () => new GRU(3, recurrentActivation: "hard_sigmoid", resetAfter: false), Smooth: false);
        yield return new("gru reset_before sequences", () => new GRU(3, resetAfter: false, returnSequences: true));
        yield return new("gru reset_before masked", () => new GRU(3, resetAfter: false, returnSequences: true), Masked: true, InitialState: true);
        yield return new("gru reset_after masked zero output", () => new GRU(3, returnSequences: true) { ZeroOutputForMask = true }, Masked: true);
        yield return new("gru reset_after dropout", () => new GRU(3, dropout: 0.3, recurrentDropout: 0.3, returnSequences: true, seed: 8));
        yield return new("gru reset_before dropout", () => new GRU(3, resetAfter: false, dropout: 0.3, recurrentDropout: 0.3, seed: 9), InitialState: true);
        yield return new("gru reset_after dropout implementation 2", () => new GRU(3, dropout: 0.3, seed: 10));
        yield return new("gru no bias", () => new GRU(3, useBias: false, returnSequences: true));
        yield return new("gru reset_before no bias", () => new GRU(3, useBias: false, resetAfter: false));
        yield return new("simple tanh sequences", () => new SimpleRNN(3, returnSequences: true));
        yield return new("simple relu backwards state", () => new SimpleRNN(3, activation: "relu", goBackwards: true, returnState: true), InitialState: true, Smooth: false);
        yield return new("simple masked dropout", () => new SimpleRNN(3, dropout: 0.3, recurrentDropout: 0.3, returnSequences: true, seed: 11), Masked: true);
        yield return new("simple sigmoid", () => new SimpleRNN(3, activation: "sigmoid"));
        yield return new("simple linear", () => new SimpleRNN(3, activation: null, returnSequences: true));
        // Batches that split into row ranges on the cores, widths that leave a scalar tail after the vector lanes.
        yield return new("lstm wide split", () => new LSTM(21, returnSequences: true, returnState: true), Batch: 32, Steps: 9, Features: 7, InitialState: true, Smooth: false);
        yield return new("lstm wide split masked dropout", () => new LSTM(19, dropout: 0.2, recurrentDropout: 0.2, returnSequences: true, seed: 3),
            Batch: 33, Steps: 9, Features: 5, Masked: true, Smooth: false);
        yield return new("gru wide split", () => new GRU(23, returnSequences: true, goBackwards: true), Batch: 32, Steps: 9, Features: 6, Smooth: false);
        yield return new("gru reset_before wide split dropout", () => new GRU(17, resetAfter: false, dropout: 0.2, recurrentDropout: 0.1, seed: 4),
            Batch: 40, Steps: 9, Features: 6, Masked: true, Smooth: false);
        yield return new("simple wide split", () => new SimpleRNN(37, returnSequences: true), Batch: 36, Steps: 9, Features: 5, Smooth: false);
        // The benchmark's shape: 3200 rows in the weight-gradient GEMMs (their split over the inner dimension).
        yield return new("lstm bench shape", () => new LSTM(128), Batch: 32, Steps: 100, Features: 32, Smooth: false, WeightScale: 0.08);
    }
}
