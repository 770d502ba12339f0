#nullable enable
using KerasNet.Layers;
using KerasNet.Models;

namespace KerasNet.Applications;

/// <summary>
/// The network of the Homer-vs-Bart Keras tutorial, for benchmarks, tools and tests that need it ready-made
/// (the console app's Program.cs spells the same lines out, as the tutorial does).
/// </summary>
public static class TutorialCnn
{
    /// <summary>
    /// Conv2D(32, 3x3, relu) + MaxPooling2D(2x2) three times, Flatten, Dense(3137, relu) twice and a softmax over
    /// <paramref name="classes"/>; not compiled.
    /// </summary>
    /// <param name="imageSize">Height and width of the square input images, in pixels (the tutorial's 64).</param>
    /// <param name="channels">Channels per pixel: 3 for RGB (the default), 1 for grayscale.</param>
    /// <param name="classes">Number of classes of the softmax output (the tutorial's 2: Homer and Bart).</param>
    /// <returns>The uncompiled Sequential network.</returns>
    public static Sequential Build(int imageSize = 64, int channels = 3, int classes = 2)
    {
        var network = new Sequential();
        network.Add(new Conv2D(32, (3, 3), inputShape: (imageSize, imageSize, channels), activation: "relu"));
        network.Add(new MaxPooling2D(poolSize: (2, 2)));
        network.Add(new Conv2D(32, (3, 3), activation: "relu"));
        network.Add(new MaxPooling2D(poolSize: (2, 2)));
        network.Add(new Conv2D(32, (3, 3), activation: "relu"));
        network.Add(new MaxPooling2D(poolSize: (2, 2)));
        network.Add(new Flatten());
        network.Add(new Dense(units: 3137, activation: "relu"));
        network.Add(new Dense(units: 3137, activation: "relu"));
        network.Add(new Dense(units: classes, activation: "softmax"));
        return network;
    }
}
