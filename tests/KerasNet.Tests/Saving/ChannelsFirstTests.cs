#nullable enable
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Saving;

/// <summary>Keras 1 'th' models (NCHW, Theano kernels) and Keras 2's channels_first Flatten.</summary>
public class ChannelsFirstTests
{
    [SkippableFact]
    public void Keras1TheanoWeightsPredictLikeTheano()
    {
        Oracle.RequirePython("h5py", "numpy");
        var dir = Oracle.TempDir();
        Oracle.RunPythonScript("saving_keras1_fixture.py", dir);
        var model = Keras.ModelFromJson(JsonTests.Keras1Json);
        model.LoadWeights(Path.Combine(dir, "k1.h5"));
        var y = model.Predict(Npy.Load(Path.Combine(dir, "x.npy")));
        SavingTestUtil.AssertClose(Npy.Load(Path.Combine(dir, "expected.npy")), y, 1e-5, "Keras 1 th model");
    }

    [Fact]
    public void ChannelsFirstFlattenPermutesToHwcAndBack()
    {
        var f = new Flatten("channels_first");
        f.Build([3, 2, 4]); // c, h, w
        var x = new Tensor(2, 3, 2, 4);
        for (int i = 0; i < x.Length; i++) x[i] = i;
        var ctx = new CallContext();
        var y = f.Call(ctx, x, training: true);
        Assert.Equal(new[] { 2, 24 }, y.Shape);
        for (int n = 0; n < 2; n++)
            for (int c = 0; c < 3; c++)
                for (int h = 0; h < 2; h++)
                    for (int w = 0; w < 4; w++)
                        Assert.Equal(x[((n * 3 + c) * 2 + h) * 4 + w], y[n * 24 + (h * 4 + w) * 3 + c]);
        var g = f.Backward(ctx, y.Clone(), needInputGrad: true)!;
        Assert.Equal(x.ToArray(), g.ToArray());
        var last = new Flatten();
        last.Build([3, 2, 4]);
        Assert.Equal(x.ToArray(), last.Call(x).ToArray()); // channels_last: memory order
    }
}
