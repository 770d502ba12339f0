#nullable enable
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;

namespace KerasNet.Tests.Optimizers;

/// <summary>
/// An Embedding's gradient is row-sparse (tf.keras 2.4 applies it with _resource_apply_sparse): the optimizers whose
/// TensorFlow sparse update touches only the looked-up rows leave every other row and its slots alone, and Nadam
/// decays m and v everywhere (assign m * beta_1, then scatter_add) but moves only the looked-up rows.
/// </summary>
public class SparseRowsTests
{
    public static TheoryData<string> RowOnly => new() { "adamax", "adadelta", "ftrl", "nadam", "sgd-momentum", "rmsprop-momentum" };

    private static Optimizer Make(string name) => name switch
    {
        "sgd-momentum" => new SGD(0.1, momentum: 0.9),
        "rmsprop-momentum" => new RMSprop(0.01, momentum: 0.5),
        "adadelta" => new Adadelta(1.0),
        _ => Optimizer.Get(name),
    };

    private static (Tensor X, Tensor Y) Ids(int first)
    {
        var x = new Tensor(4, 2);
        for (int i = 0; i < 8; i++) x[i] = first + i % 4;
        var y = new Tensor(4, 2);
        for (int i = 0; i < 4; i++) y[i * 2 + i % 2] = 1;
        return (x, y);
    }

    [Theory]
    [MemberData(nameof(RowOnly))]
    public void RowsNotLookedUpKeepTheirWeights(string name)
    {
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(3);
        var emb = new Embedding(10, 3, inputLength: 2);
        var m = new Sequential([emb, new Flatten(), new Dense(2, activation: "softmax")]);
        var opt = Make(name);
        m.Compile(opt, "categorical_crossentropy");
        var (x1, y1) = Ids(0);
        var initial = emb.Embeddings!.Value.ToArray();
        m.TrainStep(new Batch(x1, y1)); // rows 0-3
        var afterFirst = emb.Embeddings.Value.ToArray();
        var slotsFirst = opt.SlotsOf(emb.Embeddings).Select(s => (float[])s.Clone()).ToArray();
        var (x2, y2) = Ids(4);
        m.TrainStep(new Batch(x2, y2)); // rows 4-7
        var after = emb.Embeddings.Value.ToArray();
        var slots = opt.SlotsOf(emb.Embeddings);

        for (int i = 0; i < 12; i++)
        {
            Assert.NotEqual(initial[i], afterFirst[i]); // rows 0-3 moved in step one
            Assert.Equal(afterFirst[i], after[i]);       // ... and not in step two
        }
        for (int i = 12; i < 24; i++) Assert.NotEqual(afterFirst[i], after[i]);
        for (int i = 24; i < 30; i++) Assert.Equal(initial[i], after[i]); // rows 8-9: never looked up
        for (int s = 0; s < slots.Length; s++)
            for (int i = 0; i < 12; i++)
            {
                float expected = opt is Nadam nadam ? slotsFirst[s][i] * (float)(s == 0 ? nadam.Beta1 : nadam.Beta2) : slotsFirst[s][i];
                Assert.Equal(expected, slots[s][i]);
            }
    }
}
