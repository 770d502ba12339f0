#nullable enable
namespace KerasNet.Preprocessing.Image;

/// <summary>An image size as Keras writes <c>target_size</c>: (height, width).</summary>
public readonly record struct Size2(int Height, int Width)
{
    /// <summary>Lets callers write <c>targetSize: (64, 64)</c> like Keras's tuple.</summary>
    public static implicit operator Size2((int Height, int Width) t) => new(t.Height, t.Width);

    /// <inheritdoc/>
    public override string ToString() => $"({Height}, {Width})";

    internal void Validate(string what)
    {
        if (Height <= 0 || Width <= 0)
            throw new KerasNetException($"{what}: target_size must be positive, got {this}.");
    }
}
