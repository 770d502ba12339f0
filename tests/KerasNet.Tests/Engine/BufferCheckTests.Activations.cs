using KerasNet.Engine;
using KerasNet.Engine.Kernels;

namespace KerasNet.Tests.Engine;

/// <summary>The activation, parametric activation and noise entry points of the engine, checked as the others are.</summary>
public partial class BufferCheckTests
{
    [Fact]
    public void ActivationOutOfPlaceAndBackwardWithInputRejectShortBuffers()
    {
        foreach (var kind in Enum.GetValues<ActivationKind>())
        {
            EachShortByOne(["x", "y"], [66, 66], v => Be.Activation(v[0], v[1], 66, 11, kind));
            EachShortByOne(["grad", "y", "x"], [70, 70, 70], v => Be.ActivationBackward(v[0], v[1], v[2], 70, 7, kind));
            // Without the input, the activations whose derivative needs it are refused, naming it.
            if (ActivationKernels.NeedsInput(kind)) Rejects("x", () => Be.ActivationBackward(new float[70], new float[70], null, 70, 7, kind));
        }
        Rejects("activation", () => Be.Activation(new float[10], new float[10], 10, 2, (ActivationKind)99));
    }

    [Fact]
    public void ParametricActivationsRejectShortBuffers()
    {
        var options = new ReluOptions(0.2f, 3f, 0.5f);
        EachShortByOne(["x", "y"], [37, 37], v => Be.Relu(v[0], v[1], 37, options));
        EachShortByOne(["x", "gradOut", "gradIn"], [37, 37, 37], v => Be.ReluBackward(v[0], v[1], v[2], 37, options));
        EachShortByOne(["x", "y"], [37, 37], v => Be.Elu(v[0], v[1], 37, 0.5f));
        EachShortByOne(["x", "gradOut", "gradIn"], [37, 37, 37], v => Be.EluBackward(v[0], v[1], v[2], 37, 0.5f));
        EachShortByOne(["x", "alpha", "y"], [3 * 13, 13, 3 * 13], v => Be.PRelu(v[0], v[1], v[2], 3, 13));
        EachShortByOne(["x", "alpha", "gradOut", "gradIn", "gradAlpha"], [3 * 13, 13, 3 * 13, 3 * 13, 13],
            v => Be.PReluBackward(v[0], v[1], v[2], v[3], v[4], 3, 13));
        EachShortByOne(["x", "y"], [2 * 5 * 3, 2 * 5 * 3], v => Be.Softmax(v[0], v[1], 2, 5, 3));
        EachShortByOne(["y", "gradOut", "gradIn"], [2 * 5 * 3, 2 * 5 * 3, 2 * 5 * 3], v => Be.SoftmaxBackward(v[0], v[1], v[2], 2, 5, 3));
        Rejects("length", () => Be.Relu(new float[4], new float[4], -1, options));
        Rejects("rows", () => Be.PRelu(new float[4], new float[4], new float[4], -1, 4));
        Rejects("axis", () => Be.Softmax(new float[4], new float[4], 2, -2, 1));
    }

    [Fact]
    public void NoiseKernelsRejectShortBuffers()
    {
        EachShortByOne(["mask"], [41], v => Be.BernoulliMask(v[0], 41, 7UL, 0.3f, 2f, 0f));
        EachShortByOne(["z"], [41], v => Be.NormalNoise(v[0], 41, 7UL, 0f, 1f));
        int[] shape = [2, 3, 4], noise = [2, 1, 4];
        EachShortByOne(["x", "mul", "add", "y"], [24, 8, 8, 24], v => Be.BroadcastAffine(v[0], v[1], v[2], v[3], shape, noise));
        Rejects("noiseShape", () => Be.BroadcastAffine(new float[24], new float[8], null, new float[24], shape, [2, 2, 4]));
        Rejects("noiseShape", () => Be.BroadcastAffine(new float[24], new float[8], null, new float[24], shape, [2, 4]));
    }
}
