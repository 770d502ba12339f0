using System.Text.Json;
using KerasNet.Engine;
using KerasNet.Losses;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Losses;

/// <summary>
/// Keras's <c>axis</c> on the cross-entropies and cosine_similarity (the losses that take one), with reduction "none"
/// (per-sample values, the shape without the axis) and the default reduction plus its gradient, against PyTorch
/// (softmax/sigmoid cross-entropy over dim=axis, cosine_similarity over dim=axis) and a numpy transcription of
/// Keras's categorical_crossentropy on probabilities.
/// </summary>
public class LossAxisTests
{
    private const int N = 3, C = 4, T = 5;

    private static Tensor Random(int seed, double lo, double hi, params int[] shape)
    {
        var r = new Random(seed);
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++) t[i] = (float)(lo + (hi - lo) * r.NextDouble());
        return t;
    }

    // Targets: one-hot along axis 1 of (N, C, T), or in [0, 1] for the binary loss.
    private static Tensor OneHotAxis1(int seed)
    {
        var r = new Random(seed);
        var t = new Tensor(N, C, T);
        for (int n = 0; n < N; n++) for (int k = 0; k < T; k++) t[(n * C + r.Next(C)) * T + k] = 1;
        return t;
    }

    private const string Torch = """
        import json, sys, numpy as np, torch
        import torch.nn.functional as F
        a = json.loads(sys.argv[1])
        shape = a['shape']
        y = torch.tensor(np.array(a['y'], np.float64).reshape(shape))
        p = torch.tensor(np.array(a['p'], np.float64).reshape(shape), requires_grad=True)
        kind, axis = a['kind'], a['axis']
        if kind == 'cce_logits':
            per = F.cross_entropy(p, y, reduction='none') if axis == 1 else -(y * F.log_softmax(p, dim=axis)).sum(axis)
        elif kind == 'bce_logits':
            per = F.binary_cross_entropy_with_logits(p, y, reduction='none').mean(axis)
        elif kind == 'cosine':
            # Keras's l2_normalize floors the squared norm at 1e-12; these vectors are far from it.
            per = -(F.normalize(y, dim=axis) * F.normalize(p, dim=axis)).sum(axis)
        elif kind == 'cce_probs':
            q = p / p.sum(axis, keepdim=True)
            q = torch.clamp(q, 1e-7, 1 - 1e-7)
            per = -(y * torch.log(q)).sum(axis)
        mean = per.mean()
        mean.backward()
        sys.stdout.write(json.dumps({'per': per.detach().numpy().ravel().tolist(), 'shape': list(per.shape),
                                     'mean': float(mean), 'grad': p.grad.numpy().ravel().tolist()}))
        """;

    private static void Check(string kind, int axis, Func<string, Loss> make, Tensor y, Tensor p, double tol)
    {
        Oracle.RequirePython("torch");
        var o = JsonDocument.Parse(Oracle.RunPythonCode(Torch, JsonSerializer.Serialize(new { kind, axis, shape = p.Shape, y = y.ToArray(), p = p.ToArray() }))).RootElement;
        var per = make("none").Call(y, p);
        Assert.Equal(o.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray(), per.Shape);
        var expected = o.GetProperty("per").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        double maxPer = expected.Select((v, i) => Math.Abs(v - per[i])).Max();
        var grad = new Tensor(p.Shape);
        double mean = make("sum_over_batch_size").Compute(p, y, grad);
        var g = o.GetProperty("grad").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        double maxGrad = g.Select((v, i) => Math.Abs(v - grad[i])).Max();
        Assert.True(maxPer <= tol, $"{kind} axis {axis}: per-sample max difference {maxPer}");
        Assert.Equal(o.GetProperty("mean").GetDouble(), mean, tol);
        Assert.True(maxGrad <= tol, $"{kind} axis {axis}: gradient max difference {maxGrad}");
    }

    [SkippableTheory]
    [InlineData(1)]
    [InlineData(-2)]
    public void CategoricalCrossentropyFromLogitsOverTheClassAxis(int axis) =>
        Check("cce_logits", 1, r => new CategoricalCrossentropy(fromLogits: true, axis: axis, reduction: r), OneHotAxis1(1), Random(2, -3, 3, N, C, T), 2e-6);

    [SkippableFact]
    public void CategoricalCrossentropyOnProbabilitiesNormalisesAndClipsAlongTheAxis() =>
        Check("cce_probs", 1, r => new CategoricalCrossentropy(axis: 1, reduction: r), OneHotAxis1(3), Random(4, 0.01, 1, N, C, T), 2e-6);

    [SkippableFact]
    public void BinaryCrossentropyFromLogitsAveragesOverTheAxis() =>
        Check("bce_logits", 1, r => new BinaryCrossentropy(fromLogits: true, axis: 1, reduction: r), Random(5, 0, 1, N, C, T), Random(6, -3, 3, N, C, T), 2e-6);

    [SkippableFact]
    public void CosineSimilarityOverAMiddleAxis() =>
        Check("cosine", 1, r => new CosineSimilarity(axis: 1, reduction: r), Random(7, -1, 1, N, C, T), Random(8, -1, 1, N, C, T), 2e-6);

    [Fact]
    public void AnAxisOutsideTheOutputsIsRefusedNamingIt()
    {
        var p = new Tensor(2, 3);
        var e = Assert.Throws<KerasNetException>(() => new CosineSimilarity(axis: 2).Call(p, p));
        Assert.Contains("axis=2", e.Message);
        Assert.Contains("axis=0", Assert.Throws<KerasNetException>(() => new BinaryCrossentropy(axis: 0)).Message);
    }
}
