using KerasNet.Layers;
using KerasNet.Models;

namespace KerasNet.Tests.Models;

public class SummaryTests
{
    internal static Sequential Tutorial() => KerasNet.Applications.TutorialCnn.Build();

    [Fact]
    public void TutorialSummaryEqualsKeras24TableByteForByte()
    {
        KerasBackend.ClearSession();
        var text = Tutorial().SummaryText();
        var expected = string.Join("\n", new[]
        {
            "Model: \"sequential\"",
            "_________________________________________________________________",
            "Layer (type)                 Output Shape              Param #   ",
            "=================================================================",
            "conv2d (Conv2D)              (None, 62, 62, 32)        896       ",
            "_________________________________________________________________",
            "max_pooling2d (MaxPooling2D) (None, 31, 31, 32)        0         ",
            "_________________________________________________________________",
            "conv2d_1 (Conv2D)            (None, 29, 29, 32)        9248      ",
            "_________________________________________________________________",
            "max_pooling2d_1 (MaxPooling2 (None, 14, 14, 32)        0         ",
            "_________________________________________________________________",
            "conv2d_2 (Conv2D)            (None, 12, 12, 32)        9248      ",
            "_________________________________________________________________",
            "max_pooling2d_2 (MaxPooling2 (None, 6, 6, 32)          0         ",
            "_________________________________________________________________",
            "flatten (Flatten)            (None, 1152)              0         ",
            "_________________________________________________________________",
            "dense (Dense)                (None, 3137)              3616961   ",
            "_________________________________________________________________",
            "dense_1 (Dense)              (None, 3137)              9843906   ",
            "_________________________________________________________________",
            "dense_2 (Dense)              (None, 2)                 6276      ",
            "=================================================================",
            "Total params: 13,486,535",
            "Trainable params: 13,486,535",
            "Non-trainable params: 0",
            "_________________________________________________________________",
        }) + "\n";
        Assert.Equal(expected, text);
    }

    [Fact]
    public void NamesContinueAcrossModelsUntilClearSession()
    {
        KerasBackend.ClearSession();
        var a = new Sequential();
        a.Add(new Dense(3, inputShape: 4));
        var b = new Sequential();
        b.Add(new Dense(3, inputShape: 4));
        Assert.Equal(("sequential", "dense"), (a.Name, a.Layers[0].Name));
        Assert.Equal(("sequential_1", "dense_1"), (b.Name, b.Layers[0].Name));
        Assert.Equal("dense_input", a.InputLayer!.Name);
        KerasBackend.ClearSession();
        Assert.Equal("dense", new Dense(1).Name);
        Assert.Equal("max_pooling2d", new MaxPooling2D().Name);
    }
}
