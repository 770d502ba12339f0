#nullable enable
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;

namespace KerasNet.Tests.Faults;

/// <summary>
/// The failures issue 14 found in models built in code: each is a <see cref="KerasNetException"/> subclass with a
/// message naming the problem, raised when the model is built (not as a DivideByZeroException or ArgumentException at
/// the first call).
/// </summary>
public sealed class CodeBuiltErrorTests
{
    [Fact]
    public void AConvolutionKernelLargerThanItsInputFailsWhenTheModelIsBuilt()
    {
        var m = new Sequential();
        var e = Assert.ThrowsAny<KerasNetException>(() => m.Add(new Conv2D(4, (5, 5), inputShape: (3, 3, 1), name: "too_big")));
        Assert.IsAssignableFrom<ShapeMismatchException>(e);
        Assert.Contains("'too_big'", e.Message);
        Assert.Contains("(None, 3, 3, 1)", e.Message);
        var x = Keras.Input((3, 3, 1));
        Assert.ThrowsAny<KerasNetException>(() => new Conv2D(4, (5, 5)).Apply(x));
    }

    [Fact]
    public void ADenseLayerOfABillionUnitsNamesItsWeightShapeAndBytes()
    {
        var m = new Sequential();
        var e = Assert.Throws<TensorSizeException>(() => m.Add(new Dense(1_000_000_000, inputShape: 4)));
        Assert.Contains("(4, 1000000000)", e.Message);
        Assert.Contains("4,000,000,000 values (16,000,000,000 bytes as float32)", e.Message);
        Assert.Contains("2,147,483,647", e.Message);
        Assert.IsAssignableFrom<KerasNetException>(Assert.ThrowsAny<Exception>(() => new Tensor(100_000, 100_000)));
        Assert.Contains("negative dimension", Assert.Throws<TensorSizeException>(() => new Tensor(3, -1)).Message);
    }

    [Fact]
    public void AValidPoolingWindowLargerThanItsInputFailsWhenTheModelIsBuilt()
    {
        var m = new Sequential();
        var e = Assert.Throws<ShapeMismatchException>(() => m.Add(new MaxPooling2D((4, 4), inputShape: (3, 3, 2), name: "wide_pool")));
        Assert.Contains("'wide_pool'", e.Message);
        Assert.Contains("empty", e.Message);
        // 'same' padding keeps one output pixel, as in Keras.
        var same = new Sequential([new AveragePooling2D((4, 4), padding: "same", inputShape: (3, 3, 2))]);
        Assert.Equal([1, 1, 2], same.Layers[^1].ComputeOutputShape([3, 3, 2]));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    public void ADropoutRateOutsideZeroToOneIsRefused(double rate)
    {
        var e = Assert.Throws<KerasNetException>(() => new Dropout(rate));
        Assert.Contains("rate must be in [0, 1)", e.Message);
    }
}
